"""The provisions of offentlighets- och sekretesslagen (2009:400, OSL) a registrar may cite when a
part of a document is kept secret. Data, not code: a new provision is one more row here.

``ref`` is what the redacted copy prints ("OSL 31 kap. 16 §"); ``key`` is what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Provision:
    key: str  # stored on the assessment part, e.g. "31:16"
    ref: str  # "31 kap. 16 §"
    label: object  # what the provision protects, in words (lazy translation)

    @property
    def citation(self) -> str:
        return f"OSL {self.ref}"


PROVISIONS: tuple[Provision, ...] = (
    Provision("31:16", "31 kap. 16 §", _("enskilds affärs- eller driftförhållanden")),
    Provision("19:3", "19 kap. 3 §", _("upphandling: anbud och uppgifter i ett upphandlingsärende")),
    Provision("21:1", "21 kap. 1 §", _("uppgift om hälsa eller sexualliv (skydd oavsett sammanhang)")),
    Provision("26:1", "26 kap. 1 §", _("socialtjänst: enskilds personliga förhållanden")),
    Provision(
        "31:12", "31 kap. 12 §", _("affärs- eller driftförhållanden hos den som trätt i affärsförbindelse")
    ),
)
BY_KEY = {p.key: p for p in PROVISIONS}


def provision_choices() -> list[tuple[str, str]]:
    return [(p.key, f"{p.citation} – {p.label}") for p in PROVISIONS]


def placeholder(key: str) -> str:
    """What the redacted copy prints in place of a secret part. The copy is a Swedish public
    document (an allmän handling handed out), so the text is Swedish in every interface language."""
    p = BY_KEY.get(key)
    return f"[Uppgiften omfattas av sekretess enligt {p.citation if p else 'OSL'}]"
