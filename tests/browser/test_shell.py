"""Logging in through the form, switching organisation and language, and keyboard-only use."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from insats.accounts import services

from .conftest import session_cookie_for, totp_code

pytestmark = pytest.mark.browser

PASSWORD = "Testlösenord-123"


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def test_analyst_logs_in_with_email_and_password(page, bworld):
    log_in(page, "analyst@owner.test")
    page.wait_for_url(re.compile(r"/$"))
    assert "Välkommen, Analyst Owner" in page.locator("h1").inner_text()
    assert "Tomelilla kommun" in page.locator(".acting-as").inner_text()


def test_wrong_password_is_refused_without_saying_which_part(page, bworld):
    log_in(page, "analyst@owner.test", "fel-lösenord")
    assert page.url.endswith(reverse("accounts:login"))
    assert page.get_by_role("alert").count() == 1
    assert page.locator(".acting-as").count() == 0


def test_admin_logs_in_with_a_totp_code(page, bworld, client):
    from tests.conftest import login

    admin = bworld.user("owner", "admin")
    login(client, admin, bworld.orgs["owner"])  # enrols the authenticator (the role requires 2FA)
    admin.refresh_from_db()
    assert admin.has_two_factor
    log_in(page, admin.email)
    page.wait_for_url(re.compile(r"/konto/"))
    assert page.url.endswith(reverse("accounts:two_factor_login"))
    # The enrolment used the current time step; each step works once, so take the next one.
    page.locator("input[name=code]").fill(totp_code(admin, offset_steps=1))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/$"))
    assert "Välkommen, Admin Owner" in page.locator("h1").inner_text()


def test_switch_organisation_with_the_header_form(page, context, live_server, bworld):
    user = bworld.user("owner", "analyst")
    services.membership_add(actor=None, user=user, organisation=bworld.orgs["unrelated"], role="viewer")
    log_in(page, user.email)
    page.wait_for_url(re.compile(r"/$"))
    select = page.get_by_label("Agerar för")
    # With no choice made yet the first membership (by organisation name) is active.
    assert select.locator("option:checked").inner_text() == "Familjeforum i Lund AB – Läsare"
    select.select_option(label="Tomelilla kommun – Analytiker")
    page.get_by_role("button", name="Byt", exact=True).click()
    page.wait_for_load_state()
    assert "Du arbetar för Tomelilla kommun som Analytiker" in page.locator("p.lead").first.inner_text()
    assert (
        page.get_by_label("Agerar för").locator("option:checked").inner_text()
        == "Tomelilla kommun – Analytiker"
    )
    # …and back.
    page.get_by_label("Agerar för").select_option(label="Familjeforum i Lund AB – Läsare")
    page.get_by_role("button", name="Byt", exact=True).click()
    page.wait_for_load_state()
    assert "Du arbetar för Familjeforum i Lund AB som Läsare" in page.locator("p.lead").first.inner_text()


def test_switch_language_to_english_and_back(page, bworld):
    page.goto(reverse("accounts:login"))
    assert page.locator("html").get_attribute("lang") == "sv"
    page.get_by_role("button", name="Logga in").click()  # empty form: Django's own messages
    assert page.get_by_text("Detta fält måste fyllas i.").count() >= 1

    page.get_by_label("Språk").select_option("en")
    page.locator(".lang-form button[type=submit]").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.locator("form.stacked button[type=submit]").click()
    assert page.get_by_text("This field is required.").count() >= 1
    assert page.get_by_text("Detta fält måste fyllas i.").count() == 0

    page.locator("#language-select").select_option("sv")
    page.locator(".lang-form button[type=submit]").click()
    page.wait_for_function("document.documentElement.lang === 'sv'")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_text("Detta fält måste fyllas i.").count() >= 1


def test_keyboard_reaches_skip_link_first_and_every_nav_link(page, context, live_server, bworld):
    context.add_cookies(
        [session_cookie_for(live_server, bworld.user("owner", "admin"), bworld.orgs["owner"])]
    )
    page.goto("/")
    nav_links = page.locator("nav.main-nav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(nav_links) >= 4  # Start plus the admin's organisation menu

    page.keyboard.press("Tab")
    first = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert first == ["skip-link", "#main"]
    assert page.locator(".skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto("/")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "(() => { const a = document.activeElement;"
            " return a.closest('nav.main-nav') ? a.getAttribute('href') : null; })()"
        )
        if info:
            reached.append(info)
        if set(nav_links) <= set(reached):
            break
    assert set(nav_links) <= set(reached), f"not reachable by Tab: {sorted(set(nav_links) - set(reached))}"

    # Enter on a focused nav link follows it.
    target = reverse("accounts:partnerships")
    page.locator(f"nav.main-nav a[href='{target}']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    assert page.locator(f"nav.main-nav a[href='{target}']").get_attribute("aria-current") == "page"
