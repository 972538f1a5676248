"""Writes to areas, area groups, indicators and observations. Each workflow audits.

* :func:`load_areas` — the 290 kommuner, 21 regioner and Riket from ``data/areas.csv`` (idempotent).
* :func:`area_group_create`, :func:`area_group_set_members` — an organisation's own comparison groups.
* :func:`sync_kolada_groups` — Kolada's municipality groups ("Liknande kommuner …") and members.
* :func:`sync_kolada` — KPI metadata and values from Kolada, upserted idempotently; reports
  inserted / updated / unchanged and every revised value, with one audit entry per sync.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from insats.audit.services import diff_fields, log_action, snapshot
from insats.integrations.kolada import KoladaClient, KoladaKpi, KoladaValue, is_preliminary

from .models import (
    KOLADA_SOURCE_LABEL,
    Area,
    AreaGroup,
    AreaGroupKind,
    AreaKind,
    GroupObservation,
    Indicator,
    IndicatorSource,
    Observation,
    PeriodType,
)

AREA_FILE = Path(__file__).resolve().parent / "data" / "areas.csv"
VALUE_QUANTUM = Decimal("0.000001")  # Observation.value has six decimals
KPI_ID_RE = re.compile(r"^[A-Z]\d{5}$")
MAX_REVISIONS_IN_AUDIT = 200


# --------------------------------------------------------------------------- areas


@dataclass(frozen=True)
class AreaRow:
    code: str
    kolada_id: str
    kind: str
    name: str
    county_code: str


def read_area_file(path: Path = AREA_FILE) -> list[AreaRow]:
    """The rows of the area file, checked: codes unique, kinds known, every kommun's län present."""
    rows: list[AreaRow] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for line_no, rec in enumerate(csv.DictReader(fh), start=2):
            row = AreaRow(**{k: (rec[k] or "").strip() for k in AreaRow.__dataclass_fields__})
            problems = []
            if row.kind not in AreaKind.values:
                problems.append(f"kind {row.kind!r}")
            if row.kind == AreaKind.KOMMUN and not re.fullmatch(r"\d{4}", row.code):
                problems.append(f"kommun code {row.code!r}")
            if row.kind == AreaKind.KOMMUN and row.county_code != row.code[:2]:
                problems.append("county_code must be the first two digits of the kommun code")
            if row.kind == AreaKind.REGION and (
                not re.fullmatch(r"\d{2}", row.code) or row.kolada_id != "00" + row.code
            ):
                problems.append(f"region code {row.code!r}/{row.kolada_id!r}")
            if problems:
                raise ValueError(f"{path.name} line {line_no}: " + "; ".join(problems))
            rows.append(row)
    for attr in ("code", "kolada_id"):
        values = [getattr(r, attr) for r in rows]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"{path.name}: duplicate {attr}: {', '.join(dupes)}")
    regions = {r.code for r in rows if r.kind == AreaKind.REGION}
    orphans = [r.code for r in rows if r.kind == AreaKind.KOMMUN and r.county_code not in regions]
    if orphans:
        raise ValueError(f"{path.name}: kommuner whose län is missing: {', '.join(orphans)}")
    return rows


def upsert_areas(area_model, rows: Iterable[AreaRow]) -> tuple[list[str], dict[str, dict]]:
    """Create or update areas by code. Works with the live model and a migration's historical one.

    Returns (codes created, {code: changed fields}).
    """
    existing = {a.code: a for a in area_model.objects.all()}
    created, changed = [], {}
    to_create = []
    for row in rows:
        values = {
            "kolada_id": row.kolada_id,
            "kind": row.kind,
            "name": row.name,
            "county_code": row.county_code,
        }
        area = existing.get(row.code)
        if area is None:
            to_create.append(area_model(code=row.code, **values))
            created.append(row.code)
            continue
        diff = {k: [getattr(area, k), v] for k, v in values.items() if getattr(area, k) != v}
        if diff:
            for k, (_old, new) in diff.items():
                setattr(area, k, new)
            area.save(update_fields=list(diff))
            changed[row.code] = diff
    area_model.objects.bulk_create(to_create)
    return created, changed


@transaction.atomic
def load_areas(*, actor=None, path: Path = AREA_FILE) -> dict:
    """Load the area file; one audit entry when anything changed. Running it twice changes nothing."""
    created, changed = upsert_areas(Area, read_area_file(path))
    summary = {"created": len(created), "updated": len(changed), "total": Area.objects.count()}
    if created or changed:
        log_action(
            "situation.areas.loaded",
            actor=actor,
            object_type="situation.area",
            object_label=path.name,
            changes={"created_codes": created[:50], "updated_fields": changed, **summary},
        )
    return summary


# --------------------------------------------------------------------------- area groups


@transaction.atomic
def area_group_create(*, actor, organisation, name: str, members: Iterable[Area] = ()) -> AreaGroup:
    group = AreaGroup(name=name.strip(), kind=AreaGroupKind.USER, organisation=organisation)
    group.full_clean()
    group.save()
    member_list = list(members)
    group.members.set(member_list)
    log_action(
        "situation.area_group.created",
        actor=actor,
        organisation=organisation,
        obj=group,
        changes={"name": group.name, "members": sorted(a.code for a in member_list)},
    )
    return group


@transaction.atomic
def area_group_set_members(*, actor, group: AreaGroup, members: Iterable[Area]) -> AreaGroup:
    if group.kind != AreaGroupKind.USER:
        from django.core.exceptions import ValidationError

        raise ValidationError({"members": _("En Koladagrupps medlemmar uppdateras bara från Kolada.")})
    before = sorted(group.members.values_list("code", flat=True))
    member_list = list(members)
    group.members.set(member_list)
    after = sorted(a.code for a in member_list)
    if before != after:
        log_action(
            "situation.area_group.members_changed",
            actor=actor,
            organisation=group.organisation,
            obj=group,
            changes={"members": [before, after]},
        )
    return group


@dataclass
class GroupSyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    unknown_members: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@transaction.atomic
def _save_kolada_groups(groups, *, actor) -> GroupSyncReport:
    report = GroupSyncReport()
    areas = dict(Area.objects.values_list("kolada_id", "id"))
    existing = {g.kolada_id: g for g in AreaGroup.objects.filter(kind=AreaGroupKind.KOLADA)}
    unknown: set[str] = set()
    for kg in groups:
        member_ids = sorted({areas[m] for m, _t in kg.members if m in areas})
        unknown |= {m for m, _t in kg.members if m not in areas}
        group = existing.get(kg.id)
        if group is None:
            group = AreaGroup.objects.create(name=kg.title, kind=AreaGroupKind.KOLADA, kolada_id=kg.id)
            group.members.set(member_ids)
            report.created.append(kg.id)
            continue
        old_members = sorted(group.members.values_list("id", flat=True))
        if group.name != kg.title or old_members != member_ids:
            if group.name != kg.title:
                group.name = kg.title
                group.save(update_fields=["name", "updated_at"])
            group.members.set(member_ids)
            report.updated.append(kg.id)
        else:
            report.unchanged += 1
    report.unknown_members = sorted(unknown)
    if report.created or report.updated:
        log_action(
            "situation.kolada.groups_synced",
            actor=actor,
            object_type="situation.areagroup",
            object_label=_("Kolada kommungrupper"),
            changes=report.to_dict(),
        )
    return report


def sync_kolada_groups(
    *,
    actor=None,
    title: str | None = "Liknande kommuner",
    group_ids: Sequence[str] | None = None,
    client: KoladaClient | None = None,
) -> GroupSyncReport:
    """Fetch Kolada municipality groups (by title search or ids) and upsert them as AreaGroups.

    A group listed without members is fetched again by id (``/municipality_groups/{id}``), which
    returns the member list.
    """
    client = client or KoladaClient()
    groups = client.municipality_group(group_ids) if group_ids else client.municipality_groups(title)
    missing = [g.id for g in groups if not g.members]
    if missing and not group_ids:
        by_id = {g.id: g for g in client.municipality_group(missing)}
        groups = [by_id.get(g.id, g) if not g.members else g for g in groups]
    return _save_kolada_groups(groups, actor=actor)


# --------------------------------------------------------------------------- indicators


KPI_FIELDS = [
    "title_sv",
    "description",
    "divided_by_gender",
    "publ_period",
    "prel_publication_date",
    "publication_date",
    "operating_area",
]


def _kpi_values(kpi: KoladaKpi) -> dict:
    return {
        "title_sv": kpi.title[:500],
        "description": kpi.description,
        "divided_by_gender": kpi.is_divided_by_gender,
        "publ_period": kpi.publ_period,
        "prel_publication_date": kpi.prel_publication_date,
        "publication_date": kpi.publication_date,
        "operating_area": kpi.operating_area[:300],
    }


def upsert_kolada_indicators(kpis: Iterable[KoladaKpi]) -> tuple[dict[str, Indicator], list[str], dict]:
    """Shared-catalogue indicators for Kolada KPIs. Local fields (English title, unit, polarity)
    are never overwritten. Returns ({kpi id: indicator}, ids created, {id: changed fields})."""
    kpis = list(kpis)
    existing = {
        i.kolada_kpi_id: i
        for i in Indicator.objects.filter(organisation__isnull=True, kolada_kpi_id__in=[k.id for k in kpis])
    }
    result, created, changed = {}, [], {}
    for kpi in kpis:
        values = _kpi_values(kpi)
        ind = existing.get(kpi.id)
        if ind is None:
            ind = Indicator(code=kpi.id, source=IndicatorSource.KOLADA, kolada_kpi_id=kpi.id, **values)
            ind.full_clean()
            ind.save()
            created.append(kpi.id)
        else:
            before = snapshot(ind, KPI_FIELDS)
            for k, v in values.items():
                setattr(ind, k, v)
            diff = diff_fields(before, snapshot(ind, KPI_FIELDS))
            if diff:
                ind.full_clean()
                ind.save()
                changed[kpi.id] = diff
        result[kpi.id] = ind
    return result, created, changed


# --------------------------------------------------------------------------- observations


@dataclass(frozen=True)
class Revision:
    kpi: str
    area: str
    period: int
    gender: str
    old: Decimal | None
    new: Decimal | None

    def as_json(self) -> dict:
        return {
            "kpi": self.kpi,
            "area": self.area,
            "period": self.period,
            "gender": self.gender,
            "old": None if self.old is None else str(self.old),
            "new": None if self.new is None else str(self.new),
        }


@dataclass
class SyncReport:
    kpis: list[str]
    years: list[int] | None
    municipalities: list[str] | None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped_unknown_area: int = 0
    unknown_areas: list[str] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    indicators_created: list[str] = field(default_factory=list)
    indicators_updated: list[str] = field(default_factory=list)
    requests: int = 0
    # KPIs asked for that Kolada no longer has (removed upstream): skipped, not fatal.
    missing_kpis: list[str] = field(default_factory=list)
    # Kolada's own values for its municipality groups (G…) that we hold as AreaGroups.
    group_values_written: int = 0
    group_values_unchanged: int = 0
    # The date the deletion pass asked from (``from_date``); None when there was nothing to withdraw.
    deletions_since: date | None = None

    def to_dict(self, *, max_revisions: int | None = None) -> dict:
        revs = self.revisions if max_revisions is None else self.revisions[:max_revisions]
        return {
            "kpis": self.kpis,
            "years": self.years,
            "municipalities": self.municipalities,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "skipped_unknown_area": self.skipped_unknown_area,
            "unknown_areas": self.unknown_areas[:20],
            "revisions_total": len(self.revisions),
            "revisions": [r.as_json() for r in revs],
            "indicators_created": self.indicators_created,
            "indicators_updated": self.indicators_updated,
            "requests": self.requests,
            "missing_kpis": self.missing_kpis,
            "group_values_written": self.group_values_written,
            "group_values_unchanged": self.group_values_unchanged,
            "deletions_since": self.deletions_since.isoformat() if self.deletions_since else None,
        }


def parse_years(text: str) -> list[int]:
    """``"2015-2024"`` or ``"2019,2021,2023"`` (or a mix) → sorted years; a clear error otherwise."""
    years: set[int] = set()
    for part in (p.strip() for p in str(text).split(",")):
        if not part:
            continue
        m = re.fullmatch(r"(\d{4})\s*[-–]\s*(\d{4})", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > b:
                raise ValueError(_("years: %(part)s går baklänges.") % {"part": part})
            years.update(range(a, b + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise ValueError(
                _("years: %(part)s är inte ett år eller ett intervall (2015-2024).") % {"part": part}
            )
    if not years:
        raise ValueError(_("years: ange minst ett år."))
    if min(years) < 1900 or max(years) > 2100:
        raise ValueError(_("years: åren ska ligga mellan 1900 och 2100."))
    return sorted(years)


def normalise_kpi_ids(kpis: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(k.strip().upper() for k in kpis if k and k.strip()))
    if not ids:
        raise ValueError(_("kpi: ange minst ett nyckeltal (t.ex. N15419)."))
    bad = [k for k in ids if not KPI_ID_RE.match(k)]
    if bad:
        raise ValueError(
            _("kpi: %(ids)s ser inte ut som Kolada-id (en bokstav och fem siffror).")
            % {"ids": ", ".join(bad)}
        )
    return ids


def resolve_municipalities(codes: Iterable[str]) -> list[str]:
    """Area codes (1270, 12, 0000), Kolada ids (0012) or Kolada group ids we hold (G35951) → Kolada
    ids; unknown codes are an error."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    by_code = dict(Area.objects.filter(code__in=wanted).values_list("code", "kolada_id"))
    by_kolada = set(Area.objects.filter(kolada_id__in=wanted).values_list("kolada_id", flat=True))
    # Kolada's municipality groups we hold (``kolada groups``): Kolada publishes their averages.
    groups = set(
        AreaGroup.objects.filter(
            kind=AreaGroupKind.KOLADA, kolada_id__in=[c.upper() for c in wanted]
        ).values_list("kolada_id", flat=True)
    )
    out, unknown = [], []
    for c in wanted:
        if c in by_code:
            out.append(by_code[c])
        elif c in by_kolada:
            out.append(c)
        elif c.upper() in groups:
            out.append(c.upper())
        else:
            unknown.append(c)
    if unknown:
        raise ValueError(_("municipalities: okända områdeskoder: %(codes)s") % {"codes": ", ".join(unknown)})
    return list(dict.fromkeys(out))


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(VALUE_QUANTUM)


OBS_UPDATE_FIELDS = ["value", "count", "status", "preliminary", "fetched_at", "source", "source_label"]


def _update_observations(rows: list[Observation]) -> None:
    """UPDATE … WHERE id = %s with executemany.

    Django's ``bulk_update`` builds a CASE WHEN per field and row; for 18 000 rows it took a minute
    on SQLite where this takes about a second (docs/kolada.md, "Scale").
    """
    if not rows:
        return
    fields = [Observation._meta.get_field(name) for name in OBS_UPDATE_FIELDS]
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(Observation._meta.db_table)} SET {assignments} WHERE {qn('id')} = %s"  # noqa: S608
    params = [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] + [o.pk] for o in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def sync_kolada(
    *,
    kpis: Sequence[str],
    years: Sequence[int] | None = None,
    municipalities: Sequence[str] | None = None,
    client: KoladaClient | None = None,
    actor=None,
    organisation=None,
    on_progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> SyncReport:
    """Fetch the given KPIs from Kolada and upsert their observations.

    ``municipalities`` are area codes or Kolada ids (None: every area Kolada has values for;
    group ids and other unknown ids are skipped and counted). The fetch happens first; the writes
    then run in one transaction with one audit entry, so a failure leaves nothing half-written.
    """
    kpi_ids = normalise_kpi_ids(kpis)
    year_list = sorted({int(y) for y in years}) if years else None
    muni_ids = resolve_municipalities(municipalities) if municipalities else None
    if not year_list and not muni_ids:
        raise ValueError(_("years: ange år eller kommuner (Kolada behöver två av tre dimensioner)."))
    client = client or KoladaClient()
    today = today or timezone.localdate()
    report = SyncReport(kpis=kpi_ids, years=year_list, municipalities=muni_ids)
    start_requests = client.requests_made

    meta = {k.id: k for k in client.kpis(kpi_ids)}
    report.missing_kpis = [k for k in kpi_ids if k not in meta]
    kpi_ids = [k for k in kpi_ids if k in meta]
    if not kpi_ids:
        raise ValueError(_("kpi: Kolada känner inte till %(ids)s.") % {"ids": ", ".join(report.missing_kpis)})

    # Kolada leaves deleted values out of an ordinary answer and flags them (``isdeleted``) only
    # in an answer to ``from_date``; so when we hold values that could have been withdrawn, a second
    # pass asks for the changes since the oldest of them was fetched (docs/kolada.md, "Withdrawn").
    since = _oldest_fetch(kpi_ids, year_list, muni_ids)
    report.deletions_since = since
    per_pass = len(client.data_requests(kpi_ids, muni_ids, year_list))
    total = per_pass * (2 if since else 1)

    def progress(offset):
        if on_progress is None:
            return None
        return lambda done, _n: on_progress(offset + done, total)

    cells: dict[tuple[str, str, int, str], KoladaValue] = {}
    for v in client.data(kpi_ids, muni_ids, year_list, on_request=progress(0)):
        cells[(v.kpi, v.municipality, v.period, v.gender)] = v
    if since:
        for v in client.data(kpi_ids, muni_ids, year_list, from_date=since, on_request=progress(per_pass)):
            key = (v.kpi, v.municipality, v.period, v.gender)
            if v.isdeleted and key not in cells:
                cells[key] = v
    report.requests = client.requests_made - start_requests

    with transaction.atomic():
        indicators, report.indicators_created, changed = upsert_kolada_indicators(meta[k] for k in kpi_ids)
        report.indicators_updated = sorted(changed)
        _write_observations(cells, indicators, meta, report, today=today)
        log_action(
            "situation.kolada.synced",
            actor=actor,
            organisation=organisation,
            object_type="situation.indicator",
            object_id=",".join(kpi_ids)[:64],
            object_label=("Kolada " + ", ".join(kpi_ids))[:300],
            changes=report.to_dict(max_revisions=MAX_REVISIONS_IN_AUDIT) | {"indicator_changes": changed},
        )
    return report


def _write_group_values(values, groups, indicators, meta, report: SyncReport, *, today, now) -> None:
    """Kolada's own group averages, kept as Kolada gives them ("Källa: Kolada")."""
    if not values:
        return
    existing = {
        (o.indicator_id, o.group_id, o.period, o.gender): o
        for o in GroupObservation.objects.filter(
            indicator__in=[indicators[k] for k in {v.kpi for v in values}],
            group_id__in={groups[v.municipality] for v in values},
            period__in={v.period for v in values},
        )
    }
    for v in values:
        indicator = indicators[v.kpi]
        new = {
            "value": None if v.isdeleted else _q(v.value),
            "count": v.count,
            "status": ("isdeleted" if v.isdeleted else v.status)[:32],
            "preliminary": False if v.isdeleted else is_preliminary(v, meta.get(v.kpi), today),
        }
        obs = existing.get((indicator.pk, groups[v.municipality], v.period, v.gender))
        if obs is None:
            if v.isdeleted:
                continue
            GroupObservation.objects.create(
                indicator=indicator,
                group_id=groups[v.municipality],
                period=v.period,
                gender=v.gender,
                fetched_at=now,
                source_label=KOLADA_SOURCE_LABEL,
                **new,
            )
            report.group_values_written += 1
        elif {k: (_q(obs.value) if k == "value" else getattr(obs, k)) for k in new} == new:
            report.group_values_unchanged += 1
        else:
            for k, val in new.items():
                setattr(obs, k, val)
            obs.fetched_at = now
            obs.save()
            report.group_values_written += 1


def _oldest_fetch(kpi_ids, year_list, muni_ids) -> date | None:
    """The day before the oldest fetch of a Kolada value we hold in this scope (None: nothing held).

    A day's margin, because Kolada's ``from_date`` is a date and its clock is not ours."""
    qs = Observation.objects.filter(
        indicator__organisation__isnull=True,
        indicator__kolada_kpi_id__in=kpi_ids,
        source=IndicatorSource.KOLADA,
        period_type=PeriodType.YEAR,
        value__isnull=False,
    )
    if year_list:
        qs = qs.filter(period__in=year_list)
    if muni_ids:
        qs = qs.filter(area__kolada_id__in=muni_ids)
    groups = GroupObservation.objects.filter(
        indicator__organisation__isnull=True, indicator__kolada_kpi_id__in=kpi_ids, value__isnull=False
    )
    if year_list:
        groups = groups.filter(period__in=year_list)
    if muni_ids:
        groups = groups.filter(group__kolada_id__in=muni_ids)
    found = [
        m
        for m in (
            qs.aggregate(m=models.Min("fetched_at"))["m"],
            groups.aggregate(m=models.Min("fetched_at"))["m"],
        )
        if m is not None
    ]
    if not found:
        return None
    oldest = min(found)
    return timezone.localtime(oldest).date() - timedelta(days=1)


def _write_observations(cells, indicators, meta, report: SyncReport, *, today: date) -> None:
    """Upsert the areas' observations. Kolada's ``count`` is the number of units a value averages
    (1 for a kommun or region, the members for a group: S1), not a number of people, so an area's
    observation stores no count — the lägesbild's small-count rule must not hide Kolada values."""
    areas = dict(Area.objects.values_list("kolada_id", "id"))
    area_codes = dict(Area.objects.values_list("id", "code"))
    now = timezone.now()
    groups = dict(AreaGroup.objects.filter(kind=AreaGroupKind.KOLADA).values_list("kolada_id", "id"))
    unknown: set[str] = set()
    by_kpi: dict[str, list[KoladaValue]] = {}
    group_values: list[KoladaValue] = []
    for v in cells.values():
        if v.municipality in groups:
            group_values.append(v)
            continue
        if v.municipality not in areas:
            unknown.add(v.municipality)
            report.skipped_unknown_area += 1
            continue
        by_kpi.setdefault(v.kpi, []).append(v)
    report.unknown_areas = sorted(unknown)
    _write_group_values(group_values, groups, indicators, meta, report, today=today, now=now)

    for kpi_id, values in by_kpi.items():
        indicator = indicators[kpi_id]
        periods = {v.period for v in values}
        area_ids = {areas[v.municipality] for v in values}
        existing_qs = Observation.objects.filter(
            indicator=indicator, period_type=PeriodType.YEAR, period_part=0, period__in=periods
        )
        if len(area_ids) < len(areas):
            existing_qs = existing_qs.filter(area_id__in=area_ids)
        existing = {(o.area_id, o.period, o.gender): o for o in existing_qs}
        to_create, to_update = [], []
        for v in values:
            area_id = areas[v.municipality]
            new_value = None if v.isdeleted else _q(v.value)
            status = ("isdeleted" if v.isdeleted else v.status)[:32]
            prel = False if v.isdeleted else is_preliminary(v, meta.get(kpi_id), today)
            obs = existing.get((area_id, v.period, v.gender))
            if obs is None:
                if v.isdeleted:
                    continue  # nothing to withdraw
                to_create.append(
                    Observation(
                        area_id=area_id,
                        indicator=indicator,
                        period=v.period,
                        gender=v.gender,
                        value=new_value,
                        count=None,
                        status=status,
                        preliminary=prel,
                        fetched_at=now,
                        source=IndicatorSource.KOLADA,
                        source_label=KOLADA_SOURCE_LABEL,
                    )
                )
                continue
            old_value = _q(obs.value)
            if (old_value, obs.count, obs.status, obs.preliminary, obs.source_label) == (
                new_value,
                None,
                status,
                prel,
                KOLADA_SOURCE_LABEL,
            ):
                report.unchanged += 1
                continue
            if old_value != new_value and old_value is not None:
                report.revisions.append(
                    Revision(kpi_id, area_codes[area_id], v.period, v.gender, old_value, new_value)
                )
                if new_value is None:
                    report.withdrawn += 1
            obs.value, obs.count, obs.status, obs.preliminary = new_value, None, status, prel
            obs.fetched_at, obs.source, obs.source_label = now, IndicatorSource.KOLADA, KOLADA_SOURCE_LABEL
            to_update.append(obs)
        Observation.objects.bulk_create(to_create, batch_size=1000)
        _update_observations(to_update)
        report.inserted += len(to_create)
        report.updated += len(to_update)
    report.revisions.sort(key=lambda r: (r.kpi, r.area, r.period, r.gender))


# --- writing many observations at once ------------------------------------------------------------
# The ORM's bulk_create/bulk_update build a model instance per row and prepare every field; for the
# hundreds of thousands of cells of a demo build or an import that costs many times the write itself.
# Both writers go through here: one column order, one statement, parameters only.

OBSERVATION_COLUMNS = [
    # the unique cell ...
    "indicator_id",
    "area_id",
    "period_type",
    "period",
    "period_part",
    "gender",
    # ... and what it holds
    "value",
    "count",
    "status",
    "preliminary",
    "fetched_at",
    "source",
    "source_label",
]
OBSERVATION_CELL = OBSERVATION_COLUMNS[:6]


def observation_write_sql(*, upsert: bool) -> str:
    """``INSERT`` of one row in OBSERVATION_COLUMNS order; with ``upsert``, ``ON CONFLICT (cell) DO
    UPDATE`` (SQLite ≥ 3.24 and PostgreSQL alike)."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in OBSERVATION_COLUMNS)
    marks = ", ".join(["%s"] * len(OBSERVATION_COLUMNS))
    # Identifiers come from the model and are quoted; every value is a parameter.
    sql = f"INSERT INTO {qn(Observation._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608
    if upsert:
        cell = ", ".join(qn(c) for c in OBSERVATION_CELL)
        updates = ", ".join(
            f"{qn(c)} = EXCLUDED.{qn(c)}" for c in OBSERVATION_COLUMNS[len(OBSERVATION_CELL) :]
        )
        sql += f" ON CONFLICT ({cell}) DO UPDATE SET {updates}"
    return sql


def observation_rows_write(params: Sequence[tuple], *, upsert: bool, batch: int = 2000) -> None:
    """Write rows (tuples in OBSERVATION_COLUMNS order, values already adapted for the database)."""
    if not params:
        return
    sql = observation_write_sql(upsert=upsert)
    with connection.cursor() as cursor:
        for start in range(0, len(params), batch):
            cursor.executemany(sql, params[start : start + batch])
