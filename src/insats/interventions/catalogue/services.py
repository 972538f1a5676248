"""Workflows of the catalogue: save an intervention with its rows, delete it, its versions and figures.

* :func:`save_intervention` — create or change an intervention together with its staffing, funding
  and reach rows, in ONE transaction: the fields and every row are checked first (a bad row is named:
  "Bemanning, rad 2: Yrke: …"), then saved, then an :class:`InterventionVersion` (number, a JSON
  snapshot of every field and row, who, when, a short summary) and one audit entry are written.
  Nothing is half-saved.
* :func:`delete_intervention` — audited, with a final snapshot in the audit entry.
* :func:`diff` — what changed between two snapshots, field by field, in plain Swedish.
* :func:`budget_figures`, :func:`reach_table` — the detail page's figures, computed by
  ``insats.core.portfolio`` (shares of the budget, cost per participant).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insats.accounts.models import FederationMember, Organisation, OrganisationKind
from insats.audit.services import log_action
from insats.core import money, portfolio
from insats.platform import formatting

from .models import (
    EvidenceLevel,
    Intensity,
    Intervention,
    InterventionFunding,
    InterventionReach,
    InterventionStaffing,
    InterventionStatus,
    InterventionVersion,
    ReachSource,
)

# The intervention's own fields a service call may set (the owner is set on creation only).
FIELDS = [
    "name",
    "description",
    "provider_names",
    "method",
    "method_name",
    "status",
    "start",
    "end",
    "intensity",
    "domains",
    "evidence_level",
    "evidence_sources",
    "evidence_assessed_on",
    "goals",
    "outcome_measures",
    "capacity_per_year",
    "annual_budget",
    "budget_year",
    "governance_body",
    "contact_name",
    "contact_email",
    "contact_phone",
]
M2M = ["providers", "areas", "age_bands", "factors", "indicators", "results", "target_groups"]
ROW_KINDS = ("staffing", "funding", "reach")
STAFFING_FIELDS = ["profession", "people", "fte", "employer"]
FUNDING_FIELDS = ["funder", "funder_name", "year", "amount"]
REACH_FIELDS = ["year", "area", "gender", "age_band", "participants", "source"]
ROW_MODELS = {"staffing": InterventionStaffing, "funding": InterventionFunding, "reach": InterventionReach}
ROW_FIELDS = {"staffing": STAFFING_FIELDS, "funding": FUNDING_FIELDS, "reach": REACH_FIELDS}
ROW_TITLES = {
    "staffing": gettext_lazy("Bemanning"),
    "funding": gettext_lazy("Finansiering"),
    "reach": gettext_lazy("Räckvidd"),
}
GENDERS = {"T": gettext_lazy("Totalt"), "K": gettext_lazy("Flickor/kvinnor"), "M": gettext_lazy("Pojkar/män")}


def _user(actor):
    return getattr(actor, "user", None)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def field_label(name: str) -> str:
    """The Swedish label of a snapshot key (a field, a list of links or a kind of row)."""
    if name in ROW_KINDS:
        return str(ROW_TITLES[name])
    if name == "organisation":
        return _label(Intervention, "organisation")
    return _label(Intervention, name).capitalize()


# --------------------------------------------------------------------------- snapshot


def _text(value) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row_snapshot(kind: str, row) -> dict:
    out: dict[str, Any] = {}
    for name in ROW_FIELDS[kind]:
        f = row._meta.get_field(name)
        if f.is_relation:
            obj = getattr(row, name)
            out[name] = str(obj) if obj is not None else None
            out[f"{name}_id"] = getattr(row, f.attname)
        else:
            out[name] = _text(getattr(row, name))
    return out


def snapshot(intervention: Intervention) -> dict:
    """Every field of the intervention and every row, as JSON (labels for links, ids beside them)."""
    data: dict[str, Any] = {"organisation": str(intervention.organisation)}
    for name in FIELDS:
        f = Intervention._meta.get_field(name)
        if f.is_relation:
            obj = getattr(intervention, name)
            data[name] = str(obj) if obj is not None else None
            data[f"{name}_id"] = getattr(intervention, f.attname)
        else:
            data[name] = _text(getattr(intervention, name))
    for name in M2M:
        objs = sorted(getattr(intervention, name).all(), key=lambda o: (str(o), o.pk))
        data[name] = [str(o) for o in objs]
        data[f"{name}_ids"] = [o.pk for o in objs]
    for kind in ROW_KINDS:
        rows = getattr(intervention, kind).all().order_by("pk")
        data[kind] = [_row_snapshot(kind, r) for r in rows]
    return data


# --------------------------------------------------------------------------- diff in words


def _display(name: str, value) -> str:
    """A snapshot value in plain Swedish."""
    if value is None or value == "" or value == []:
        return "–"
    if name == "status":
        return str(InterventionStatus(value).label) if value in InterventionStatus.values else value
    if name == "intensity":
        return str(Intensity(value).label) if value in Intensity.values else value
    if name == "evidence_level":
        return str(EvidenceLevel(value).label) if value in EvidenceLevel.values else value
    if name == "domains":
        from insats.situation.models_plans import BbicSide

        return ", ".join(str(BbicSide(v).label) if v in BbicSide.values else v for v in value)
    if name == "annual_budget":
        return formatting.format_money(value)
    if name in ("capacity_per_year",):
        return formatting.format_number(value, 0)
    if name == "budget_year":
        return str(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def row_text(kind: str, row: dict) -> str:
    """One staffing, funding or reach row as a line of Swedish text."""
    if kind == "staffing":
        text = _("%(profession)s: %(people)s personer, %(fte)s årsarbetskrafter") % {
            "profession": row.get("profession") or "–",
            "people": formatting.format_number(row.get("people"), 0),
            "fte": formatting.format_number(row.get("fte"), trim=True),
        }
        if row.get("employer"):
            text += ", " + _("anställda hos %(employer)s") % {"employer": row["employer"]}
        return text
    if kind == "funding":
        return _("%(funder)s år %(year)s: %(amount)s") % {
            "funder": row.get("funder") or row.get("funder_name") or "–",
            "year": row.get("year"),
            "amount": formatting.format_money(row.get("amount")),
        }
    parts = [str(row.get("year")), row.get("area") or _("alla kommuner")]
    parts.append(str(GENDERS.get(row.get("gender"), row.get("gender"))).lower())
    parts.append(row.get("age_band") or _("alla åldrar"))
    return _("%(what)s: %(n)s deltagare") % {
        "what": ", ".join(parts),
        "n": formatting.format_number(row.get("participants"), 0),
    }


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def diff(before: dict | None, after: dict) -> list[Change]:
    """What differs between two snapshots, in the order of the form, with Swedish labels and values."""
    before = before or {}
    out: list[Change] = []
    for name in ["name", *FIELDS[1:], *M2M]:
        old, new = before.get(name), after.get(name)
        if (old or None) != (new or None):
            out.append(Change(name, field_label(name), _display(name, old), _display(name, new)))
    for kind in ROW_KINDS:
        old_rows = [row_text(kind, r) for r in before.get(kind) or []]
        new_rows = [row_text(kind, r) for r in after.get(kind) or []]
        if old_rows != new_rows:
            out.append(
                Change(kind, field_label(kind), "\n".join(old_rows) or "–", "\n".join(new_rows) or "–")
            )
    return out


def summary_of(changes: list[Change], creating: bool) -> str:
    if creating:
        return _("Insatsen skapades.")
    if not changes:
        return _("Inga ändringar.")
    labels = [c.label for c in changes]
    text = _("Ändrat: %(fields)s.") % {"fields": ", ".join(labels)}
    return text[:500]


# --------------------------------------------------------------------------- save


def _row_error(kind: str, index: int, name: str | None, messages) -> str:
    where = _("%(kind)s, rad %(row)s") % {"kind": ROW_TITLES[kind], "row": index + 1}
    if name:
        label = _label(ROW_MODELS[kind], name).capitalize()
        where = f"{where}: {label}"
    return f"{where}: {' '.join(str(m) for m in messages)}"


def _build_rows(intervention: Intervention, rows: dict[str, list[dict]]) -> tuple[dict, list[str], dict]:
    """Unsaved row objects per kind, checked; errors as named lines and per (kind, index) dicts."""
    built: dict[str, list] = {}
    errors: list[str] = []
    by_row: dict[tuple[str, int], dict] = {}
    for kind in ROW_KINDS:
        if kind not in rows:
            continue
        built[kind] = []
        for i, values in enumerate(rows[kind]):
            unknown = set(values) - set(ROW_FIELDS[kind])
            if unknown:
                raise ValueError(f"unknown {kind} fields: {sorted(unknown)}")
            obj = ROW_MODELS[kind](intervention=intervention, **values)
            if kind == "reach" and not obj.gender:
                obj.gender = "T"
            try:
                obj.full_clean(exclude=["intervention"])
                if kind == "reach" and obj.gender not in GENDERS:
                    raise ValidationError({"gender": _("Välj totalt, flickor/kvinnor eller pojkar/män.")})
            except ValidationError as exc:
                by_row[(kind, i)] = exc.message_dict
                for name, messages in exc.message_dict.items():
                    errors.append(_row_error(kind, i, None if name == "__all__" else name, messages))
            built[kind].append(obj)
    return built, errors, by_row


class RowsInvalid(ValidationError):
    """A ValidationError whose ``rows`` maps (kind, index) to that row's {field: [messages]}."""

    def __init__(self, message, rows: dict):
        super().__init__(message)
        self.rows = rows


def save_intervention(
    *,
    actor,
    intervention: Intervention,
    values: dict,
    links: dict | None = None,
    rows: dict[str, list[dict]] | None = None,
) -> Intervention:
    """Create (``intervention.pk`` None; ``organisation`` set) or change an intervention.

    ``values``: fields of :data:`FIELDS`; ``links``: {m2m name: objects} for the lists given (others
    untouched); ``rows``: {"staffing"|"funding"|"reach": [dict of the row's fields]} — a kind given
    replaces all rows of that kind. Raises ValidationError naming the field or the row; then nothing
    is saved."""
    links = links or {}
    rows = rows or {}
    unknown = (set(values) - set(FIELDS)) | (set(links) - set(M2M)) | (set(rows) - set(ROW_KINDS))
    if unknown:
        raise ValueError(f"unknown intervention fields: {sorted(unknown)}")
    creating = intervention.pk is None
    with transaction.atomic():
        if not creating:
            intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
        before = None if creating else snapshot(intervention)
        for name, value in values.items():
            setattr(intervention, name, value)
        if intervention.domains is None:
            intervention.domains = []
        field_errors: dict[str, list] = {}
        try:
            intervention.full_clean(exclude=["organisation"])
        except ValidationError as exc:
            field_errors = exc.message_dict
        built, row_errors, by_row = _build_rows(intervention, rows)
        if field_errors or row_errors:
            errs = dict(field_errors)
            if row_errors:
                errs.setdefault("__all__", []).extend(row_errors)
            raise RowsInvalid(errs, by_row)
        user = _user(actor)
        if creating:
            intervention.created_by = user
        intervention.updated_by = user
        intervention.save()
        for name, objs in links.items():
            getattr(intervention, name).set(objs)
        for kind, objs in built.items():
            ROW_MODELS[kind].objects.filter(intervention=intervention).delete()
            for obj in objs:
                obj.intervention = intervention
                obj.save()
        intervention.refresh_from_db()  # the stored values (Decimal places, dates), not the input
        after = snapshot(intervention)
        changes = diff(before, after)
        if not creating and not changes:
            return intervention
        number = (intervention.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        InterventionVersion.objects.create(
            intervention=intervention,
            number=number,
            data=after,
            summary=summary_of(changes, creating),
            changed_by=user,
        )
        log_action(
            f"interventions.intervention.{'created' if creating else 'changed'}",
            actor=user,
            organisation=intervention.organisation,
            obj=intervention,
            changes={"version": number, "fields": [c.field for c in changes]},
        )
    return intervention


def delete_intervention(*, actor, intervention: Intervention) -> None:
    """Delete the intervention with its rows and versions; the audit entry keeps the last snapshot."""
    with transaction.atomic():
        log_action(
            "interventions.intervention.deleted",
            actor=_user(actor),
            organisation=intervention.organisation,
            obj=intervention,
            changes={"snapshot": snapshot(intervention)},
        )
        intervention.delete()


def what_goes_with(intervention: Intervention) -> dict[str, int]:
    """What a deletion removes with the intervention (shown on the confirmation page)."""
    return {
        "staffing": intervention.staffing.count(),
        "funding": intervention.funding.count(),
        "reach": intervention.reach.count(),
        "versions": intervention.versions.count(),
    }


# --------------------------------------------------------------------------- figures


@dataclass
class FunderShare:
    label: str
    amount: Decimal
    share: Decimal
    members: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)  # (name, share, amount)


@dataclass
class BudgetFigures:
    year: int | None
    budget: Decimal | None
    funders: list[FunderShare]
    funded_total: Decimal
    participants: int
    per_participant: Decimal | None


def budget_figures(intervention: Intervention) -> BudgetFigures:
    """The budget year's funders with their shares (core.portfolio.shares); for a samordningsförbund
    as funder, its members' shares of that amount from their financing shares; cost per participant
    = annual budget / participants of the budget year (core.portfolio.per_participant)."""
    year = intervention.budget_year
    funding = [f for f in intervention.funding.all() if year is None or f.year == year]
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    funders: dict[str, Organisation | None] = {}
    for f in funding:
        key = f.funder.name if f.funder_id else f.funder_name
        amounts[key] += f.amount
        funders[key] = f.funder
    fractions = portfolio.shares(dict(amounts)) if amounts else {}
    out = []
    for key in sorted(amounts, key=lambda k: (-amounts[k], k)):
        fs = FunderShare(label=key, amount=amounts[key], share=fractions[key])
        org = funders.get(key)
        if org is not None and org.kind == OrganisationKind.SAMORDNINGSFORBUND:
            members = list(FederationMember.objects.filter(federation=org).select_related("member"))
            if members and sum(m.financing_share for m in members) > 0:
                member_fr = portfolio.shares({m.member.name: m.financing_share for m in members})
                names = [m.member.name for m in members]
                split = money.allocate(amounts[key], [member_fr[n] for n in names])
                fs.members = [(n, member_fr[n], a) for n, a in zip(names, split, strict=True)]
        out.append(fs)
    participants = sum(
        r.participants for r in intervention.reach.all() if year is not None and r.year == year
    )
    per = (
        portfolio.per_participant(intervention.annual_budget, participants)
        if intervention.annual_budget is not None and year is not None
        else None
    )
    return BudgetFigures(
        year=year,
        budget=intervention.annual_budget,
        funders=out,
        funded_total=sum(amounts.values(), Decimal(0)),
        participants=participants,
        per_participant=per,
    )


@dataclass
class ReachYear:
    year: int
    total: int
    by_area: list[tuple[str, int]]
    by_gender: list[tuple[str, int]]
    by_band: list[tuple[str, int]]


def reach_table(intervention: Intervention) -> list[ReachYear]:
    """Participants per year, by member municipality, gender and age band, with the year's total."""
    years: dict[int, list[InterventionReach]] = defaultdict(list)
    for r in intervention.reach.all().select_related("area", "age_band"):
        years[r.year].append(r)
    out = []
    for year in sorted(years, reverse=True):
        rows = years[year]
        area: dict[str, int] = defaultdict(int)
        gender: dict[str, int] = defaultdict(int)
        band: dict[str, int] = defaultdict(int)
        for r in rows:
            area[r.area.name if r.area_id else _("Ej angiven kommun")] += r.participants
            gender[str(GENDERS.get(r.gender, r.gender))] += r.participants
            band[r.age_band.label if r.age_band_id else _("Ej angiven ålder")] += r.participants
        out.append(
            ReachYear(
                year=year,
                total=sum(r.participants for r in rows),
                by_area=sorted(area.items(), key=lambda kv: (-kv[1], kv[0])),
                by_gender=sorted(gender.items()),
                by_band=sorted(band.items()),
            )
        )
    return out


def staffing_totals(intervention: Intervention) -> tuple[int, Decimal]:
    rows = list(intervention.staffing.all())
    return sum(r.people for r in rows), sum((r.fte for r in rows), Decimal(0))


REACH_SOURCE_DEFAULT = ReachSource.ENTERED


# --------------------------------------------------------------------------- own age bands and methods
