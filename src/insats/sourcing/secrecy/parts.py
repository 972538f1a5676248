"""The protocol between a document and the secrecy mechanism (sekretessprövning, OSL).

A document that can be asked for (an RFI response; later a bid) implements
``secrecy_parts() -> list[SecrecyPart]`` and ``secrecy_title() -> str``. The mechanism records an
individual assessment per part and produces the redacted copy from the same parts, so the copy
omits exactly what was decided secret — whatever the document is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecrecyPart:
    key: str  # stable within the document, e.g. "answer-17"
    label: str  # what the part is, e.g. the question's text
    text: str  # the content as handed out when not secret
    requested: bool = False  # the sender asked for secrecy on this part
    reason: str = ""  # the sender's reasons
