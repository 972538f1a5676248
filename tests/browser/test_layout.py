"""Issue 8, item 23: at 1280×800 the ledger and audit tables fit the window, chart axis titles keep
clear of the tick labels, and the tornado's labels are not cut off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from insats.platform import charts
from tests.browser.conftest import session_cookie_for

VIEWPORT = {"width": 1280, "height": 800}

BOXES = """(sel) => [...document.querySelectorAll(sel)].map(e => {
  const r = e.getBoundingClientRect();
  const spans = [...e.querySelectorAll('tspan')].map(s => s.textContent);
  return {text: spans.length ? spans.join(' ') : e.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
})"""


# Chosen by how the chart draws them (not by class names), so the test also reads older charts:
# the rotated text is the axis title, muted unrotated texts are tick labels, ink texts bar labels.
AXIS_TITLE = "svg text[transform]"
TICKS = f'svg text[fill="{charts.MUTED}"]:not([transform])'
BAR_LABELS = f'svg text[fill="{charts.INK}"]'


def _overlap(a, b) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


@pytest.fixture
def wide(chromium):
    ctx = chromium.new_context(viewport=VIEWPORT, locale="sv-SE")
    yield ctx
    ctx.close()


def _show(wide, svg) -> object:
    page = wide.new_page()
    # The chart as on a page: 100 % of the 1104 px content column.
    page.set_content(f'<html><body><div id="c" style="width:1104px">{svg}</div></body></html>')
    return page


@pytest.mark.parametrize(
    ("values", "y_label"),
    [
        ([1_600_000, 1_450_000, 300_000, 0, 0], "kr"),
        ([12_500_000, 3_000_000, 45_000_000], "kronor per period"),
        ([0.5, 1.25, 3.75], "procentenheter"),
    ],
)
def test_axis_title_is_clear_of_the_tick_labels(wide, values, y_label):
    svg = charts.line_chart(
        [charts.Series("Utestående kapital", [(2021 + i, v) for i, v in enumerate(values)])],
        title="t",
        desc="d",
        y_label=y_label,
    )
    page = _show(wide, svg)
    frame = page.evaluate(BOXES, "svg")[0]
    title = page.evaluate(BOXES, AXIS_TITLE)
    ticks = page.evaluate(BOXES, TICKS)
    assert title and len(ticks) >= 4
    for tick in ticks:
        assert not _overlap(title[0], tick), (title[0], tick)
        # and no tick label is cut off at the chart's edges
        assert frame["l"] - 0.5 <= tick["l"] and tick["r"] <= frame["r"] + 0.5, (tick, frame)
    assert frame["l"] - 0.5 <= title[0]["l"]


def test_tornado_labels_are_whole_and_inside_the_chart(wide):
    rows = [
        ("Förväntad effekt", 30_000_000, 58_000_000),
        ("Kostnad för en placering i familjehem eller HVB per år utan insatsen", 35_000_000, 50_000_000),
        ("Andel av barnen i målgruppen som fullföljer insatsen", 38_000_000, 47_000_000),
    ]
    page = _show(wide, charts.hbar_chart(rows, title="t", desc="d", center=43_000_000))
    frame = page.evaluate(BOXES, "svg")[0]
    labels = page.evaluate(BOXES, BAR_LABELS)
    assert [" ".join(lb["text"].split()) for lb in labels] != []
    shown = [" ".join(lb["text"].replace("\n", " ").split()) for lb in labels]
    assert shown == [r[0] for r in rows]  # every word of every label is drawn
    for label in labels + page.evaluate(BOXES, TICKS):
        assert frame["l"] - 0.5 <= label["l"] and label["r"] <= frame["r"] + 0.5, (label, frame)
    # labels do not run into each other
    for a, b in zip(labels, labels[1:], strict=False):
        assert a["b"] <= b["t"] + 0.5, (a, b)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert width == VIEWPORT["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for table in page.evaluate(BOXES, "main table"):
        assert table["r"] <= width, table
    # the table stays inside the content column, too
    main = page.evaluate(BOXES, "main")[0]
    for table in page.evaluate(BOXES, "main table"):
        assert table["r"] <= main["r"] + 0.5, (table, main)


def test_ledger_table_fits_1280(bworld, wide, live_server):
    from tests.contracts.test_payments import approve_all
    from tests.contracts.test_results_world import make_contract

    contract = make_contract(bworld)
    approve_all(bworld, contract)
    wide.add_cookies([session_cookie_for(live_server, bworld.user("owner", "analyst"), bworld.orgs["owner"])])
    page = wide.new_page()
    page.goto(live_server.url + reverse("contracts:ledger", args=[contract.pk]))
    page.locator("#ledger-table").wait_for()
    _fits(page)


def test_audit_table_fits_1280_even_with_long_unbroken_text(bworld, wide, live_server):
    from insats.audit.services import log_action

    log_action(
        "contract.update",
        actor=bworld.user("owner", "analyst"),
        organisation=bworld.orgs["owner"],
        object_type="contracts.contract",
        object_id="1",
        object_label="Utfallskontrakt-" + "x" * 120,
        changes={"reference": ["a" * 90, "b" * 90], "note": "ö" * 200},
    )
    wide.add_cookies([session_cookie_for(live_server, bworld.user("owner", "admin"), bworld.orgs["owner"])])
    page = wide.new_page()
    page.goto(live_server.url + reverse("audit:search"))
    page.locator("main table").wait_for()
    _fits(page)
