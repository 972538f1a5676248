"""Target groups, cause trees (operations, recently deleted, sharing), results with targets and
progress, turn-the-curve, action plans and the exports.

Progress figures are checked twice: against numbers worked out by hand (written in the test) and
against :func:`insats.core.indicators.target_progress` called directly on the same inputs.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from insats.accounts.access import Actor
from insats.audit.models import AuditEntry
from insats.core import indicators as core
from insats.situation import exports_plans
from insats.situation import services_plans as sp
from insats.situation.models import Area, Indicator, IndicatorSource, Observation, Polarity
from insats.situation.models_plans import (
    ActionItem,
    BbicSide,
    CauseAnalysis,
    CauseNode,
    Factor,
    Level,
    Result,
    TargetGroup,
)
from tests.conftest import login


def actor(world, org="owner", role="analyst"):
    return Actor(user=world.user(org, role), membership=world.membership(org, role))


def node(world, analysis, text, parent=None):
    return sp.node_add(
        actor=actor(world),
        analysis=analysis,
        parent=parent,
        text=text,
        level=Level.FAMILY,
        bbic_side=BbicSide.PARENTAL_CAPACITY,
    )


def shape(analysis) -> list:
    """The live tree as nested (text, [children]) tuples."""

    def walk(items):
        return [(t.node.text, walk(t.children)) for t in items]

    return walk(sp.live_tree(analysis))


@pytest.fixture
def analysis(world):
    return sp.save(
        actor=actor(world),
        obj=CauseAnalysis(organisation=world.orgs["owner"]),
        values={"title": "Varför hög frånvaro?"},
    )


# --------------------------------------------------------------------------- target groups


def test_a_target_group_refuses_a_backwards_age_band_and_a_size_without_source(world):
    tg = TargetGroup(organisation=world.orgs["owner"])
    with pytest.raises(ValidationError) as exc:
        sp.save(
            actor=actor(world), obj=tg, values={"name": "Barn", "age_from": 10, "age_to": 6, "criteria": "x"}
        )
    assert "age_to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        sp.save(
            actor=actor(world),
            obj=TargetGroup(organisation=world.orgs["owner"]),
            values={"name": "Barn", "age_from": 6, "age_to": 10, "criteria": "x", "estimated_size": 120},
        )
    assert "size_source" in exc.value.message_dict
    tg = sp.save(
        actor=actor(world),
        obj=TargetGroup(organisation=world.orgs["owner"]),
        values={
            "name": "Barn 6–10",
            "age_from": 6,
            "age_to": 10,
            "criteria": "x",
            "estimated_size": 120,
            "size_source": "Elevhälsan 2022",
        },
    )
    assert tg.age_band == "6–10"
    assert AuditEntry.objects.filter(action="situation.target_group.created", object_id=str(tg.pk)).exists()


# --------------------------------------------------------------------------- cause trees


def test_the_shared_factor_list_is_seeded_across_levels_and_bbic_sides(db):
    shared = Factor.objects.filter(organisation__isnull=True)
    assert {f.level for f in shared} == set(Level.values)
    assert {f.bbic_side for f in shared} == set(BbicSide.values)
    assert {f.kind for f in shared} == {"risk", "skydd"}
    assert shared.filter(
        name_sv="Missbruk hos förälder", kind="risk", bbic_side="foraldrarnas_formaga"
    ).exists()
    assert shared.filter(name_sv="Stöd från släkt och nätverk", kind="skydd").exists()


def test_tree_operations_add_move_indent_outdent(world, analysis):
    a, b, c = (node(world, analysis, t) for t in "ABC")
    node(world, analysis, "A1", parent=a)
    assert shape(analysis) == [("A", [("A1", [])]), ("B", []), ("C", [])]
    sp.node_move(actor=actor(world), node=c, direction="up")
    assert shape(analysis) == [("A", [("A1", [])]), ("C", []), ("B", [])]
    sp.node_move(actor=actor(world), node=c, direction="indent")  # under A, after A1
    assert shape(analysis) == [("A", [("A1", []), ("C", [])]), ("B", [])]
    sp.node_move(actor=actor(world), node=c, direction="up")
    assert shape(analysis) == [("A", [("C", []), ("A1", [])]), ("B", [])]
    sp.node_move(actor=actor(world), node=c, direction="outdent")  # right after A
    assert shape(analysis) == [("A", [("A1", [])]), ("C", []), ("B", [])]
    b.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        sp.node_move(actor=actor(world), node=b, direction="down")
    assert "direction" in exc.value.message_dict
    with pytest.raises(ValidationError):
        sp.node_move(actor=actor(world), node=a, direction="indent")
    with pytest.raises(ValidationError):
        sp.node_move(actor=actor(world), node=a, direction="outdent")
    assert AuditEntry.objects.filter(action="situation.cause_node.moved").count() == 4


def test_delete_moves_a_subtree_to_recently_deleted_and_restore_brings_it_back(world, analysis):
    a = node(world, analysis, "A")
    node(world, analysis, "B")
    a1 = node(world, analysis, "A1", parent=a)
    node(world, analysis, "A1x", parent=a1)
    assert sp.node_delete(actor=actor(world), node=a) == 3
    assert shape(analysis) == [("B", [])]
    assert [n.text for n in sp.recently_deleted(analysis)] == ["A"]
    assert CauseNode.objects.filter(analysis=analysis).count() == 4  # nothing is gone for good
    sp.node_restore(actor=actor(world), node=CauseNode.objects.get(pk=a.pk))
    assert shape(analysis) == [("B", []), ("A", [("A1", [("A1x", [])])])]
    # a child whose parent is deleted comes back at the top level
    sp.node_delete(actor=actor(world), node=CauseNode.objects.get(pk=a1.pk))
    sp.node_delete(actor=actor(world), node=CauseNode.objects.get(pk=a.pk))
    sp.node_restore(actor=actor(world), node=CauseNode.objects.get(pk=a1.pk))
    assert shape(analysis) == [("B", []), ("A1", [("A1x", [])])]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"situation.cause_node.deleted", "situation.cause_node.restored"} <= actions


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["up", "down", "indent", "outdent", "delete", "restore", "add"]),
            st.integers(0, 20),
        ),
        max_size=25,
    )
)
def test_any_sequence_of_operations_keeps_the_tree_consistent(world, ops):
    an = sp.save(
        actor=actor(world), obj=CauseAnalysis(organisation=world.orgs["owner"]), values={"title": "P"}
    )
    for t in "ABCD":
        node(world, an, t)
    for op, k in ops:
        live = [x.node for x in sp.flatten(sp.live_tree(an))]
        if op == "add":
            node(world, an, f"n{k}", parent=live[k % len(live)] if live else None)
        elif op == "restore":
            gone = sp.recently_deleted(an)
            if gone:
                sp.node_restore(actor=actor(world), node=gone[k % len(gone)])
        elif live:
            target = CauseNode.objects.get(pk=live[k % len(live)].pk)
            try:
                if op == "delete":
                    sp.node_delete(actor=actor(world), node=target)
                else:
                    sp.node_move(actor=actor(world), node=target, direction=op)
            except ValidationError:
                pass
        # invariants: live siblings numbered 0..n-1, every live node reachable from a root once
        live_nodes = list(CauseNode.objects.filter(analysis=an, deleted_at__isnull=True))
        by_parent = {}
        for n in live_nodes:
            by_parent.setdefault(n.parent_id, []).append(n.position)
        for positions in by_parent.values():
            assert sorted(positions) == list(range(len(positions)))
        reachable = [x.node.pk for x in sp.flatten(sp.live_tree(an))]
        assert len(reachable) == len(set(reachable))
        hidden = {n.pk for n in live_nodes} - set(reachable)
        for pk in hidden:  # only under a deleted ancestor
            cur = CauseNode.objects.get(pk=pk)
            while cur.parent_id and cur.deleted_at is None:
                cur = cur.parent
            assert cur.deleted_at is not None


# --------------------------------------------------------------------------- sharing


def test_an_invited_partner_reads_and_edits_the_tree_and_an_unrelated_org_sees_nothing(
    client, world, analysis
):
    a = node(world, analysis, "Svag anknytning till skolan")
    detail = reverse("situation:cause_detail", args=[analysis.pk])
    add = reverse("situation:cause_node_add", args=[analysis.pk])
    login(client, world.user("partner", "analyst"), world.orgs["partner"])
    assert client.get(detail).status_code == 404  # a partnership alone shares nothing
    share = sp.cause_share(actor=actor(world), analysis=analysis, organisation=world.orgs["partner"])
    assert share.purpose == "orsaksanalys"
    assert client.get(detail).status_code == 200
    response = client.post(
        add,
        {
            "text": "Föräldrars egen skolerfarenhet",
            "level": "familj",
            "bbic_side": "foraldrarnas_formaga",
            "parent": a.pk,
        },
    )
    assert response.status_code == 302
    assert shape(analysis) == [("Svag anknytning till skolan", [("Föräldrars egen skolerfarenhet", [])])]
    assert client.get(reverse("situation:cause_edit", args=[analysis.pk])).status_code == 403
    assert client.get(reverse("situation:cause_share", args=[analysis.pk])).status_code == 403
    assert analysis.title in client.get(reverse("situation:cause_list")).content.decode()

    login(client, world.user("unrelated", "admin"), world.orgs["unrelated"])
    assert client.get(detail).status_code == 404
    assert (
        client.post(add, {"text": "x", "level": "familj", "bbic_side": "familj_och_miljo"}).status_code == 404
    )
    assert analysis.title not in client.get(reverse("situation:cause_list")).content.decode()

    sp.cause_unshare(actor=actor(world), analysis=analysis, share=share)
    login(client, world.user("partner", "analyst"), world.orgs["partner"])
    assert client.get(detail).status_code == 404
    assert {"situation.cause_analysis.shared", "situation.cause_analysis.unshared"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_a_viewer_of_the_owner_reads_but_cannot_change_the_tree(client, world, analysis):
    a = node(world, analysis, "A")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(reverse("situation:cause_detail", args=[analysis.pk])).content.decode()
    assert "A" in page and "Flytta" not in page
    response = client.post(
        reverse("situation:cause_node_move", args=[analysis.pk, a.pk]), {"direction": "down"}
    )
    assert response.status_code == 403


def test_the_delete_page_asks_first_and_names_what_goes(client, world, analysis):
    a = node(world, analysis, "Ekonomisk utsatthet")
    node(world, analysis, "Trångboddhet", parent=a)
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    url = reverse("situation:cause_node_delete", args=[analysis.pk, a.pk])
    page = client.get(url).content.decode()
    assert "Ekonomisk utsatthet" in page and "1 underliggande orsak" in page
    assert shape(analysis) != []  # GET removed nothing
    client.post(url)
    assert shape(analysis) == []
    page = client.get(reverse("situation:cause_detail", args=[analysis.pk])).content.decode()
    assert "Nyligen borttagna" in page and "Ekonomisk utsatthet" in page


def test_admins_extend_the_factor_list_for_their_organisation(client, world):
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    data = {
        "name_sv": "Långa skolresor",
        "kind": "risk",
        "level": "samhalle",
        "bbic_side": "familj_och_miljo",
    }
    assert client.post(reverse("situation:factor_list"), data).status_code == 403
    login(client, world.user("owner", "admin"), world.orgs["owner"])
    assert client.post(reverse("situation:factor_list"), data).status_code == 302
    f = Factor.objects.get(name_sv="Långa skolresor")
    assert f.organisation == world.orgs["owner"]
    assert f in sp.factors_for(world.orgs["owner"]) and f not in sp.factors_for(world.orgs["unrelated"])
    assert client.post(reverse("situation:factor_list"), data | {"name_sv": "Mobbning"}).status_code == 200


# --------------------------------------------------------------------------- results and progress


@pytest.fixture
def absence(world):
    """Own indicator, lower is better: 2020 10.0, 2021 9.5, 2022 9.0 (Tomelilla, total)."""
    ind = Indicator.objects.create(
        code="FRV",
        title_sv="Hög frånvaro",
        unit="procent",
        polarity=Polarity.LOWER_BETTER,
        source=IndicatorSource.OWN,
        organisation=world.orgs["owner"],
    )
    area = Area.objects.get(code="1270")
    for year, value in [(2020, "10.0"), (2021, "9.5"), (2022, "9.0")]:
        Observation.objects.create(
            indicator=ind, area=area, period=year, value=Decimal(value), source=IndicatorSource.OWN
        )
    result = sp.save(
        actor=actor(world),
        obj=Result(organisation=world.orgs["owner"]),
        values={"title": "Ökad skolnärvaro och förbättrade skolresultat", "goal_area": "Skola"},
    )
    ri = sp.result_indicator_add(actor=actor(world), result=result, indicator=ind, area=area)
    return result, ri


def test_progress_towards_a_relative_target_worked_by_hand(world, absence):
    result, ri = absence
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20")
    )
    fig = sp.result_figures(result)[0]
    tf = fig.targets[0]
    # baseline 10.0; −20 % → 8.0; current 9.0 in 2022: achieved (9−10)/(8−10) = 0.5,
    # elapsed (2022−2020)/(2024−2020) = 0.5 → on track; path value 10 + (8−10)·0.5 = 9.0.
    assert tf.baseline == pytest.approx(10.0) and tf.value == pytest.approx(8.0)
    assert (tf.current_year, tf.current) == (2022, pytest.approx(9.0))
    assert tf.achieved == pytest.approx(0.5) and tf.elapsed == pytest.approx(0.5)
    assert tf.path_value == pytest.approx(9.0) and tf.on_track is True and tf.status == "on_track"
    # Theil–Sen: every pairwise slope is −0.5, so the 2024 forecast is 8.0 and the band has no width.
    assert fig.trend.slope == pytest.approx(-0.5)
    f2024 = next(p for p in fig.forecasts if p.year == 2024)
    assert (f2024.value, f2024.lower, f2024.upper) == (pytest.approx(8.0),) * 3
    assert tf.projected == pytest.approx(8.0)


# Baseline 2021 is 9.5: absolute −1.5 → 8.0; value 7 → 7.0; relative −10 % → 9.5 · 0.9 = 8.55.
@pytest.mark.parametrize(
    "kind, amount, target_value", [("absolute", "-1.5", 8.0), ("value", "7", 7.0), ("relative", "-10", 8.55)]
)
def test_progress_equals_the_cores_target_progress(world, absence, kind, amount, target_value):
    result, ri = absence
    sp.target_add(actor=actor(world), ri=ri, baseline_year=2021, year=2025, kind=kind, amount=Decimal(amount))
    tf = sp.result_figures(result)[0].targets[0]
    assert tf.value == pytest.approx(target_value)
    expected = core.target_progress(9.5, tf.value, 9.0, 2021, 2025, 2022)
    assert tf.achieved == pytest.approx(float(expected["achieved"]))
    assert tf.elapsed == pytest.approx(float(expected["elapsed"]))
    assert tf.path_value == pytest.approx(float(expected["path_value"]))
    assert tf.on_track == bool(expected["on_track"])


def test_missing_data_is_named_not_guessed(world, absence):
    result, ri = absence
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2022, year=2025, kind="relative", amount=Decimal("-20")
    )
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2015, year=2026, kind="relative", amount=Decimal("-20")
    )
    by_year = {t.target.year: t for t in sp.result_figures(result)[0].targets}
    assert by_year[2025].value == pytest.approx(7.2) and by_year[2025].achieved is None
    assert "efter basåret 2022" in by_year[2025].problem and by_year[2025].status == "unknown"
    assert by_year[2026].value is None and "basåret 2015" in by_year[2026].problem


def test_a_target_must_come_after_its_baseline_and_not_twice_a_year(world, absence):
    _, ri = absence
    with pytest.raises(ValidationError) as exc:
        sp.target_add(
            actor=actor(world), ri=ri, baseline_year=2024, year=2024, kind="relative", amount=Decimal("-20")
        )
    assert "year" in exc.value.message_dict
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20")
    )
    with pytest.raises(ValidationError) as exc:
        sp.target_add(
            actor=actor(world), ri=ri, baseline_year=2021, year=2024, kind="value", amount=Decimal("5")
        )
    assert "year" in exc.value.message_dict


def test_an_action_plan_row_is_added_and_changed_through_the_pages(client, world, absence):
    result, _ = absence
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    url = reverse("situation:action_add", args=[result.pk])
    data = {
        "action": "Närvaroteam på skolorna",
        "owner_organisation": world.orgs["partner"].pk,
        "responsible": "Rektor Lind",
        "start": "2024-08-15",
        "end": "2024-06-01",
        "status": "planned",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Slutdatum ligger före startdatum" in response.content.decode()
    assert client.post(url, data | {"end": "2025-06-15"}).status_code == 302
    item = ActionItem.objects.get(result=result)
    assert (item.owner_organisation, item.end) == (world.orgs["partner"], datetime.date(2025, 6, 15))
    client.post(
        reverse("situation:action_edit", args=[item.pk]), data | {"end": "2025-06-15", "status": "ongoing"}
    )
    item.refresh_from_db()
    assert item.status == "ongoing"
    page = client.get(reverse("situation:result_detail", args=[result.pk])).content.decode()
    assert "Närvaroteam på skolorna" in page and "Pågår" in page
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    assert client.post(reverse("situation:action_delete", args=[item.pk])).status_code == 403
    login(client, world.user("unrelated", "analyst"), world.orgs["unrelated"])
    assert client.get(reverse("situation:result_detail", args=[result.pk])).status_code == 404


def test_the_result_page_shows_chart_table_and_turn_the_curve(client, world, absence):
    result, ri = absence
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20")
    )
    sp.turn_the_curve_save(
        actor=actor(world),
        ri=ri,
        story="Frånvaron steg när fritidsgården stängde.",
        partners="RISE, föreningslivet",
        what_works="Tidig kontakt med hemmet",
    )
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(reverse("situation:result_detail", args=[result.pk])).content.decode()
    assert "<svg" in page and "Målbana 2024" in page and "Prognosintervall 95 %" in page
    assert "fritidsgården stängde" in page and "I fas" in page
    assert "50 %" in page  # achieved and elapsed share, both 0.5


def test_the_excel_export_holds_the_figures_targets_and_plan(world, absence):
    result, ri = absence
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20")
    )
    sp.save(
        actor=actor(world),
        obj=ActionItem(result=result),
        values={
            "action": "Läxhjälp",
            "owner_organisation": world.orgs["owner"],
            "responsible": "Samordnare",
            "start": datetime.date(2024, 1, 1),
            "end": datetime.date(2024, 12, 31),
        },
    )
    wb = load_workbook(io.BytesIO(exports_plans.result_xlsx(result)))
    assert wb.sheetnames == ["Resultat", "Indikatorer", "Mål", "Vända kurvan", "Aktivitetsplan"]
    assert wb["Resultat"]["B1"].value == "Ökad skolnärvaro och förbättrade skolresultat"
    observed = {r[4]: r[5] for r in wb["Indikatorer"].iter_rows(min_row=2, values_only=True)}
    assert observed[2020] == pytest.approx(10.0) and observed[2022] == pytest.approx(9.0)
    target = list(wb["Mål"].iter_rows(min_row=2, values_only=True))[0]
    assert (target[2], target[3], target[4], target[7]) == (
        2020,
        pytest.approx(10.0),
        2024,
        pytest.approx(8.0),
    )
    assert target[10] == pytest.approx(0.5) and target[13] == "ja"
    assert list(wb["Aktivitetsplan"].iter_rows(min_row=2, values_only=True))[0][:3] == (
        "Läxhjälp",
        "Tomelilla kommun",
        "Samordnare",
    )


def test_the_pdf_export_is_a_pdf_of_the_result(client, world, absence):
    result, ri = absence
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20")
    )
    html = exports_plans.result_pdf_html(result)
    assert (
        "Ökad skolnärvaro" in html and "<svg" in html and ">8,0<" in html
    )  # the target value 10 · (1 − 0,20) = 8, Swedish format, one decimal
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    response = client.get(reverse("situation:result_pdf", args=[result.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    from weasyprint import HTML

    assert len(HTML(string=html).render().pages) >= 1


def test_trend_of_a_percentage_indicator_is_in_percentage_points_in_the_page_language(client, world, absence):
    """Values 10,0; 9,5; 9,0 → Theil–Sen slope median(−0,5, −0,5, −0,5) = −0,5 per year; the
    indicator is in procent, so the slope is in procentenheter (percentage points)."""
    result, _ri = absence
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    url = reverse("situation:result_detail", args=[result.pk])
    sv = client.get(url, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "lutning \u22120,50 procentenheter per år" in sv
    client.cookies["django_language"] = "en"
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "\u22120.50 percentage points" in en and "\u22120,50" not in en


def test_the_subnav_shows_only_links_the_user_may_open_and_marks_the_current_page(client, world):
    import re

    url = reverse("situation:plan_home")
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(url).content.decode()
    nav = html.split('<nav class="subnav"')[1].split("</nav>")[0]
    assert reverse("situation:import_start") not in nav  # viewers may not import
    assert reverse("situation:result_list") in nav
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
    assert current == [url]
    assert "situation/subnav.css" in html
    client.logout()
    login(client, world.user("owner", "analyst"), world.orgs["owner"])
    nav = client.get(reverse("situation:import_start")).content.decode().split('<nav class="subnav"')[1]
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav.split("</nav>")[0])
    assert current == [reverse("situation:import_start")]


@pytest.mark.parametrize(
    "kind, amount, text",
    [
        ("relative", "-22", "\u221222 %"),
        ("relative", "-12.50", "\u221212,5 %"),
        ("absolute", "-1.5", "\u22121,5 procentenheter"),  # the indicator is in procent
        ("value", "7.25", "7,25 procent"),
    ],
)
def test_target_amount_is_written_with_swedish_minus_and_sensible_decimals(
    world, absence, kind, amount, text
):
    result, ri = absence
    sp.target_add(actor=actor(world), ri=ri, baseline_year=2021, year=2025, kind=kind, amount=Decimal(amount))
    assert sp.result_figures(result)[0].targets[0].amount_text == text


def test_a_target_off_the_path_shows_a_warning_badge(client, world, absence):
    # baseline 2020 = 10.0, target 2024 value 6 → path in 2022 is 8.0; current 9.0 is behind.
    result, ri = absence
    sp.target_add(actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="value", amount=Decimal("6"))
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("situation:result_detail", args=[result.pk])).content.decode()
    assert '<span class="badge badge-warn">Efter målbanan</span>' in html
    assert "situation/plans.css" in html


def test_method_notes_introduce_the_function_names_with_a_sentence(client, world, absence):
    result, ri = absence
    sp.target_add(
        actor=actor(world), ri=ri, baseline_year=2020, year=2024, kind="relative", amount=Decimal("-20")
    )
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    html = client.get(reverse("situation:result_detail", args=[result.pk]), HTTP_ACCEPT_LANGUAGE="sv").content
    html = html.decode()
    assert (
        "Beräknat av Insats beräkningskärna, funktionen <code>insats.core.indicators.target_progress</code>."
        in html
    )
    assert (
        "funktionerna <code>insats.core.indicators.theil_sen</code> och "
        "<code>insats.core.indicators.forecast</code>" in html
    )
    # every module name in the page is introduced by that sentence
    assert html.count("insats.core.") == html.count("<code>insats.core.")


@pytest.mark.parametrize(
    "end, status, overdue",
    [
        ("2026-03-09", "ongoing", True),  # ended yesterday, still ongoing
        ("2026-03-09", "planned", True),
        ("2026-03-10", "ongoing", False),  # ends today: not yet late
        ("2026-03-09", "done", False),
        ("2026-03-09", "cancelled", False),
    ],
)
def test_overdue_actions_are_past_their_end_date_and_not_done(end, status, overdue):
    item = ActionItem(start=datetime.date(2026, 1, 1), end=datetime.date.fromisoformat(end), status=status)
    assert item.overdue_on(datetime.date(2026, 3, 10)) is overdue


def test_an_overdue_action_shows_a_forsenad_badge(client, world, absence):
    from django.utils import timezone

    result, _ = absence
    today = timezone.localdate()
    common = {"result": result, "owner_organisation": world.orgs["owner"], "responsible": "R"}
    ActionItem.objects.create(
        action="Sen",
        start=today - datetime.timedelta(days=60),
        end=today - datetime.timedelta(days=1),
        status="ongoing",
        **common,
    )
    ActionItem.objects.create(
        action="I tid", start=today, end=today + datetime.timedelta(days=30), status="ongoing", **common
    )
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(reverse("situation:result_detail", args=[result.pk])).content.decode()
    rows = {r.split("</td>")[0].split(">")[-1]: r for r in page.split('<tr class="action-row">')[1:]}
    assert 'class="badge badge-overdue">Försenad<' in rows["Sen"]
    assert "Försenad" not in rows["I tid"].split("</tr>")[0]
    assert '<td class="date">' in rows["Sen"]


def test_factor_sources_are_named_by_their_documents_not_by_seed_numbers(client, world):
    from insats.situation.models_plans import Factor

    shared = Factor.objects.filter(organisation__isnull=True)
    assert not shared.filter(source__startswith="Frö").exists()
    assert shared.filter(source__startswith="Tomelilla kommun, RFI").exists()
    login(client, world.user("owner", "viewer"), world.orgs["owner"])
    page = client.get(reverse("situation:factor_list")).content.decode()
    assert "Frö 0" not in page and "Helsingborgs stad, Föreningssamverkan och IOP (2024)" in page
    assert Factor(name_sv="x", source="").source_label == "Insats standardlista"
