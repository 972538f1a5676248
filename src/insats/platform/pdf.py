"""Every PDF Insats makes: WeasyPrint's PDF/UA-1 variant, so the file is tagged for accessibility
(a structure tree, ``/MarkInfo << /Marked true >>``, the document language and title) and screen
readers can read the tables and headings of an invoice or a lägesbild in order."""

from __future__ import annotations

PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)
