"""Swedish identifiers: organisationsnummer and official area codes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ORGNR_RE = re.compile(r"^(\d{6})-?(\d{4})$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def normalise_org_number(value: str) -> str:
    """Return ``NNNNNN-NNNN`` or raise ValidationError with a translated message."""
    match = ORGNR_RE.match((value or "").strip())
    if not match:
        raise ValidationError(
            _("Organisationsnumret ska ha formen NNNNNN-NNNN (tio siffror)."), code="format"
        )
    digits = match.group(1) + match.group(2)
    if int(digits[2]) < 2:
        raise ValidationError(
            _("Den tredje siffran i ett organisationsnummer är alltid 2 eller högre."), code="third_digit"
        )
    if not luhn_ok(digits):
        raise ValidationError(_("Kontrollsiffran i organisationsnumret stämmer inte."), code="checksum")
    return f"{match.group(1)}-{match.group(2)}"


def validate_org_number(value: str) -> None:
    normalise_org_number(value)


def validate_area_code(kind: str, code: str) -> None:
    """Kommun: four digits (Tomelilla 1270); region: two digits (Skåne 12)."""
    if kind == "kommun" and not re.fullmatch(r"\d{4}", code or ""):
        raise ValidationError({"area_code": _("En kommun ska ha en fyrsiffrig kommunkod, t.ex. 1270.")})
    if kind == "region" and not re.fullmatch(r"\d{2}", code or ""):
        raise ValidationError({"area_code": _("En region ska ha en tvåsiffrig länskod, t.ex. 12.")})
    if kind not in ("kommun", "region") and code:
        raise ValidationError({"area_code": _("Endast kommuner och regioner har en områdeskod.")})
