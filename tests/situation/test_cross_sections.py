"""Stored cross-sections: the page reads them, a change of any observation makes them stale and the
page shows the new figures (never the stored old ones); a fixed number of queries per page; the
curated default selection and the paging of long selections."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from insats.situation import cross_sections, lagesbild
from insats.situation.models import Area, CrossSection, Observation

from . import test_lagesbild as shared

demo_db = shared.demo_db
client_as = shared.client_as
rollback = shared.rollback

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(response.content.decode())))


def test_changing_an_observation_shows_the_new_rank(demo_db, client_as, rollback):
    c = client_as("owner", "viewer")
    url = reverse("situation:home")
    params = {"area": "1270", "ind": ["N15505"]}
    text = _text(c.get(url, params))
    tomelilla = Area.objects.get(code="1270")
    f = lagesbild.build(tomelilla, codes=["N15505"]).figures[0]
    assert f.rank.rank > 1 and f"Rang {f.rank.rank} av {f.rank.n}" in text
    cs = CrossSection.objects.get(indicator__code="N15505", period=f.year, gender="T")
    assert cs.is_fresh
    # any write (here a queryset update, no signals) marks the cross-section stale at once …
    Observation.objects.filter(indicator__code="N15505", area=tomelilla, period=f.year, gender="T").update(
        value=340
    )
    cs.refresh_from_db()
    assert not cs.is_fresh
    # … and the page recomputes it before showing it: Tomelilla now has the best merit value
    text = _text(c.get(url, params))
    assert f"Rang 1 av {f.rank.n}" in text
    cs.refresh_from_db()
    assert cs.is_fresh and cs.data["rank"][cs.data["ids"].index(tomelilla.pk)] == 1


def test_a_covariate_change_makes_the_expected_values_stale(demo_db, rollback):
    tomelilla = Area.objects.get(code="1270")
    before = lagesbild.build(tomelilla, codes=["N15505"]).figures[0].expected
    cov_year = before.covariates[0][2]
    Observation.objects.filter(
        indicator__code="DEMO01", area__code="1270", period=cov_year, gender="T"
    ).update(value=99)
    after = lagesbild.build(tomelilla, codes=["N15505"]).figures[0].expected
    assert after.covariates[0][3] == pytest.approx(99)
    assert after.expected != pytest.approx(before.expected)


def test_deleting_and_inserting_observations_mark_stale_and_the_job_recomputes(demo_db, rollback):
    cross_sections.refresh_stale()
    assert not cross_sections.stale_queryset().exists()
    obs = Observation.objects.filter(indicator__code="DEMO23", area__code="1283", gender="T").latest("period")
    obs.delete()
    stale = cross_sections.stale_queryset()
    assert list(stale.values_list("indicator__code", "period")) == [("DEMO23", obs.period)]
    obs.pk = None
    obs.save()
    from insats.situation.tasks import cross_section_refresh_task

    assert cross_section_refresh_task.call()["written"] > 0
    assert not cross_sections.stale_queryset().exists()


def test_queries_per_page_do_not_grow_with_the_indicators(demo_db, client_as, django_assert_max_num_queries):
    c = client_as("owner", "viewer")
    url = reverse("situation:home")
    c.get(url, {"area": "1270", "ind": shared.CODES})  # cross-sections computed and stored
    with django_assert_max_num_queries(22):
        assert c.get(url, {"area": "1270", "ind": ["N15505"]}).status_code == 200
    with django_assert_max_num_queries(22):
        assert c.get(url, {"area": "1270", "ind": shared.CODES}).status_code == 200
    with django_assert_max_num_queries(22):
        assert c.get(url).status_code == 200  # the default selection


def test_the_page_opens_on_the_curated_default_and_pages_long_selections(demo_db, client_as, monkeypatch):
    c = client_as("owner", "viewer")
    url = reverse("situation:home")
    default = lagesbild.default_codes(None)
    assert default and set(default) <= set(lagesbild.DEFAULT_CODES)
    assert "DEMO01" not in default  # a covariate, not on the default page
    html = c.get(url).content.decode()
    assert html.count('class="lb-indicator"') == len(default)
    assert "förval av" in _text(c.get(url))
    monkeypatch.setattr(lagesbild, "PAGE_SIZE", 3)
    first = c.get(url, {"area": "1270", "ind": shared.CODES})
    text = _text(first)
    assert "Sida 1 av 3" in text and first.content.decode().count('class="lb-indicator"') == 3
    last = c.get(url, {"area": "1270", "ind": shared.CODES, "page": 3})
    assert "Sida 3 av 3" in _text(last) and last.content.decode().count('class="lb-indicator"') == 2
