"""Issue 8, item 23: the invoice basis PDF's column headers are never broken inside a word (nor spill
into the next column). Checked on WeasyPrint's own layout of the real document."""

from __future__ import annotations

import pytest

from insats.contracts import exports
from insats.contracts.models import PartyRole, PaymentLine
from tests.contracts.test_payments_pages import running  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _boxes(box):
    yield box
    for child in getattr(box, "children", []) or []:
        yield from _boxes(child)


def _texts(box):
    return [b for b in _boxes(box) if type(b).__name__ == "TextBox"]


def _header_cells(html: str):
    from weasyprint import HTML

    doc = HTML(string=html).render()
    for page in doc.pages:
        for box in _boxes(page._page_box):
            if getattr(box, "element_tag", None) == "th" and type(box).__name__ == "TableCellBox":
                lines = [b for b in _boxes(box) if type(b).__name__ == "LineBox"]
                texts = [
                    " ".join(t.text for t in _boxes(line) if type(t).__name__ == "TextBox").strip()
                    for line in lines
                ]
                widths = [max((t.position_x + t.width for t in _texts(line)), default=0) for line in lines]
                yield box, [t for t in texts if t], widths


def test_invoice_pdf_headers_break_only_between_words(world, running):  # noqa: F811
    line = PaymentLine.objects.filter(contract=running, payer__role=PartyRole.PAYER).first()
    html = exports.invoice_html(running, line)
    checked = 0
    for cell, texts, widths in _header_cells(html):
        words = "".join(cell.element.itertext()).split()  # the header as written
        for text in texts:
            for token in text.split():
                assert token in words, f"header {' '.join(words)!r} broken inside a word: {texts}"
        right = cell.content_box_x() + cell.width
        assert all(w <= right + 0.5 for w in widths), f"header {texts} spills out of its column"
        checked += 1
    assert checked >= 9
