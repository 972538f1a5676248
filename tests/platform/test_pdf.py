"""Every PDF is tagged for accessibility: WeasyPrint's PDF/UA-1 variant (issue 8, item 19)."""

from __future__ import annotations

import ast
import contextlib
import re
import zlib
from pathlib import Path

from insats.situation.exports import pdf_from_html

SRC = Path(__file__).resolve().parents[2] / "src" / "insats"


def _readable(pdf: bytes) -> bytes:
    """The file with its compressed (object) streams inflated, so dictionaries can be searched."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream))
    return b"\n".join(parts)


def test_a_pdf_has_a_structure_tree_and_is_marked():
    html = (
        '<html lang="sv"><head><title>Lägesbild</title></head>'
        "<body><h1>Rubrik</h1><p>1 234,5</p></body></html>"
    )
    pdf = _readable(pdf_from_html(html))
    assert b"/StructTreeRoot" in pdf
    assert b"/MarkInfo" in pdf and b"/Marked true" in pdf
    assert b"pdfuaid" in pdf  # the PDF/UA identification in the XMP metadata


def test_every_pdf_goes_through_the_one_helper():
    """Only insats.platform.pdf calls WeasyPrint's write_pdf, so no PDF escapes the variant."""
    callers = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "write_pdf":
                callers.append(str(path.relative_to(SRC)))
    assert callers == ["platform/pdf.py"]
