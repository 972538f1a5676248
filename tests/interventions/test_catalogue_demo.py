"""The catalogue demo: idempotent (a second run changes nothing), Södra Vätterbygden's NOVA, Enter and
FIA over 70 % of the 11,4 mnkr budget and the smaller members reached less than their financing share
(both through insats.core.portfolio), Helsingborg without a riktad tidig insats for 7–13 år,
Tomelilla's own 6–10 band."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insats.accounts.demo_data import build_demo
from insats.accounts.models import FederationMember, Organisation
from insats.audit.models import AuditEntry
from insats.core import portfolio
from insats.interventions.catalogue import demo
from insats.interventions.catalogue.models import AgeBand, Intervention, InterventionVersion
from insats.situation.demo_plans import build_demo_plans
from insats.situation.models import Indicator, IndicatorSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(db):
    build_demo()
    for code in ["DEMO10", "DEMO13", "DEMO14", "DEMO23"]:
        Indicator.objects.create(code=code, title_sv=code, source=IndicatorSource.DEMO)
    build_demo_plans()
    return demo.build()


def test_demo_is_idempotent_with_version_one_each(built):
    assert built and built[0] == "Insatskatalogen:"
    count, audit = Intervention.objects.count(), AuditEntry.objects.count()
    assert demo.build() == []
    assert Intervention.objects.count() == count and AuditEntry.objects.count() == audit
    assert count == 3 + 11 + 5
    assert set(InterventionVersion.objects.values_list("number", flat=True)) == {1}
    assert InterventionVersion.objects.count() == count


def test_finsam_interventions_take_over_70_percent_of_the_budget(built):
    forbund = Organisation.objects.get(name=demo.FORBUND)
    items = {i.name: i for i in Intervention.objects.filter(organisation=forbund)}
    assert set(items) == {"NOVA", "Enter", "FIA"}
    staff = {n: sum(s.people for s in i.staffing.all()) for n, i in items.items()}
    assert staff == {"NOVA": 7, "Enter": 6, "FIA": 2}  # seed 001
    assert {s.employer.name for s in items["NOVA"].staffing.all()} == {
        "Jönköpings kommun",
        "Vaggeryds kommun",
        "Habo kommun",
        "Mullsjö kommun",
    }
    amounts = {n: i.annual_budget for n, i in items.items()}
    rest = demo.FORBUND_BUDGET - sum(amounts.values())
    shares = portfolio.shares({**amounts, "övrigt": rest})
    # (4,1 + 3,3 + 0,9) / 11,4 = 8,3 / 11,4 = 0,72807… → 0,7281 in four decimals.
    assert shares["NOVA"] + shares["Enter"] + shares["FIA"] == Decimal("0.7281")
    assert all(i.governance_body and i.governance_body.name == f"Styrgrupp {n}" for n, i in items.items())


def test_smaller_members_are_reached_less_than_their_financing_share(built):
    forbund = Organisation.objects.get(name=demo.FORBUND)
    municipal = {
        m.member.area_code: m.financing_share
        for m in FederationMember.objects.filter(federation=forbund, member__kind="kommun").select_related(
            "member"
        )
    }
    financing = portfolio.shares(municipal)  # 20 : 2 : 2 : 1 → 0,8 / 0,08 / 0,08 / 0,04
    assert financing["0642"] == Decimal("0.0400")
    reach: dict[str, int] = dict.fromkeys(municipal, 0)
    for i in Intervention.objects.filter(organisation=forbund):
        for r in i.reach.filter(year=2024).select_related("area"):
            reach[r.area.code] += r.participants
    reached = portfolio.shares(reach)
    for small in ("0665", "0643", "0642"):  # Vaggeryd, Habo, Mullsjö
        assert reached[small] < financing[small], small
    assert reached["0680"] > financing["0680"]  # Jönköping


def test_helsingborg_has_no_targeted_early_intervention_for_7_to_13(built):
    org = Organisation.objects.get(name=demo.HELSINGBORG)
    items = Intervention.objects.filter(organisation=org)
    assert items.count() == 11
    assert not items.filter(intensity="riktad", age_bands__label="7–13 år").exists()
    assert items.filter(intensity="riktad").exists()
    assert items.filter(providers__name="Idrottsalliansen Drottninghög").exists()


def test_tomelilla_has_its_own_bands_and_interventions_for_6_to_10(built):
    org = Organisation.objects.get(name=demo.TOMELILLA)
    assert list(AgeBand.objects.filter(organisation=org).values_list("label", flat=True)) == [
        "0–2 år",
        "3–5 år",
        "6–10 år",
        "11–13 år",
        "14–18 år",
    ]
    six_ten = Intervention.objects.filter(
        organisation=org, age_bands__label="6–10 år", age_bands__organisation=org
    )
    assert six_ten.count() == 5
    assert six_ten.filter(target_groups__name=demo.TOMELILLA_TARGET_GROUP).count() == 2


def test_helsingborgs_map_shows_the_gap_with_its_reason(built, client):
    from django.urls import reverse

    from insats.accounts.models import Membership
    from insats.interventions.map import demo as map_demo
    from tests.conftest import login

    assert len(map_demo.build()) == 2  # both target groups placed …
    assert map_demo.build() == []  # … once
    analyst = Membership.objects.get(user__email="analytiker@helsingborg.demo", role="analyst")
    login(client, analyst.user, analyst.organisation)
    page = client.get(reverse("interventions:map")).content.decode()
    # 420 pupils aged 6–16 spread evenly over 11 years of age: 7 of them (7–13) make 267 children.
    assert "Riktad tidig insats 7–13 år: 0 platser mot målgrupp 267 barn" in page
