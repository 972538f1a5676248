"""The catalogue settings (public listing switch, own age bands and methods) and the public listing
as a page and as JSON: off → 404, on → no personal data, reach with small counts suppressed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from insats.accounts.access import Actor
from insats.audit.models import AuditEntry
from insats.core.disclosure import determinable_cells
from insats.interventions.catalogue.models import AgeBand, CatalogueSettings, Method
from insats.interventions.sharing import services
from tests.conftest import login

from .sharing_data import CONTACT_PERSON, SECRET_NAME, STAFF_PROFESSION, add_reach, make_intervention

pytestmark = pytest.mark.django_db


def admin(world) -> Actor:
    return Actor(user=world.user("owner", "admin"), membership=world.membership("owner", "admin"))


def page_url(org):
    return reverse("interventions:public_listing", args=[org.pk])


def api_url(org):
    return f"/api/v1/interventions/public/{org.pk}"


def test_the_listing_is_off_until_switched_on_and_then_shows_no_personal_data(world, client):
    org = world.orgs["owner"]
    make_intervention(org)
    # Off (no settings row yet, and an explicit off): 404 on the page and problem+json on the API.
    assert client.get(page_url(org)).status_code == 404
    response = client.get(api_url(org))
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    CatalogueSettings.objects.create(organisation=org, public_listing=False)
    assert client.get(page_url(org)).status_code == 404

    login(client, world.user("owner", "admin"), org)
    response = client.post(reverse("interventions:catalogue_settings"), {"public_listing": "on"})
    assert response.status_code == 302
    assert CatalogueSettings.objects.get(organisation=org).public_listing is True
    entry = AuditEntry.objects.get(action="interventions.catalogue.public_listing_on")
    assert entry.organisation == org and entry.changes == {"public_listing": [False, True]}
    settings_page = client.get(reverse("interventions:catalogue_settings")).content.decode()
    assert page_url(org) in settings_page  # the settings page links to the listing
    client.logout()

    html = client.get(page_url(org)).content.decode()
    assert SECRET_NAME in html and "Eget föräldraprogram" in html
    assert "7–13 år" in html and "Riktad tidig insats" in html
    # An intervention's e-mail is often a person's own address: never published.
    for private in (
        CONTACT_PERSON,
        "familjestod@tomelilla.test",
        "0417-123 45",
        STAFF_PROFESSION,
        "1 250 000",
    ):
        assert private not in html
    data = json.loads(client.get(api_url(org)).content)
    assert data["organisation_id"] == org.pk and data["interventions"][0]["name"] == SECRET_NAME
    text = json.dumps(data, ensure_ascii=False)
    for private in (
        CONTACT_PERSON,
        "familjestod@tomelilla.test",
        "0417",
        STAFF_PROFESSION,
        "1250000",
        "budget",
    ):
        assert private not in text

    # Switching off again: gone, audited.
    login(client, world.user("owner", "admin"), org)
    client.post(reverse("interventions:catalogue_settings"), {})
    assert AuditEntry.objects.filter(action="interventions.catalogue.public_listing_off").count() == 1
    client.logout()
    assert client.get(page_url(org)).status_code == 404
    assert client.get(api_url(org)).status_code == 404


def test_saving_the_same_setting_writes_no_audit_entry(world):
    org = world.orgs["owner"]
    services.public_listing_set(actor=admin(world), organisation=org, on=True)
    services.public_listing_set(actor=admin(world), organisation=org, on=True)
    assert AuditEntry.objects.filter(action__startswith="interventions.catalogue.").count() == 1


def test_reach_is_published_only_above_the_threshold_and_not_derivable(world, client):
    org = world.orgs["owner"]
    services.public_listing_set(actor=admin(world), organisation=org, on=True)
    a = make_intervention(org, name="Insats A")
    b = make_intervention(org, name="Insats B")
    # By hand: A has 3 (7–13) and 20 (14–18); B has 10 and 12. The 3 is under 5 and hidden; its
    # row total 23 and column total 13 would give it away, so more cells must go.
    add_reach(a, 2025, {7: 3, 14: 20})
    add_reach(b, 2025, {7: 10, 14: 12})
    add_reach(b, 2024, {7: 99})  # an older year is not published
    data = json.loads(client.get(api_url(org)).content)
    reach = data["reach"]
    assert reach["year"] == 2025 and reach["min_count"] == 5
    assert reach["rows"] == ["Insats A", "Insats B"]
    col = reach["columns"].index("7–13 år")
    assert reach["cells"][0][col] is None  # the 3
    shown = [v for row in reach["cells"] for v in row if v is not None]
    shown += [
        v for v in reach["row_totals"] + reach["column_totals"] + [reach["grand_total"]] if v is not None
    ]
    assert all(v >= 5 for v in shown)
    assert 3 not in shown and 99 not in shown
    # Nothing hidden can be recomputed from what is shown (the same linear check as the core's).
    r, c = len(reach["rows"]), len(reach["columns"])
    hidden = np.zeros((r + 1, c + 1), dtype=bool)
    for i in range(r):
        for j in range(c):
            hidden[i, j] = reach["cells"][i][j] is None
        hidden[i, c] = reach["row_totals"][i] is None
    for j in range(c):
        hidden[r, j] = reach["column_totals"][j] is None
    hidden[r, c] = reach["grand_total"] is None
    assert hidden[0, col] and not determinable_cells(hidden).any()
    # The page shows the same table.
    html = client.get(page_url(org)).content.decode()
    assert "Deltagare 2025" in html and ">3<" not in html


def test_own_age_bands_are_validated(world, client):
    org = world.orgs["owner"]
    a = admin(world)
    six = services.age_band_save(actor=a, organisation=org, label="6–10 år", age_from=6, age_to=10)
    with pytest.raises(ValidationError) as exc:
        services.age_band_save(actor=a, organisation=org, label="10–12 år", age_from=10, age_to=12)
    assert "age_from" in exc.value.message_dict and "6–10 år" in exc.value.message_dict["age_from"][0]
    with pytest.raises(ValidationError) as exc:
        services.age_band_save(actor=a, organisation=org, label="Fel", age_from=14, age_to=11)
    assert "age_to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.age_band_save(actor=a, organisation=org, label="6–10 ÅR", age_from=11, age_to=12)
    assert "label" in exc.value.message_dict
    eleven = services.age_band_save(actor=a, organisation=org, label="11–15 år", age_from=11, age_to=15)
    assert [b.label for b in services.own_age_bands(org)] == ["6–10 år", "11–15 år"]
    # Changing a band keeps the others' ages out of it (itself excluded).
    services.age_band_save(actor=a, organisation=org, band=six, label="6–10 år", age_from=5, age_to=10)
    six.refresh_from_db()
    assert six.age_from == 5
    # In use: not removed; unused: removed. Each change is audited.
    intervention = make_intervention(org)
    intervention.age_bands.add(eleven)
    with pytest.raises(ValidationError):
        services.age_band_delete(actor=a, organisation=org, band=eleven)
    services.age_band_delete(actor=a, organisation=org, band=six)
    assert list(AgeBand.objects.filter(organisation=org)) == [eleven]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"interventions.age_band.created", "interventions.age_band.changed"} <= actions
    assert "interventions.age_band.removed" in actions

    # Through the pages: a bad form names the field and saves nothing; another org's band is 404.
    login(client, world.user("owner", "admin"), org)
    response = client.post(reverse("interventions:age_band_add"), {"label": "X", "age_from": 9, "age_to": 3})
    assert response.status_code == 200 and "Åldern till får inte vara lägre" in response.content.decode()
    assert AgeBand.objects.filter(organisation=org).count() == 1
    theirs = AgeBand.objects.create(organisation=world.orgs["unrelated"], label="0–5", age_from=0, age_to=5)
    assert client.get(reverse("interventions:age_band_edit", args=[theirs.pk])).status_code == 404
    default = AgeBand.objects.filter(organisation__isnull=True).first()
    assert client.post(reverse("interventions:age_band_delete", args=[default.pk])).status_code == 404
    assert client.get(reverse("interventions:age_band_delete", args=[eleven.pk])).status_code == 200
    assert (
        client.post(reverse("interventions:age_band_delete", args=[eleven.pk])).status_code == 200
    )  # in use
    assert AgeBand.objects.filter(pk=eleven.pk).exists()


def test_own_methods(world, client):
    org = world.orgs["owner"]
    a = admin(world)
    with pytest.raises(ValidationError) as exc:
        services.method_save(actor=a, organisation=org, name="komet")  # the shared list has Komet
    assert "name" in exc.value.message_dict
    m = services.method_save(actor=a, organisation=org, name="Tomelillas föräldrastöd", url="https://x.test/")
    services.method_save(actor=a, organisation=org, method=m, name="Tomelillas familjestöd")
    m.refresh_from_db()
    assert m.name == "Tomelillas familjestöd" and m.organisation == org
    login(client, world.user("owner", "admin"), org)
    assert (
        "Tomelillas familjestöd" in client.get(reverse("interventions:catalogue_settings")).content.decode()
    )
    make_intervention(org, method=m)
    assert client.post(reverse("interventions:method_delete", args=[m.pk])).status_code == 200  # in use
    assert Method.objects.filter(pk=m.pk).exists()
    other = services.method_save(actor=a, organisation=org, name="Oanvänd")
    assert client.post(reverse("interventions:method_delete", args=[other.pk])).status_code == 302
    assert not Method.objects.filter(pk=other.pk).exists()
    shared = Method.objects.filter(organisation__isnull=True).first()
    assert client.get(reverse("interventions:method_edit", args=[shared.pk])).status_code == 404
