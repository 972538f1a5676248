"""The map page, its need placement and its exports, through the Django test client."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from insats.audit.models import AuditEntry
from insats.interventions.map.models import NeedAssignment
from tests.conftest import login

from .map_world import build

pytestmark = pytest.mark.django_db

REASON = "Riktad tidig insats 7–13 år: 0 platser mot målgrupp 140 barn"


def test_helsingborg_like_gap_shows_its_reason_and_inputs(world, client):
    mw = build(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map"))
    assert response.status_code == 200
    text = response.content.decode()
    assert REASON in text
    # The inputs beside the figure: the target group with its size, and no interventions.
    assert "Barn 7–13 år med riskbeteende (7–13 år, 140 barn, 140 i åldersgruppen)" in text
    # The early-intervention cell: 40 places, reach 31 (2025, the latest year), need none.
    assert "40 platser, räckvidd 31" in text
    # Familjen läser: 70 places over ages 0–6 = 10 a year: 30 in 0–2 and 40 in 3–6.
    assert "30 platser, räckvidd 0" in text and "40 platser, räckvidd 0" in text
    # Factor named in the cause analysis without an intervention is a gap, in words.
    assert (
        "Låg skolnärvaro (test): nämns 1 gånger i orsaksanalyserna men ingen insats på kartan "
        "arbetar med faktorn" in text
    )
    # The unplaced group is listed; viewers cannot place needs.
    assert "Unga 16–18 år" in text
    assert reverse("interventions:map_need") not in text
    assert mw.group.pk


def test_a_filter_narrows_the_interventions_but_not_the_need(world, client):
    mw = build(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map"), {"evidence": "svenska_studier"})
    text = response.content.decode()
    assert "Föräldraskapsstöd ABC" in text and "Familjen läser" not in text
    assert REASON in text
    response = client.get(reverse("interventions:map"), {"provider": world.orgs["partner"].pk})
    assert "Familjen läser" not in response.content.decode()
    response = client.get(reverse("interventions:map"), {"factor": mw.factor_ok.pk, "colour": "evidence"})
    assert "Effekt visad" in response.content.decode()


def test_an_unknown_filter_value_is_an_error_named_by_field(world, client):
    build(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map"), {"owner": "999999"})
    assert response.status_code == 200
    assert "Ägare:" in response.content.decode()


def test_placing_a_need_closes_nothing_but_moves_the_gap(world, client):
    mw = build(world)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    response = client.post(
        reverse("interventions:map_need"), {"target_group": mw.group.pk, "intensity": "tidig"}
    )
    assert response.status_code == 302
    assert NeedAssignment.objects.get(target_group=mw.group).intensity == "tidig"
    assert AuditEntry.objects.filter(action="interventions.need_assignment.set").count() == 2
    text = client.get(reverse("interventions:map")).content.decode()
    assert REASON not in text
    # 40 early places against 140: 100 missing.
    assert "Tidig insats 7–13 år: 40 platser mot målgrupp 140 barn, 100 saknas" in text
    client.post(reverse("interventions:map_need"), {"target_group": mw.group.pk, "intensity": ""})
    assert not NeedAssignment.objects.filter(target_group=mw.group).exists()


def test_another_organisations_target_group_cannot_be_placed(world, client):
    mw = build(world)
    login(client, world.user("partner", "admin"), world.orgs["partner"])
    response = client.post(
        reverse("interventions:map_need"), {"target_group": mw.group.pk, "intensity": "tidig"}
    )
    assert response.status_code == 302
    assert NeedAssignment.objects.get(target_group=mw.group).intensity == "riktad"


def test_unrelated_organisation_sees_none_of_it(world, client):
    build(world)
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    text = client.get(reverse("interventions:map")).content.decode()
    assert "Familjen läser" not in text
    assert "med riskbeteende" not in text
    assert "Det finns inga insatser att visa på kartan ännu" in text
    assert "Lägesbilden har inga målgrupper ännu" in text


def test_federation_member_sees_the_portfolio_on_its_map(world, client):
    from insats.interventions.catalogue.models import Intervention

    Intervention.objects.create(organisation=world.orgs["federation"], name="NOVA", intensity="riktad")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map"), {"owner": world.orgs["federation"].pk})
    assert "NOVA" in response.content.decode()


def test_excel_export_holds_the_matrix_gaps_and_inputs(world, client):
    from openpyxl import load_workbook

    build(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map_xlsx"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Karta", "Celler", "Luckor", "Faktorer", "Indata insatser", "Indata målgrupper"]
    gaps = list(wb["Luckor"].iter_rows(min_row=2, values_only=True))
    assert (REASON, 140, 0, 140) in gaps
    cells = {(r[0], r[1]): r for r in wb["Celler"].iter_rows(min_row=2, values_only=True)}
    early = cells[("Tidig insats", "7–13 år")]
    assert early[2:5] == (40, 31, None)
    assert early[9] == "Föräldraskapsstöd ABC (40)"
    groups = list(wb["Indata målgrupper"].iter_rows(min_row=2, values_only=True))
    assert ("Barn 7–13 år med riskbeteende", 7, 13, 140, "Socialtjänsten", "Riktad tidig insats") in groups
    assert AuditEntry.objects.filter(action="interventions.map.exported").count() == 1


def test_pdf_export_is_landscape_with_the_gap(world, client):
    from insats.interventions.map import exports, selectors

    mw = build(world)
    from insats.accounts.access import Actor

    actor = Actor(user=world.user("owner", "viewer"), membership=world.membership("owner", "viewer"))
    html = exports.map_pdf_html(selectors.build(selectors.inputs(actor)), world.orgs["owner"])
    assert "A4 landscape" in html and REASON in html and mw.group.name in html
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("interventions:map_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def _add_interventions(world, n: int, start: int = 0):
    from decimal import Decimal

    from insats.interventions.catalogue.models import Intervention, InterventionFunding, InterventionReach
    from insats.interventions.catalogue.selectors import age_bands_for
    from insats.situation.models_plans import Factor

    org = world.orgs["owner"]
    bands = age_bands_for(org.pk)
    factor = Factor.objects.first()
    for k in range(start, start + n):
        i = Intervention.objects.create(
            organisation=org,
            name=f"Insats {k}",
            intensity=["allmant", "tidig", "riktad", "behandling"][k % 4],
            capacity_per_year=10 + k,
            annual_budget=Decimal(100000 + k),
        )
        i.age_bands.set(bands[k % 3 : k % 3 + 2])
        i.providers.set([world.orgs["partner"]])
        if factor:
            i.factors.set([factor])
        InterventionFunding.objects.create(intervention=i, funder=org, year=2025, amount=1000)
        InterventionReach.objects.create(intervention=i, year=2025, participants=5, age_band=bands[k % 3])


def test_query_count_does_not_grow_with_interventions(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build(world)
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    _add_interventions(world, 3)
    client.get(reverse("interventions:map"))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("interventions:map"), {"colour": "cost"}).status_code == 200
    _add_interventions(world, 40, start=3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("interventions:map"), {"colour": "cost"})
    assert "Insats 42" in response.content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
