"""How a method note names the code that computed a figure: a Swedish sentence, then the
function's full name (kept for traceability: anyone can look the function up in the source)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def computed_by_text(*functions: str) -> str:
    """ "Beräknat av Insats beräkningskärna, funktionen insats.core.indicators.target_progress." """
    names = " " + _("och") + " "
    return ngettext(
        "Beräknat av Insats beräkningskärna, funktionen %(names)s.",
        "Beräknat av Insats beräkningskärna, funktionerna %(names)s.",
        len(functions),
    ) % {"names": names.join(functions)}


def computed_by_html(*functions: str) -> SafeString:
    """The same sentence with each function name in ``<code>``."""
    codes = format_html_join(" " + _("och") + " ", "<code>{}</code>", ((f,) for f in functions))
    sentence = ngettext(
        "Beräknat av Insats beräkningskärna, funktionen %(names)s.",
        "Beräknat av Insats beräkningskärna, funktionerna %(names)s.",
        len(functions),
    )
    before, _sep, after = sentence.partition("%(names)s")
    return format_html("{}{}{}", before, codes, after)
