"""The kinds of document a secrecy assessment can be made of.

A kind names the model (which implements ``secrecy_parts()`` / ``secrecy_title()`` of
:mod:`.parts`), the ability needed to read the document, and which documents of the model can be
asked for at all (a draft response was never received, so it is no allmän handling). The
organisation that holds the document — and so owns its assessments — is the document's recipient
(``access_recipient_lookup``: the buyer that received a response or, later, a bid).

Tenders add theirs with :func:`register` (issue 11 item 7) — no other change is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from insats.accounts.access import recipient_id


@dataclass(frozen=True)
class DocumentKind:
    key: str
    model_label: str  # "sourcing.RfiResponse"
    view_ability: str  # who may read the document itself
    label: object  # shown to people
    available: Q = field(default_factory=Q)  # which documents can be asked for
    requested: Q | None = None  # those whose sender asked for secrecy on a part (for the worklist)
    detail_url: str = ""  # URL name (kwarg pk) of the document's own page, if any

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def queryset(self):
        return self.model._default_manager.filter(self.available)

    def holder_id(self, obj) -> int | None:
        """The organisation that holds (received) the document."""
        return recipient_id(obj)


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.key] = kind
    return kind


def get(key: str) -> DocumentKind | None:
    return KINDS.get(key)


def kind_of(obj) -> DocumentKind | None:
    label = obj._meta.label
    return next((k for k in KINDS.values() if k.model_label == label), None)


register(
    DocumentKind(
        key="rfi_response",
        model_label="sourcing.RfiResponse",
        view_ability="rfi.response.view",
        label=_("Svar på marknadsdialog"),
        available=~Q(status="draft"),
        requested=Q(answers__secrecy_requested=True),
    )
)
