"""What can be invited to: kind → (model, the ability needed to invite, share purpose, detail page, hook).

The models are resolved lazily with ``apps.get_model`` so a kind whose model does not exist (yet) is
simply skipped. The default on accept is ``accounts.services.share_create`` (the invited organisation
then sees the object through the ``shared`` relation); a kind may name a hook instead,
``hook(actor, obj, organisation)`` — the IOP adds the organisation as a party.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class InvitationKind:
    key: str
    model_label: str  # "sourcing.Rfi"
    ability: str  # needed on the object to invite to it
    purpose: str  # the share's purpose
    detail_url: str  # URL name taking ``pk``
    label: str = ""
    hook: str = ""  # dotted path of hook(actor, obj, organisation); empty: share_create

    @property
    def model(self):
        """The model class, or None while it does not exist."""
        try:
            return apps.get_model(self.model_label)
        except LookupError:
            return None

    def detail_link(self, obj) -> str:
        """The object's page; the Samverkan start page while the kind has none."""
        try:
            return reverse(self.detail_url, kwargs={"pk": obj.pk})
        except NoReverseMatch:
            return reverse("sourcing:home")

    def hook_function(self):
        if not self.hook:
            return None
        module, name = self.hook.rsplit(".", 1)
        try:
            return getattr(import_module(module), name)
        except (ImportError, AttributeError):
            return None


KINDS: dict[str, InvitationKind] = {
    "rfi": InvitationKind(
        "rfi",
        "sourcing.Rfi",
        "sourcing.invite",
        "Inbjuden till marknadsdialog",
        "sourcing:rfi_detail",
        label=_("marknadsdialogen"),
    ),
    "grant": InvitationKind(
        "grant",
        "sourcing.GrantRound",
        "sourcing.invite",
        "Inbjuden att söka föreningsbidrag",
        "sourcing:grant_round_detail",
        label=_("bidragsomgången"),
    ),
    "iop": InvitationKind(
        "iop",
        "sourcing.IopAgreement",
        "sourcing.invite",
        "Inbjuden till idéburet-offentligt partnerskap",
        "sourcing:iop_detail",
        label=_("partnerskapet (IOP)"),
        hook="insats.sourcing.iop.services.party_join_from_invitation",
    ),
}


def get(kind: str) -> InvitationKind | None:
    """The kind if it is known and its model exists, else None."""
    entry = KINDS.get(kind)
    if entry is None or entry.model is None:
        return None
    return entry


def available() -> list[InvitationKind]:
    return [k for k in KINDS.values() if k.model is not None]


def kind_of(obj) -> InvitationKind | None:
    label = obj._meta.label
    return next((k for k in available() if k.model_label == label), None)
