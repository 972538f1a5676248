"""An outside person follows an invitation link, registers the organisation (with two-factor set-up,
as every administrator must), accepts and lands on the invited RFI — or, while the RFI pages are not
on this branch, on the Samverkan start page with the RFI under "Skickat till oss". The officer sends
the invitation from the invitation page. axe-core finds nothing serious or critical on the
invitation, registration, acceptance and start pages."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from insats.accounts.models import Organisation
from insats.sourcing.rfi.models import Rfi
from tests.conftest import PASSWORD, org_number

from .conftest import describe, run_axe, session_cookie_for

pytestmark = pytest.mark.browser


def axe_clean(page) -> None:
    if page.locator("ul.messages").count():
        page.reload()
    violations = run_axe(page)
    assert violations == [], describe(violations)


def test_outside_organisation_registers_from_an_invitation_and_lands_on_the_rfi(
    bworld, chromium, context, live_server
):
    owner = bworld.orgs["owner"]
    rfi = Rfi.objects.create(organisation=owner, title="Barn 6–10 år i riskzon", status="published")
    officer = bworld.user("owner", "procurement")
    # Generous timeouts: the flow has eight page loads and shared CI machines can be slow.
    context.set_default_timeout(60_000)
    context.add_cookies([session_cookie_for(live_server, officer, owner)])
    page = context.new_page()
    page.goto(reverse("sourcing:invitation_create", kwargs={"kind": "rfi", "pk": rfi.pk}))
    axe_clean(page)
    page.get_by_label("E-postadresser").fill("info@nyforening.example")
    page.get_by_role("button", name="Skicka inbjudningar").click()
    expect(page.get_by_text("Inbjudan skickad.")).to_be_visible()
    [message] = [m for m in mail.outbox if m.to == ["info@nyforening.example"]]
    link = re.search(r"https?://\S+/samverkan/inbjudan/\S+/", message.body).group(0)
    path = link[link.index("/samverkan/") :]

    outsider = chromium.new_context(base_url=live_server.url, locale="sv-SE", bypass_csp=True)
    outsider.set_default_timeout(60_000)
    try:
        visitor = outsider.new_page()
        visitor.goto(path)
        axe_clean(visitor)
        visitor.get_by_role("link", name="Vår organisation finns inte i Insats – registrera den").click()
        expect(visitor.get_by_text("via en inbjudan från Tomelilla kommun")).to_be_visible()
        axe_clean(visitor)
        visitor.get_by_label("Organisationens namn").fill("Föreningen Ny Väg")
        visitor.get_by_label("Organisationsnummer").fill(org_number(8123))
        visitor.get_by_label("Idéburen organisation").check()
        visitor.get_by_label("Organisationens kontaktadress").fill("info@nyforening.example")
        visitor.get_by_label("Ditt namn").fill("Nora Ny")
        visitor.get_by_label("Din e-postadress").fill("nora@nyforening.example")
        visitor.locator("#id_password1").fill(PASSWORD)
        visitor.locator("#id_password2").fill(PASSWORD)
        visitor.get_by_role("button", name="Registrera organisationen").click()
        # An administrator sets up two-factor authentication first.
        secret = visitor.locator("#totp-secret").inner_text().replace(" ", "")
        visitor.get_by_label("Sexsiffrig kod från appen").fill(pyotp.TOTP(secret).now())
        visitor.get_by_role("button", name="Bekräfta och aktivera").click()
        visitor.get_by_role("link", name="Jag har sparat koderna – fortsätt").click()
        expect(visitor.get_by_role("button", name="Tacka ja")).to_be_visible()
        axe_clean(visitor)
        visitor.get_by_role("button", name="Tacka ja").click()
        visitor.wait_for_load_state()
        org = Organisation.objects.get(name="Föreningen Ny Väg")
        assert org.self_registered and org.invited_by == owner and org.verified_at is None
        try:
            expected = reverse("sourcing:rfi_detail", kwargs={"pk": rfi.pk})
        except NoReverseMatch:
            expected = reverse("sourcing:home")
        assert visitor.url.endswith(expected)
        if expected == reverse("sourcing:home"):
            section = visitor.locator("section", has=visitor.get_by_role("heading", name="Skickat till oss"))
            expect(section.get_by_text(rfi.title)).to_be_visible()
        axe_clean(visitor)
    finally:
        outsider.close()
