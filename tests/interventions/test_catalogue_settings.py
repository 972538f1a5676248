"""The catalogue's settings page: own age bands replace the default set, own methods join the list;
each change audited; an age band in use by reach cannot be removed; a removed own method leaves its
name on the interventions that used it (with a new version)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.accounts import access
from insats.audit.models import AuditEntry
from insats.interventions.catalogue import selectors
from insats.interventions.catalogue import services as svc
from insats.interventions.catalogue.models import AgeBand, Intervention, Method
from tests.conftest import login

pytestmark = pytest.mark.django_db
URL = "interventions:catalogue_settings"


def test_admin_adds_own_age_band_which_replaces_the_default(world, client):
    org = world.orgs["owner"]
    login(client, world.user("owner", "admin"), org)
    page = client.get(reverse(URL)).content.decode()
    assert "standardgrupperna" in page
    r = client.post(
        reverse(URL),
        {"action": "band_add", "band-label": "6–10 år", "band-age_from": "6", "band-age_to": "10"},
    )
    assert r.status_code == 302
    assert [b.label for b in selectors.age_bands_for(org.pk)] == ["6–10 år"]
    assert AuditEntry.objects.filter(action="interventions.age_band.created").exists()


def test_bad_age_band_names_the_field(world, client):
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    r = client.post(
        reverse(URL), {"action": "band_add", "band-label": "fel", "band-age_from": "10", "band-age_to": "6"}
    )
    assert r.status_code == 422
    assert "Åldern till får inte vara lägre än åldern från." in r.content.decode()
    assert not AgeBand.objects.filter(organisation=world.orgs["owner"]).exists()


def test_age_band_in_use_by_reach_is_kept(world):
    org = world.orgs["owner"]
    actor = access.Actor(user=world.user("owner", "admin"), membership=world.membership("owner", "admin"))
    band = svc.age_band_add(actor=actor, organisation=org, label="6–10 år", age_from=6, age_to=10)
    svc.save_intervention(
        actor=actor,
        intervention=Intervention(organisation=org),
        values={"name": "X", "intensity": "tidig"},
        rows={"reach": [{"year": 2024, "age_band": band, "participants": 3}]},
    )
    with pytest.raises(svc.ValidationError):
        svc.age_band_delete(actor=actor, band=band)
    assert AgeBand.objects.filter(pk=band.pk).exists()


def test_own_method_added_then_removed_keeps_the_name(world, client):
    org = world.orgs["owner"]
    login(client, world.user("owner", "admin"), org)
    r = client.post(
        reverse(URL),
        {"action": "method_add", "method-name": "Tomelillamodellen", "method-evidence_level": "lovande"},
    )
    assert r.status_code == 302
    method = Method.objects.get(organisation=org, name="Tomelillamodellen")
    dup = client.post(
        reverse(URL), {"action": "method_add", "method-name": "komet", "method-evidence_level": "lovande"}
    )
    assert dup.status_code == 422 and "Metoden finns redan i listan." in dup.content.decode()
    actor = access.Actor(user=world.user("owner", "admin"), membership=world.membership("owner", "admin"))
    i = svc.save_intervention(
        actor=actor,
        intervention=Intervention(organisation=org),
        values={"name": "Y", "intensity": "tidig", "method": method},
    )
    r = client.post(reverse(URL), {"action": "method_delete", "pk": str(method.pk)})
    assert r.status_code == 302
    i.refresh_from_db()
    assert i.method is None and i.method_name == "Tomelillamodellen" and i.versions.count() == 2


def test_only_administrators(world, client):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    assert client.get(reverse(URL)).status_code == 403
