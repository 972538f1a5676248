"""Business-case pages: the form (prefill, errors on fields), running, the scenario page, compare,
and who sees what."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from insats.accounts.models import BackgroundJob
from insats.contracts import business_case as bc
from insats.contracts.models import BusinessCaseScenario
from tests.conftest import login

from .test_business_case_world import add_unit_cost_data, make_contract

pytestmark = pytest.mark.django_db


def form_data(**over) -> dict:
    data = {
        "name": "Grundscenario",
        "notes": "",
        "baseline_placements": "50",
        "hvb_share": "50",
        "cashable_share": "60",
        "own_costs_per_year": "200000",
        "horizon_years": "6",
        "discount_rate": "3,5",
        "draws": "3000",
        "seed": "42",
        "effect_kind": "pert",
        "effect_low": "5",
        "effect_mode": "20",
        "effect_high": "35",
        "hvb_day_cost_kind": "triangular",
        "hvb_day_cost_low": "4000",
        "hvb_day_cost_mode": "5000",
        "hvb_day_cost_high": "6000",
        "family_home_day_cost_kind": "fixed",
        "family_home_day_cost_value": "1000",
        "days_per_placement_kind": "fixed",
        "days_per_placement_value": "200",
        "days_following_kind": "fixed",
        "days_following_value": "100",
    }
    data.update(over)
    return data


@pytest.fixture
def contract(world):
    return make_contract(world)


def as_(client, world, org="owner", role="analyst"):
    login(client, world.user(org, role), world.orgs[org])
    return client


def post_run(client, contract, django_capture_on_commit_callbacks, **over):
    url = reverse("contracts:business_case_new", kwargs={"pk": contract.pk})
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, form_data(**over))


def test_form_is_prefilled_from_the_lagesbild_with_source_and_year(client, world, contract):
    add_unit_cost_data()
    response = as_(client, world).get(reverse("contracts:business_case_new", kwargs={"pk": contract.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="hvb_day_cost_value" value="5123"' in html
    assert "Förifyllt från lägesbilden" in html and "Tomelilla 2023 (Demodata)" in html
    assert 'name="baseline_placements" value="50"' in html  # the contract's baseline
    assert 'name="discount_rate" value="3,5"' in html and 'name="draws" value="100000"' in html
    for kind in (
        "Likformig",
        "Normalfördelning",
        "Lognormal",
        "Triangelfördelning",
        "PERT",
        "Beta",
        "Diskret",
    ):
        assert kind in html  # each distribution explained


def test_inputs_are_converted_from_the_users_units(
    client, world, contract, django_capture_on_commit_callbacks
):
    response = post_run(as_(client, world), contract, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    s = BusinessCaseScenario.objects.get()
    inputs = s.inputs["scenario"]
    assert inputs["effect"] == {"kind": "pert", "low": 0.05, "mode": 0.2, "high": 0.35, "weight": 4.0}
    assert (inputs["hvb_share"], inputs["cashable_share"], inputs["discount_rate"]) == (0.5, "0.6", "0.035")


def test_errors_are_shown_on_the_fields(client, world, contract):
    c = as_(client, world)
    url = reverse("contracts:business_case_new", kwargs={"pk": contract.pk})
    bad = form_data(effect_kind="triangular", effect_low="30", effect_mode="10", effect_high="20")
    response = c.post(url, bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "need low ≤ mode ≤ high" in errors["effect_kind"][0]
    response = c.post(
        url, form_data(hvb_day_cost_kind="normal", hvb_day_cost_mean="5000", hvb_day_cost_sd="-3")
    )
    assert "hvb_day_cost_sd" in response.context["form"].errors
    response = c.post(
        url, form_data(effect_kind="discrete", effect_values="10; 20", effect_probabilities="0,5; 0,4")
    )
    assert "probabilities must sum to 1" in response.context["form"].errors["effect_kind"][0]
    response = c.post(url, form_data(horizon_years="3"))  # shorter than the five-year contract
    assert "Horisonten" in response.context["form"].errors["horizon_years"][0]
    response = c.post(url, form_data(effect_kind="uniform", effect_low="", effect_high="x"))
    errors = response.context["form"].errors
    assert "effect_low" in errors and "effect_high" in errors
    assert not BusinessCaseScenario.objects.exists()


def test_run_lands_on_the_job_page_which_links_to_the_results(
    client, world, contract, django_capture_on_commit_callbacks
):
    c = as_(client, world)
    response = post_run(c, contract, django_capture_on_commit_callbacks)
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("accounts:job", kwargs={"pk": job.pk})
    s = BusinessCaseScenario.objects.get()
    page = c.get(response["Location"]).content.decode()
    assert reverse("contracts:scenario", kwargs={"pk": contract.pk, "scenario": s.pk}) in page
    html = c.get(job.result["url"]).content.decode()
    mc = s.result["monte_carlo"]
    assert "Tornado" in html and html.count("<svg") >= 4  # three histograms + tornado
    assert "Så räknades det" in html and "3\u00a0000 dragningar, slumpfrö 42" in html
    p = f"{100 * mc['probability_commissioner_saves']:.1f}".replace(".", ",")
    assert f"{p}\u00a0%" in html


def test_compare_two_scenarios_highlights_differences(
    client, world, contract, django_capture_on_commit_callbacks
):
    c = as_(client, world)
    post_run(c, contract, django_capture_on_commit_callbacks)
    first = BusinessCaseScenario.objects.get()
    url = reverse("contracts:business_case_new", kwargs={"pk": contract.pk}) + f"?fran={first.pk}"
    assert 'name="seed" value="42"' in c.get(url).content.decode()  # prefilled from the version
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url, form_data(based_on=str(first.pk), effect_mode="15"))
    second = BusinessCaseScenario.objects.exclude(pk=first.pk).get()
    assert (second.version, second.based_on_id) == (2, first.pk)
    response = c.get(
        reverse("contracts:scenario_compare", kwargs={"pk": contract.pk}), {"s": [first.pk, second.pk]}
    )
    html = response.content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S)
    effect_row = next(r for r in rows if "Förväntad effekt" in r)
    seed_row = next(r for r in rows if "Slumpfrö" in r)
    assert "<mark>" in effect_row and "<mark>" not in seed_row
    assert "mest troligt 15 %" in effect_row and "mest troligt 20 %" in effect_row
    one = c.get(reverse("contracts:scenario_compare", kwargs={"pk": contract.pk}), {"s": [first.pk]})
    assert "Välj två eller tre" in one.content.decode()


def test_a_party_that_may_not_run_sees_results_but_no_form(
    client, world, contract, django_capture_on_commit_callbacks
):
    post_run(as_(client, world), contract, django_capture_on_commit_callbacks)
    s = BusinessCaseScenario.objects.get()
    viewer = as_(client, world, "owner", "viewer")
    assert (
        viewer.get(reverse("contracts:scenario", kwargs={"pk": contract.pk, "scenario": s.pk})).status_code
        == 200
    )
    assert viewer.get(reverse("contracts:business_case_new", kwargs={"pk": contract.pk})).status_code == 403


def test_unrelated_organisations_see_nothing(client, world, contract, django_capture_on_commit_callbacks):
    post_run(as_(client, world), contract, django_capture_on_commit_callbacks)
    s = BusinessCaseScenario.objects.get()
    c = as_(client, world, "unrelated", "admin")
    urls = [
        reverse("contracts:business_case", kwargs={"pk": contract.pk}),
        reverse("contracts:business_case_new", kwargs={"pk": contract.pk}),
        reverse("contracts:scenario", kwargs={"pk": contract.pk, "scenario": s.pk}),
        reverse("contracts:scenario_compare", kwargs={"pk": contract.pk}) + f"?s={s.pk}&s={s.pk}",
    ]
    for url in urls:
        assert c.get(url).status_code == 404, url
    assert c.post(urls[1], form_data()).status_code == 404
    # a scenario of another contract is not reachable through this one
    other = make_contract(world, reference="annat")
    owner = as_(client, world)
    assert (
        owner.get(reverse("contracts:scenario", kwargs={"pk": other.pk, "scenario": s.pk})).status_code == 404
    )


def test_the_job_page_of_a_run_is_the_users_own(client, world, contract, django_capture_on_commit_callbacks):
    post_run(as_(client, world), contract, django_capture_on_commit_callbacks)
    job = BackgroundJob.objects.get()
    other = as_(client, world, "owner", "admin")
    assert other.get(reverse("accounts:job", kwargs={"pk": job.pk})).status_code == 404
    assert bc.DEFAULT_DRAWS == 100_000


def test_a_failed_or_running_scenario_says_so(client, world, contract, django_capture_on_commit_callbacks):
    from insats.accounts.access import Actor

    analyst = Actor(user=world.user("owner", "analyst"), membership=world.membership("owner", "analyst"))
    s = bc.scenario_create(actor=analyst, contract=contract, inputs=_inputs(), name="Väntar")
    c = as_(client, world, "partner", "viewer")
    url = reverse("contracts:scenario", kwargs={"pk": contract.pk, "scenario": s.pk})
    assert "Simuleringen pågår" in c.get(url).content.decode()  # not started yet
    s.inputs["core"]["budget"]["horizon"] = 2  # shorter than the contract: the core refuses it
    BusinessCaseScenario.objects.filter(pk=s.pk).update(inputs=s.inputs)
    with django_capture_on_commit_callbacks(execute=True):
        bc.scenario_start(actor=analyst, scenario=s)
    html = c.get(url).content.decode()
    assert "Körningen misslyckades" in html and "more than horizon 2" in html


def _inputs():
    from .test_business_case_world import scenario_inputs

    return scenario_inputs(draws=500)


def test_break_even_is_worded_by_the_direction_of_the_net():
    """Rising net: the effect needed to break even. Falling net (payments grow faster than the costs
    avoided): where the net turns negative — never 'effect needed to break even'."""
    from insats.contracts.views_business_case import break_even_row

    rising = {"value": 0.05, "low": 0.02, "high": 0.15, "npv_at_low": "-100000", "npv_at_high": "300000"}
    assert break_even_row(rising) == ("Effekt som krävs för att gå jämnt ut", "5 %")
    falling = {"value": 0.05, "low": 0.02, "high": 0.15, "npv_at_low": "100000", "npv_at_high": "-300000"}
    label, text = break_even_row(falling)
    assert "jämnt ut" not in label
    assert text.startswith("Beställarens nettonuvärde minskar när effekten ökar")
    assert text.endswith("nettot blir negativt över 5 %.")
    all_negative = {**falling, "value": None, "npv_at_low": "-1000", "npv_at_high": "-5000"}
    assert "negativt i hela det troliga spannet (2 %–15 %)" in break_even_row(all_negative)[1]
    all_positive = {**falling, "value": None, "npv_at_low": "9000", "npv_at_high": "1000"}
    assert "positivt i hela det troliga spannet" in break_even_row(all_positive)[1]


def test_histogram_axis_labels_fit_the_chart():
    """Every x-axis label lies inside the chart's view box (11 px font, at most ~0.6 em per
    character, centred on its tick) — the last one, 12 500 000, used to be cut off."""
    from insats.contracts.views_business_case import _histogram

    hist = {"edges": [i * 1_200_000 for i in range(11)], "counts": [1, 3, 5, 8, 9, 7, 5, 3, 2, 1]}
    svg = str(_histogram(hist, title="t", desc="d")["svg"])
    width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg).group(1))
    labels = re.findall(r'<text x="([0-9.]+)"[^>]*text-anchor="middle"[^>]*>([^<]+)</text>', svg)
    assert labels and labels[-1][1] == "12\u00a0500\u00a0000"
    for x, text in labels:
        half = len(text) * 11 * 0.6 / 2
        assert float(x) - half >= 0 and float(x) + half <= width, text
