"""Catalogue pages through the Django test client: list with filters and empty state, detail with the
figures, create with a staffing row, a bad row named and nothing saved, history with a diff, delete
with confirmation, the Excel export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from insats.accounts import access
from insats.accounts.models import Share
from insats.audit.models import AuditEntry
from insats.interventions.catalogue import services as svc
from insats.interventions.catalogue.models import AgeBand, Intervention
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _actor(world, org="owner", role="analyst"):
    return access.Actor(user=world.user(org, role), membership=world.membership(org, role))


def _make(world, org="owner", **values):
    return svc.save_intervention(
        actor=_actor(world, org, "admin"),
        intervention=Intervention(organisation=world.orgs[org]),
        values={"intensity": "tidig", **values},
    )


def _management(prefix, total=2, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _post_data(**extra):
    data = {
        "name": "Familjen läser",
        "status": "pagaende",
        "intensity": "allmant",
        "evidence_level": "lovande",
    }
    for prefix in ("staffing", "funding", "reach"):
        data |= _management(prefix)
    data["reach-0-gender"] = data["reach-1-gender"] = "T"
    data["reach-0-source"] = data["reach-1-source"] = "inmatat"
    return data | extra


def test_empty_catalogue_says_so(world, client):
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(reverse("interventions:home")).content.decode()
    assert "Katalogen är tom" in page


def test_list_filters_by_owner_intensity_and_search(world, client):
    _make(world, name="Egen tidig")
    _make(world, name="Egen behandling", intensity="behandling")
    _make(world, "federation", name="Förbundets insats")
    shared = _make(world, "partner", name="Delad insats")
    Share.objects.create(
        content_type_id=__import__("django.contrib.contenttypes.models", fromlist=["ContentType"])
        .ContentType.objects.get_for_model(Intervention)
        .pk,
        object_id=str(shared.pk),
        owner=world.orgs["partner"],
        organisation=world.orgs["owner"],
        purpose="insats",
    )
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    url = reverse("interventions:home")

    def names(**params):
        html = client.get(url, params).content.decode()
        return {
            n for n in ["Egen tidig", "Egen behandling", "Förbundets insats", "Delad insats"] if n in html
        }

    assert names() == {"Egen tidig", "Egen behandling", "Förbundets insats", "Delad insats"}
    assert names(owner="own") == {"Egen tidig", "Egen behandling"}
    assert names(owner="federation") == {"Förbundets insats"}
    assert names(owner="shared") == {"Delad insats"}
    assert names(intensity="behandling") == {"Egen behandling"}
    assert names(q="förbund") == {"Förbundets insats"}
    assert "Inga insatser matchar filtren" in client.get(url, {"q": "finns inte"}).content.decode()


def test_create_with_a_staffing_row_writes_version_and_redirects(world, client):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    band = AgeBand.objects.get(organisation=None, label="3–6 år")
    data = _post_data(
        age_bands=[str(band.pk)],
        **{"staffing-0-profession": "Bibliotekarie", "staffing-0-people": "2", "staffing-0-fte": "0,5"},
    )
    r = client.post(reverse("interventions:intervention_create"), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    i = Intervention.objects.get(name="Familjen läser")
    assert i.organisation == world.orgs["owner"]
    assert [(s.profession, s.people, s.fte) for s in i.staffing.all()] == [
        ("Bibliotekarie", 2, Decimal("0.50"))
    ]
    assert list(i.age_bands.all()) == [band]
    assert i.versions.get().number == 1
    detail = client.get(r["Location"]).content.decode()
    assert "Bibliotekarie" in detail and "Lovande" in detail
    assert "Uppföljningar eller mindre studier" in detail  # the evidence scale's help


def test_a_bad_row_is_named_and_nothing_is_saved(world, client):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    audit = AuditEntry.objects.count()
    data = _post_data(**{"staffing-1-profession": "Socionom", "staffing-1-people": "1"})  # no FTE
    r = client.post(reverse("interventions:intervention_create"), data)
    assert r.status_code == 422
    assert "Bemanning, rad 2: Årsarbetskrafter:" in r.content.decode()
    assert not Intervention.objects.exists() and AuditEntry.objects.count() == audit


def test_edit_keeps_rows_and_history_shows_the_change(world, client):
    i = svc.save_intervention(
        actor=_actor(world),
        intervention=Intervention(organisation=world.orgs["owner"]),
        values={"name": "Komet", "intensity": "riktad", "status": "planerad"},
        rows={"staffing": [{"profession": "Psykolog", "people": 1, "fte": Decimal("1")}]},
    )
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    form_page = client.get(reverse("interventions:intervention_edit", args=[i.pk])).content.decode()
    assert 'value="Psykolog"' in form_page
    data = _post_data(name="Komet", intensity="riktad", status="pagaende", evidence_level="ej_bedomd")
    data |= _management("staffing", total=3, initial=1)
    data |= {"staffing-0-profession": "Psykolog", "staffing-0-people": "1", "staffing-0-fte": "1"}
    r = client.post(reverse("interventions:intervention_edit", args=[i.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert i.versions.count() == 2 and i.staffing.count() == 1
    history = client.get(reverse("interventions:intervention_history", args=[i.pk])).content.decode()
    assert "Ändringar från version 1 till version 2" in history
    assert "Planerad" in history and "Pågående" in history


def test_other_roles_and_organisations(world, client):
    i = _make(world, name="Egen")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    assert client.get(reverse("interventions:intervention_edit", args=[i.pk])).status_code == 403
    client.logout()
    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert client.get(reverse("interventions:intervention_detail", args=[i.pk])).status_code == 404
    assert client.get(reverse("interventions:intervention_history", args=[i.pk])).status_code == 404


def test_delete_confirms_then_deletes(world, client):
    i = _make(world, name="Borttagen")
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    url = reverse("interventions:intervention_delete", args=[i.pk])
    page = client.get(url).content.decode()
    assert "1 sparad version" in page
    assert client.post(url).status_code == 302
    assert not Intervention.objects.filter(pk=i.pk).exists()


def test_excel_export_lists_the_filtered_catalogue(world, client):
    from openpyxl import load_workbook

    _make(world, name="Med i exporten", capacity_per_year=25)
    _make(world, name="Utfiltrerad", intensity="behandling")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    r = client.get(reverse("interventions:catalogue_xlsx"), {"intensity": "tidig"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Namn" and [row[0] for row in rows[1:]] == ["Med i exporten"]
    assert rows[1][9] == 25
    assert AuditEntry.objects.filter(action="interventions.catalogue.exported").exists()


def test_a_forbunds_form_offers_its_member_municipalities_first(world):
    from insats.accounts import services as account_services
    from insats.accounts.models import Organisation
    from insats.interventions.catalogue.forms import area_choices

    federation = world.orgs["federation"]
    habo = Organisation.objects.create(
        name="Habo kommun", org_number="212000-1611", kind="kommun", area_code="0643"
    )
    account_services.federation_set_member(actor=None, federation=federation, member=habo, financing_share=5)
    codes = list(area_choices(federation).values_list("code", flat=True)[:2])
    assert sorted(codes) == [
        "0643",
        "1270",
    ]  # Habo and Tomelilla (the world's member), before Ale, Alingsås …
    assert list(area_choices(world.orgs["unrelated"]).values_list("code", flat=True)[:1]) != ["0643"]


def test_history_compares_any_two_versions(world, client):
    i = _make(world, name="Tre versioner", status="planerad")
    actor = _actor(world, "owner", "admin")
    svc.save_intervention(actor=actor, intervention=i, values={"status": "pagaende"})
    svc.save_intervention(actor=actor, intervention=i, values={"capacity_per_year": 12})
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    url = reverse("interventions:intervention_history", args=[i.pk])
    latest = client.get(url).content.decode()
    assert "Ändringar från version 2 till version 3" in latest and "Platser per år" in latest
    both = client.get(url, {"a": "1", "b": "3"}).content.decode()
    assert "Ändringar från version 1 till version 3" in both
    assert "Planerad" in both and "Platser per år" in both
