"""The planning demo (seeds 000 and 002): built from the demo organisations, idempotent, and
Helsingborg's −20 % target worked by hand."""

from __future__ import annotations

import pytest

from insats.accounts.demo_data import build_demo
from insats.audit.models import AuditEntry
from insats.situation import services_plans as sp
from insats.situation.demo_plans import build_demo_plans
from insats.situation.models import Indicator, IndicatorSource
from insats.situation.models_plans import ActionItem, CauseAnalysis, CauseNode, Result, TargetGroup


@pytest.fixture
def demo(db):
    build_demo()
    for code in ["DEMO10", "DEMO13", "DEMO14", "DEMO23"]:  # the shared demo indicators, without values
        Indicator.objects.create(code=code, title_sv=code, source=IndicatorSource.DEMO)
    return build_demo_plans()


def test_tomelilla_gets_its_target_group_three_results_and_a_shared_cause_tree(demo):
    tg = TargetGroup.objects.get(organisation__org_number="212000-0886")
    assert (tg.age_from, tg.age_to) == (6, 10)
    results = Result.objects.filter(organisation__org_number="212000-0886")
    assert {r.goal_area for r in results} == {"Familj eller andra nära vuxenrelationer", "Individ", "Skola"}
    analysis = CauseAnalysis.objects.get(organisation__org_number="212000-0886")
    tree = sp.live_tree(analysis)
    assert len(sp.flatten(tree)) == 8 and all(t.node.factor_id for t in sp.flatten(tree))
    assert [s.organisation.name for s in sp.cause_shares(analysis)] == ["RISE Research Institutes of Sweden"]


def test_helsingborgs_absence_target_is_minus_20_percent_with_an_action_plan(demo):
    result = Result.objects.get(organisation__org_number="212000-1157")
    figures = sp.result_figures(result)
    own = next(f for f in figures if f.ri.indicator.code == "HBG-FRV15-SOC")
    tf = own.targets[0]
    # baseline 2023 30.4 → 30.4 · 0.8 = 24.32; 2024: 27.9 → achieved (27.9 − 30.4)/(24.32 − 30.4) = 0.4112,
    # elapsed (2024 − 2023)/(2024 − 2023) = 1 → behind the path.
    assert tf.value == pytest.approx(24.32)
    assert tf.achieved == pytest.approx(2.5 / 6.08) and tf.elapsed == pytest.approx(1.0)
    assert tf.on_track is False
    assert ActionItem.objects.filter(result=result).count() == 4


def test_a_second_run_changes_nothing(demo):
    counts = (Result.objects.count(), CauseNode.objects.count(), ActionItem.objects.count())
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    again = build_demo_plans()
    assert again.created == []
    assert (Result.objects.count(), CauseNode.objects.count(), ActionItem.objects.count()) == counts
    assert AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() == seq
