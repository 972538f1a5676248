"""The redacted copy of a document, as plain data: pure Python, no database.

:func:`redact` takes the document's parts (:class:`~.parts.SecrecyPart`, what the document says
now) and the assessment's decisions per part key, and returns what may be handed out. A part decided
secret becomes the provision's placeholder; a part the assessment did not try (added after it) is
withheld too; a part whose text changed since the assessment makes the copy impossible (a new
assessment is needed). So the copy omits exactly the parts decided secret — and never more text
than was assessed as public.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .parts import SecrecyPart
from .provisions import placeholder

NOT_ASSESSED = "[Uppgiften har inte sekretessprövats och lämnas inte ut]"


@dataclass(frozen=True)
class PartDecision:
    secret: bool
    legal_ground: str = ""
    text_sha256: str = ""  # the part's text when it was assessed ("" = not checked)


@dataclass(frozen=True)
class RedactedPart:
    key: str
    label: str
    text: str
    masked: bool


class DocumentChanged(Exception):
    """A public part's text is not what was assessed."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def redact(parts: Iterable[SecrecyPart], decisions: Mapping[str, PartDecision]) -> list[RedactedPart]:
    out = []
    for part in parts:
        d = decisions.get(part.key)
        if d is None:
            out.append(RedactedPart(part.key, part.label, NOT_ASSESSED, True))
        elif d.secret:
            out.append(RedactedPart(part.key, part.label, placeholder(d.legal_ground), True))
        else:
            if d.text_sha256 and d.text_sha256 != text_digest(part.text):
                raise DocumentChanged(part.key)
            out.append(RedactedPart(part.key, part.label, part.text, False))
    return out
