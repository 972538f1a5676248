"""PDF and Excel exports of the lägesbild: they open, hold the page's figures, name their sources,
say "demodata", and are logged as ``situation.exported``."""

from __future__ import annotations

import contextlib
import io
import re
import zlib

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from insats.audit.models import AuditEntry
from insats.core import indicators as core
from insats.situation import lagesbild
from insats.situation.lagesbild import DEFAULT_CODES
from insats.situation.models import Area

from . import test_lagesbild as shared
from .test_lagesbild import CODES, core_json, peer_codes

# the module-wide demo database and logged-in clients of test_lagesbild
demo_db = shared.demo_db
client_as = shared.client_as

pytestmark = pytest.mark.django_db


def pdf_chunks(pdf: bytes) -> list[bytes]:
    """The file and every Flate-compressed stream in it (WeasyPrint packs objects into streams)."""
    chunks = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(m.group(1)))
    return chunks


def pdf_title(pdf: bytes) -> str:
    """The document title from the PDF's Info dictionary (WeasyPrint writes <title> there)."""
    for chunk in pdf_chunks(pdf):
        m = re.search(rb"/Title\s*<([0-9A-Fa-f]+)>", chunk)
        if m:
            raw = bytes.fromhex(m.group(1).decode())
            return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
        m = re.search(rb"/Title\s*\((.*?)\)", chunk)
        if m:
            return m.group(1).decode("latin-1")
    raise AssertionError("no /Title in the PDF")


def page_count(pdf: bytes) -> int:
    """Page objects, counting inside compressed object streams too."""
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", c)) for c in pdf_chunks(pdf))


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (float(w), float(h))
        for c in pdf_chunks(pdf)
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", c)
    ]


def test_pdf_opens_is_a4_and_names_the_area(client_as):
    before = AuditEntry.objects.filter(action="situation.exported").count()
    response = client_as("owner", "viewer").get(reverse("situation:export_pdf"), {"area": "1270"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="lagesbild-tomelilla.pdf"' in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 20_000  # 8 indicators, 16 charts
    assert pdf_title(pdf) == "Lägesbild: Tomelilla"
    pages = page_count(pdf)
    assert pages >= 2
    # A4 = 595.28 × 841.89 pt
    boxes = media_boxes(pdf)
    assert len(boxes) == pages
    assert all(abs(w - 595.28) < 1 and abs(h - 841.89) < 1 for w, h in boxes)
    entry = AuditEntry.objects.filter(action="situation.exported").order_by("-seq").first()
    assert AuditEntry.objects.filter(action="situation.exported").count() == before + 1
    assert entry.changes["format"] == "pdf" and entry.object_label == "Tomelilla"
    # Nothing chosen: the export holds what the page opens on, the curated default (issue 13 item 2).
    assert sorted(entry.changes["indicators"]) == sorted(c for c in DEFAULT_CODES if c in CODES)


def test_pdf_html_holds_figures_sources_and_demo_notice(client_as, demo_db):
    """The PDF is rendered from this HTML: check its text (the PDF itself stores glyph ids)."""
    from django.template.loader import render_to_string

    from insats.situation import exports, views_lagesbild

    translation.activate("sv")  # an earlier request in this thread may have left English active
    area = Area.objects.get(code="1270")
    lb = lagesbild.build(area, organisation=demo_db.orgs["owner"])
    ctx = {  # what export_pdf gives the template
        "area": area,
        "lb": lb,
        "sections": [(n, [(f, views_lagesbild.chart_pair(lb, f)) for f in figs]) for n, figs in lb.sections],
        "method_notes": exports.method_notes(lb),
    }
    html = render_to_string("situation/lagesbild_pdf.html", ctx)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "DEMODATA." in text
    year, out = core_json("N15505", "1270", peers=peer_codes(area), covariates=lagesbild.SCHOOL_COVARIATES)
    r = out.ranks[0].areas[0]
    assert f"Rang {r.rank} av {r.n} kommuner, kvartil {r.quartile}." in text
    assert "Metod och källor" in text and "Theil–Sen" in text
    assert html.count('role="img"') == 2 * len(CODES)
    # the split by gender ends cleanly where Totalt (listed last) is left out
    assert "; ." not in text and "; </p>" not in html
    assert re.search(r"Flickor/kvinnor: [\d,−]+; Pojkar/män: [\d,−]+\.", text)
    # rows never split across pages, numbers never wrap
    css = html.split("<style>")[1].split("</style>")[0]
    assert re.search(r"tr \{[^}]*page-break-inside: avoid", css)
    assert re.search(r"td\.num[^{]*\{[^}]*white-space: nowrap", css)


def test_excel_has_figures_observations_and_method(client_as):
    response = client_as("partner", "analyst").get(
        reverse("situation:export_xlsx"), {"area": "1270", "ind": ["N15505", "DEMO13", "DEMO23"]}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Nyckeltal", "Observationer", "Metod"]
    ws = wb["Nyckeltal"]
    assert ws["A1"].value.startswith("DEMODATA")
    header = [c.value for c in ws[2]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"N15505", "DEMO13", "DEMO23"}
    area = Area.objects.get(code="1270")
    year, out = core_json("N15505", "1270", peers=peer_codes(area), covariates=lagesbild.SCHOOL_COVARIATES)
    merit = rows["N15505"]
    assert merit["År"] == year
    assert merit["Rang bland alla kommuner"] == out.ranks[0].areas[0].rank
    assert merit["Kvartil (1 = bästa 25 %)"] == 4
    assert merit["Rang i gruppen"] == out.peers[0].rank
    assert merit["Avvikelse från modellberäknat värde"] == pytest.approx(out.expected[0].areas[0].residual)
    assert merit["Kvartil efter avvikelse"] == 4
    assert merit["Prognos"] == pytest.approx(out.trends[0].forecasts[-1].value)
    assert "Demodata" in merit["Källa (värden)"]
    assert rows["DEMO23"]["Rang bland alla kommuner"] is None  # neutral: not ranked
    obs = list(wb["Observationer"].iter_rows(min_row=2, values_only=True))
    merit_t = [r for r in obs if r[0] == "N15505" and r[2] == "Tomelilla" and r[4] == "T"]
    assert len(merit_t) == 16  # 2010–2025
    assert {r[4] for r in obs if r[0] == "N15505" and r[2] == "Tomelilla"} == {"T", "K", "M"}
    assert any(r[2] == "Riket" for r in obs)
    notes = dict(wb["Metod"].iter_rows(min_row=2, values_only=True))
    assert "DEMODATA" in notes and "Trend och prognos" in notes and "Röjandeskydd" in notes
    assert "Liknande kommuner, barn och unga, Tomelilla (demo)" in notes["Jämförelsegrupp"]
    assert AuditEntry.objects.filter(action="situation.exported", changes__format="xlsx").exists()


def test_exports_need_the_export_ability(client_as, demo_db, monkeypatch):
    from insats.accounts import access

    monkeypatch.setitem(access.RULES, "situation.export", access.rule({"admin"}, {"any"}))
    c = client_as("owner", "viewer")
    assert c.get(reverse("situation:export_pdf"), {"area": "1270"}).status_code == 403
    assert c.get(reverse("situation:export_xlsx"), {"area": "1270"}).status_code == 403
    assert c.get(reverse("situation:home"), {"area": "1270"}).status_code == 200


def test_core_agrees_with_itself_on_the_export_quartile():
    """Guard for the quartile convention the exports label (1 = best 25 %)."""
    r = core.rank_areas([4.0, 3.0, 2.0, 1.0], True)
    assert list(r.quartile) == [1, 2, 3, 4]


def test_method_notes_introduce_function_names(demo_db):
    from insats.situation import exports

    translation.activate("sv")
    area = Area.objects.get(code="1270")
    notes = dict(exports.method_notes(lagesbild.build(area, organisation=demo_db.orgs["owner"])))
    assert notes["Rang och kvartil"].endswith(
        "Beräknat av Insats beräkningskärna, funktionen insats.core.indicators.rank_areas."
    )
    assert (
        "funktionerna insats.core.indicators.theil_sen och insats.core.indicators.forecast."
        in (notes["Trend och prognos"])
    )
    for text in notes.values():  # no bare module name without the sentence
        assert text.count("insats.core.") <= text.count("funktion") * 3
