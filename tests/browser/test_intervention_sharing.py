"""Sharing and the public listing in Chromium, by keyboard only: the owner's administrator switches
the public listing on, an anonymous visitor reads it; the owner shares an intervention with a
partner, whose users then find it in their catalogue. axe-core finds no serious or critical
violation on any of the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from insats.interventions.catalogue.models import CatalogueSettings
from tests.interventions.sharing_data import CONTACT_PERSON, SECRET_NAME, add_reach, make_intervention

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


def axe_clean(page) -> None:
    """axe on the page, reloaded first when a flash message shows (see test_plans_browser.axe_clean:
    base.html's message list is reported to the shell's owner)."""
    if page.locator("ul.messages").count():
        page.reload()
    violations = run_axe(page)
    assert violations == [], describe(violations)


def press(page, role: str, name: str) -> None:
    page.get_by_role(role, name=name, exact=True).first.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_public_listing_switched_on_by_keyboard_and_read_anonymously(bworld, chromium, context, live_server):
    owner = bworld.orgs["owner"]
    intervention = make_intervention(owner)
    add_reach(intervention, 2025, {7: 12, 14: 3})
    context.add_cookies([session_cookie_for(live_server, bworld.user("owner", "admin"), owner)])
    page = context.new_page()
    page.goto(reverse("interventions:catalogue_settings"))
    axe_clean(page)
    checkbox = page.get_by_label("Visa en publik förteckning över våra insatser")
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    press(page, "button", "Spara")
    expect(page.get_by_text("Den publika förteckningen är påslagen.")).to_be_visible()
    assert CatalogueSettings.objects.get(organisation=owner).public_listing
    link = page.get_by_role("link", name="Öppna den publika förteckningen")
    href = link.get_attribute("href")
    assert href == reverse("interventions:public_listing", args=[owner.pk])

    anonymous = chromium.new_context(base_url=live_server.url, locale="sv-SE", bypass_csp=True)
    try:
        visitor = anonymous.new_page()
        visitor.goto(href)
        expect(visitor.get_by_role("heading", name=SECRET_NAME)).to_be_visible()
        body = visitor.content()
        assert CONTACT_PERSON not in body
        # 12 (7–13 år) and 3 (14–18 år), total 15: the 3 is hidden, and so is the 12 — with the
        # total shown it would tell that the hidden cells hold 3.
        table = visitor.get_by_role("table")
        expect(table).to_contain_text("15")
        assert ">3<" not in table.inner_html() and ">12<" not in table.inner_html()
        axe_clean(visitor)
    finally:
        anonymous.close()


def test_share_then_the_partner_sees_it(bworld, chromium, context, live_server):
    owner, partner = bworld.orgs["owner"], bworld.orgs["partner"]
    intervention = make_intervention(owner)
    context.add_cookies([session_cookie_for(live_server, bworld.user("owner", "analyst"), owner)])
    page = context.new_page()
    page.goto(reverse("interventions:intervention_share", args=[intervention.pk]))
    axe_clean(page)
    select = page.get_by_label("Dela med organisation")
    select.focus()
    select.select_option(label=partner.name)  # a <select> by keyboard: Playwright picks the option
    purpose = page.get_by_label("Syfte")
    expect(purpose).to_have_value("samverkan")
    purpose.focus()
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_load_state()
    expect(page.get_by_role("cell", name=partner.name, exact=True)).to_be_visible()
    axe_clean(page)
    # The revoke link leads to a confirmation page (checked for axe, not confirmed).
    press(page, "link", f"Återkalla – {partner.name}")
    expect(page.get_by_role("heading", name="Återkalla delningen?")).to_be_visible()
    axe_clean(page)

    other = chromium.new_context(base_url=live_server.url, locale="sv-SE", bypass_csp=True)
    try:
        other.add_cookies([session_cookie_for(live_server, bworld.user("partner", "viewer"), partner)])
        p = other.new_page()
        p.goto(reverse("interventions:home"))
        expect(p.get_by_role("cell", name=SECRET_NAME, exact=True)).to_be_visible()
        p.goto(reverse("interventions:shares"))
        expect(p.get_by_role("cell", name=SECRET_NAME, exact=True)).to_be_visible()
        axe_clean(p)
    finally:
        other.close()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_sharing_page_is_axe_clean(language, bworld, chromium, live_server):
    """The same check as test_accessibility.py, narrowed to this area's matrix entries (which the
    whole-app test also visits), so it runs while working on them."""
    from tests.browser.test_accessibility import visits
    from tests.matrix.interventions_sharing import ENTRIES as OURS
    from tests.test_permission_matrix import base_key

    from .conftest import language_cookie

    checked, problems = 0, []
    for v in visits():
        if v.key not in OURS:
            continue
        ctx = chromium.new_context(base_url=live_server.url, locale="sv-SE", bypass_csp=True)
        try:
            cookies = [language_cookie(live_server, language)]
            if v.role is not None:
                cookies.append(
                    session_cookie_for(live_server, bworld.user("owner", v.role), bworld.orgs["owner"])
                )
            ctx.add_cookies(cookies)
            p = ctx.new_page()
            url = reverse(base_key(v.key), kwargs=OURS[v.key].kwargs(bworld))
            response = p.goto(url)
            assert response.status == 200, f"{v.key}: {response.status}"
            assert p.locator("html").get_attribute("lang") == language
            violations = run_axe(p)
            checked += 1
            if violations:
                problems.append(f"{v.key} as {v.role}: {describe(violations)}")
        finally:
            ctx.close()
    assert checked >= 10
    assert not problems, "\n".join(problems)
