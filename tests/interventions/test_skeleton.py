"""The app's foundation: the default age bands and method list exist, the matrix helper places an
intervention in every band it covers, and the catalogue page shows only what the actor may see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.accounts import access
from insats.interventions.catalogue import selectors
from insats.interventions.catalogue.models import AgeBand, Intensity, Intervention, Method
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_default_age_bands_follow_seed_003():
    labels = [b.label for b in selectors.age_bands_for(None)]
    assert labels == ["0–2 år", "3–6 år", "7–13 år", "14–18 år", "18–29 år"]
    assert Method.objects.filter(organisation=None, name__startswith="Komet").exists()


def test_own_age_bands_replace_the_default(world):
    org = world.orgs["owner"]
    AgeBand.objects.create(organisation=org, label="6–10 år", age_from=6, age_to=10)
    assert [b.label for b in selectors.age_bands_for(org.pk)] == ["6–10 år"]


def test_matrix_places_an_intervention_in_each_band_it_covers(world):
    bands = selectors.age_bands_for(None)
    i = Intervention.objects.create(
        organisation=world.orgs["owner"], name="Komet", intensity=Intensity.TARGETED
    )
    i.age_bands.set(bands[1:3])
    cells = selectors.matrix(Intervention.objects.prefetch_related("age_bands"), bands)
    assert len(cells) == 4 * 5
    placed = sorted(key for key, items in cells.items() if items)
    assert placed == sorted(
        [(Intensity.TARGETED.value, bands[1].pk), (Intensity.TARGETED.value, bands[2].pk)]
    )


def test_catalogue_lists_own_and_federation_but_not_unrelated(world, client):
    Intervention.objects.create(organisation=world.orgs["owner"], name="Egen insats", intensity="tidig")
    Intervention.objects.create(
        organisation=world.orgs["federation"], name="Förbundets insats", intensity="tidig"
    )
    Intervention.objects.create(organisation=world.orgs["unrelated"], name="Annans insats", intensity="tidig")
    user = world.user("owner", "viewer")
    actor = access.Actor(user=user, membership=world.membership("owner", "viewer"))
    names = set(selectors.visible_interventions(actor).values_list("name", flat=True))
    assert names == {"Egen insats", "Förbundets insats"}
    login(client, user, world.orgs["owner"])
    page = client.get(reverse("interventions:home")).content.decode()
    assert "Förbundets insats" in page and "Annans insats" not in page
