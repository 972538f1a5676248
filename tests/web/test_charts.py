import re
from xml.etree import ElementTree

from hypothesis import example, given
from hypothesis import strategies as st

from insats.platform import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


@example(lo=0.0, span=1e-05)  # found by CI: ticks 2.5e-06 apart were rounded unevenly
@given(st.floats(-1e7, 1e7), st.floats(0, 1e7))
def test_ticks_cover_the_range_in_even_steps(lo, span):
    hi = lo + span
    ticks = charts.nice_ticks(lo, hi)
    assert ticks[0] <= lo + 1e-6 * max(1, abs(lo)) and ticks[-1] >= hi - 1e-6 * max(1, abs(hi))
    steps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert max(steps) - min(steps) <= 1e-6 * max(steps)


def test_numbers_are_written_the_swedish_way():
    assert charts.fmt(1234567) == "1\u00a0234\u00a0567"
    assert charts.fmt(-12.25, 2) == "−12,25"
    assert charts.fmt(0.5) == "0,5"


def test_line_chart_is_an_accessible_image_without_style_attributes():
    svg = charts.line_chart(
        [charts.Series("Tomelilla <kommun>", [(2015, 200.0), (2016, None), (2017, 210.0), (2018, 215.0)])],
        band=charts.Band("Prognos 95 %", [(2019, 210.0, 225.0), (2020, 208.0, 232.0)]),
        title="Meritvärde åk 9",
        desc="Tomelilla 2015–2018 med prognos",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}desc").get("id") == desc_id
    assert "style=" not in svg and "<script" not in svg
    # The missing 2016 value splits the line in two; the band is one polygon.
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}polygon")) == 1
    assert "Tomelilla &lt;kommun&gt;" in svg


def test_strip_chart_marks_and_names_the_highlighted_area():
    values = [(f"K{i}", float(i)) for i in range(290)]
    svg = charts.strip_chart(values, highlight="K7", title="t", desc="d", higher_is_better=True)
    root = parse(svg)
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 290
    marked = [c for c in circles if c.get("r") == "7"]
    assert len(marked) == 1
    assert any(t.text == "K7" for t in root.iter(f"{SVG}text"))


def test_tornado_bars_span_low_to_high():
    svg = charts.hbar_chart([("Effekt", -5.0, 10.0), ("Pris", 2.0, 3.0)], title="t", desc="d")
    widths = [float(r.get("width")) for r in parse(svg).findall(f"{SVG}rect")]
    assert widths[0] > widths[1] * 10


def test_histogram_has_one_bar_per_bin():
    svg = charts.histogram([0, 1, 2, 3], [5, 0, 2], title="t", desc="d", marker=1.5, marker_label="0")
    assert len(parse(svg).findall(f"{SVG}rect")) == 3
    assert re.search(r'stroke-dasharray="5 3"', str(svg))
