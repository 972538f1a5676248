"""Demo outcomes contracts (``manage.py demo_contracts``; also run by ``manage.py demo``).

1. **Färre placeringar – Barnens Väl i Helsingborg** (seed 004): Helsingborgs stad commissions and
   pays, Barnens Väl provides, Utfallsfonden pre-finances, RISE validates. Payment per placement
   avoided against a historical baseline of 50 a year (250 000 kr each; a year pays when it is at
   least 10 % below; 20 % over the five years settles the rest; at most 12 000 000 kr), five years
   2021–2025 (closed: every date of it is in the past — signed December 2020, each year reported,
   validated, invoiced and paid in the spring after it). The fund commits 8 000 000 kr
   (1 600 000 a year) at 5 % simple interest and takes 40 % of the surplus. Placements 46, 43,
   39, 37, 35: 50 avoided of 250 = **20 % fewer**. Every year is reported by Barnens Väl,
   validated by RISE and paid by Helsingborg; the contract is closed with the ledger complete:
   paid 12 000 000 kr; fund receives 9 940 500 kr (multiple 1.24).
2. **Trygga vuxna och skolnärvaro – pilot i Tomelilla** (seed 000): children 6–10 at risk; two
   metrics (school attendance, a trusted adult) priced per percentage point against a baseline;
   Leksell Social Ventures pre-finances; starts 2027, **in negotiation**, with a business-case scenario run
   through the core's Monte Carlo (2 000 draws).

Everything goes through the services (each step audited, as a user would do it), as the demo users
of ``accounts.demo_data``. One user is added here: RISE's validator (evaluator and contract
manager). Idempotent: a contract whose reference exists is left as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from insats.accounts import services as account_services
from insats.accounts.access import Actor
from insats.accounts.models import Membership, Organisation, User

VALIDATOR_EMAIL = "validerare@rise.demo"
VALIDATOR_PASSWORD = "Mätpunkt-Granskare-58"
VALIDATOR_NAME = "Linnea Berg"

BV_REFERENCE = "barnens-val-helsingborg"
PILOT_REFERENCE = "tomelilla-pilot-6-10"
PLACED = {"2021": "46", "2022": "43", "2023": "39", "2024": "37", "2025": "35"}

PLACEMENT_RULE = {
    "direction": "decrease",
    "counterfactual": {"kind": "baseline", "value": "50"},
    "price": "250000",
    "threshold": {"kind": "relative", "value": "0.10"},
    "contract_threshold": {"kind": "relative", "value": "0.20"},
    "cap_total": "12000000",
}


@dataclass
class DemoContracts:
    contracts: list = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def _org(name: str) -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    if org is None:
        raise RuntimeError(f"demo organisation {name!r} is missing: run manage.py demo first")
    return org


def _actor(email: str, org: Organisation, role: str | None = None) -> Actor:
    qs = Membership.objects.filter(user__email=email, organisation=org)
    if role:
        qs = qs.filter(role=role)
    membership = qs.select_related("user", "organisation").first()
    if membership is None:
        raise RuntimeError(
            f"demo membership {email} @ {org.name} ({role}) is missing: run manage.py demo first"
        )
    return Actor(user=membership.user, membership=membership)


def _ensure_validator(rise: Organisation) -> User:
    user = User.objects.filter(email=VALIDATOR_EMAIL).first()
    if user is None:
        user = User.objects.create_user(VALIDATOR_EMAIL, VALIDATOR_PASSWORD, full_name=VALIDATOR_NAME)
    for role in ("evaluator", "contract_manager"):
        if not Membership.objects.filter(user=user, organisation=rise, role=role).exists():
            account_services.membership_add(actor=None, user=user, organisation=rise, role=role)
    return user


def build_demo_contracts(*, run_business_case: bool = True, draws: int = 2000) -> DemoContracts:
    out = DemoContracts()
    helsingborg = _org("Helsingborgs stad")
    tomelilla = _org("Tomelilla kommun")
    barnens_val = _org("Barnens Väl")
    fonden = _org("Utfallsfonden")
    rise = _org("RISE Research Institutes of Sweden")
    lsv = _org("Leksell Social Ventures")
    _ensure_validator(rise)
    out.accounts.append(
        (VALIDATOR_EMAIL, VALIDATOR_PASSWORD, "Utvärderare och avtalsansvarig – RISE (validerare)")
    )

    from .models import Contract

    existing = Contract.objects.filter(owner=helsingborg, reference=BV_REFERENCE).first()
    if existing is None:
        existing = _barnens_val(helsingborg, barnens_val, fonden, rise, run_business_case, draws)
        out.created.append(existing.title)
    out.contracts.append(existing)
    pilot = Contract.objects.filter(owner=tomelilla, reference=PILOT_REFERENCE).first()
    if pilot is None:
        pilot = _pilot(tomelilla, barnens_val, lsv, rise, run_business_case, draws)
        out.created.append(pilot.title)
    out.contracts.append(pilot)
    return out


@transaction.atomic
def _barnens_val(helsingborg, barnens_val, fonden, rise, run_business_case, draws):
    from . import services
    from . import services_payments as sp
    from . import services_results as sr

    hbg = _actor("admin@helsingborg.demo", helsingborg, "admin")
    bv = _actor("avtalsansvarig@barnensval.demo", barnens_val, "contract_manager")
    fund = _actor("avtalsansvarig@utfallsfonden.demo", fonden, "contract_manager")
    rise_cm = _actor(VALIDATOR_EMAIL, rise, "contract_manager")
    rise_eval = _actor(VALIDATOR_EMAIL, rise, "evaluator")

    c = services.contract_create(
        actor=hbg,
        owner=helsingborg,
        title="Färre placeringar – Barnens Väl i Helsingborg",
        reference=BV_REFERENCE,
        summary=(
            "Allt fler barn placeras i familjehem och HVB. Kommunen betalar Barnens Väl bara för "
            "placeringar som undviks jämfört med den historiska nivån; Utfallsfonden förfinansierar."
        ),
        intervention=(
            "Tidiga psykosociala insatser i barnens familjer och stöd till socialsekreterare vid "
            "bedömning av lämpliga insatser enligt socialtjänstlagen (Barnens Väl)."
        ),
        target_population="Barn 0–17 år i Helsingborg i familjer där placering övervägs.",
        policy_sector="Child and family welfare",  # INDIGO: placements of children
        term_start=datetime.date(2021, 1, 1),
        term_end=datetime.date(2025, 12, 31),
        period_type="year",
        key_dates=[{"label": "Slutavräkning", "date": "2026-03-31"}],
    )
    services.party_add(actor=hbg, contract=c, organisation=barnens_val, role="provider")
    fund_party = services.party_add(actor=hbg, contract=c, organisation=fonden, role="fund")
    services.party_add(actor=hbg, contract=c, organisation=rise, role="validator")
    services.metric_save(
        actor=hbg,
        contract=c,
        code="placeringar",
        name="Placeringar som undvikits",
        kind="improvement",
        unit="placeringar",
        definition="Antal barn som under året placeras i familjehem eller HVB (nya placeringar).",
        whole_numbers=True,
        data_source="Socialtjänstens verksamhetssystem, uttag per kalenderår",
        validation_method="RISE granskar registeruttaget och ett stickprov av akterna varje år.",
        counterfactual_description="Historisk nivå: i genomsnitt 50 placeringar per år 2016–2020.",
        rule=dict(PLACEMENT_RULE),
    )
    services.financing_save(
        actor=fund,
        contract=c,
        fund_party=fund_party,
        commitment=Decimal("8000000"),
        drawdown_schedule=["1600000"] * 5,
        return_basis="fixed_rate",
        annual_rate=Decimal("0.05"),
        fund_surplus_share=Decimal("0.4"),
    )
    c = services.transition(actor=hbg, contract=c, to="negotiation")
    if run_business_case:
        _business_case(
            hbg,
            c,
            name="Förväntat utfall",
            effect={"kind": "triangular", "low": 0.1, "mode": 0.2, "high": 0.3},
            baseline=50,
            draws=draws,
        )
    for who in (hbg, bv, fund, rise_cm):
        services.sign(actor=who, contract=c)
    c.refresh_from_db()
    c = services.transition(actor=hbg, contract=c, to="active")
    metric = c.metrics.get(code="placeringar")
    for period, placed in PLACED.items():
        report = sr.result_report(actor=bv, contract=c, metric=metric, period=period, value=Decimal(placed))
        sr.result_approve(actor=rise_eval, report=report)
    for line in c.payment_lines.filter(due__gt=0).order_by("period"):
        sp.payment_mark(actor=hbg, line=line, status="invoiced")
        sp.payment_mark(actor=hbg, line=line, status="paid")
    c = services.transition(actor=hbg, contract=c, to="closed")
    sp.ledger_recalculate(actor=hbg, contract=c)  # the loss (if any) is final once closed
    _backdate(c)
    return c


def _at(year: int, month: int, day: int) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(year, month, day, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def _backdate(c) -> None:
    """The services stamp 'now'; a contract run 2021–2025 was signed, reported and paid back then.

    Signed 2020-12-15 (version 1 too); each year's result submitted 15 February and approved
    1 March of the year after, invoiced 10 March and paid 31 March. (Only timestamps; the audit
    trail keeps its own.)
    """
    from .models import Contract, ContractParty, ContractVersion, PaymentLine, ResultReport

    signed = _at(2020, 12, 15)
    Contract.objects.filter(pk=c.pk).update(signed_at=signed)
    ContractParty.objects.filter(contract=c).exclude(signed_at=None).update(signed_at=signed)
    # Version 1 is the snapshot made at that signing, with the signatures it records.
    for version in ContractVersion.objects.filter(contract=c, number=1):
        approved = [{**a, "at": signed.isoformat()} if a.get("at") else a for a in version.approved_by]
        ContractVersion.objects.filter(pk=version.pk).update(created_at=signed, approved_by=approved)
    c.scenarios.update(created_at=_at(2020, 11, 20))
    for report in ResultReport.objects.filter(contract=c):
        year = int(report.period) + 1
        ResultReport.objects.filter(pk=report.pk).update(
            submitted_at=_at(year, 2, 15), validated_at=_at(year, 3, 1)
        )
    for line in PaymentLine.objects.filter(contract=c):
        year = int(line.period) + 1
        fields = {}
        if line.invoiced_at:
            fields["invoiced_at"] = _at(year, 3, 10)
        if line.paid_at:
            fields["paid_at"] = _at(year, 3, 31)
        if fields:
            PaymentLine.objects.filter(pk=line.pk).update(**fields)
    c.refresh_from_db()


@transaction.atomic
def _pilot(tomelilla, barnens_val, lsv, rise, run_business_case, draws):
    from . import services

    owner = _actor("avtalsansvarig@tomelilla.demo", tomelilla, "contract_manager")
    c = services.contract_create(
        actor=owner,
        owner=tomelilla,
        title="Trygga vuxna och skolnärvaro – pilot för barn 6–10 år i Tomelilla",
        reference=PILOT_REFERENCE,
        summary=(
            "Från Tomelillas innovationsprojekt (RFI 2022): skolresultat i lägsta kvartilen även "
            "justerat för socioekonomi, svagt familjestöd och många orosanmälningar. Målområden: "
            "vuxenrelationer, tro på sig själv, skolnärvaro och skolresultat. Pilotfas före upphandling."
        ),
        intervention=(
            "Familje- och skolnära stöd med en trygg vuxen för varje barn; "
            "barnens egna röster i uppföljningen."
        ),
        target_population=(
            "Barn 6–10 år i Tomelilla kommun som skola, socialtjänst eller annan aktör identifierat "
            "har risk för en ohälsosam utveckling."
        ),
        policy_sector="Child and family welfare",  # INDIGO: children at risk and their families
        term_start=datetime.date(2027, 1, 1),
        term_end=datetime.date(2029, 12, 31),
        period_type="year",
        key_dates=[{"label": "Pilotfasen utvärderas", "date": "2028-06-30"}],
    )
    services.party_add(actor=owner, contract=c, organisation=barnens_val, role="provider")
    fund_party = services.party_add(actor=owner, contract=c, organisation=lsv, role="fund", confidential=True)
    services.party_add(actor=owner, contract=c, organisation=rise, role="validator")
    services.cohort_save(
        actor=owner,
        contract=c,
        code="k2027",
        name="Intag 2027",
        entry_start=datetime.date(2027, 1, 1),
        entry_end=datetime.date(2027, 12, 31),
        planned_size=30,
    )
    services.cohort_save(
        actor=owner,
        contract=c,
        code="k2028",
        name="Intag 2028",
        entry_start=datetime.date(2028, 1, 1),
        entry_end=datetime.date(2028, 12, 31),
        planned_size=30,
    )
    services.metric_save(
        actor=owner,
        contract=c,
        code="skolnarvaro",
        name="Skolnärvaro",
        kind="improvement",
        unit="procentenheter",
        definition="Andel av barnen i målgruppen med minst 90 % närvaro under läsåret, i procent.",
        data_source="Skolornas närvarosystem",
        validation_method="RISE jämför närvarouttaget med skolornas egna sammanställningar.",
        counterfactual_description="Utgångsläge: 70 % av barnen i målgruppen har minst 90 % närvaro.",
        rule={
            "direction": "increase",
            "counterfactual": {"kind": "baseline", "value": "70"},
            "price": "40000",
            "threshold": {"kind": "absolute", "value": "2"},
            "cap_total": "1500000",
        },
    )
    services.metric_save(
        actor=owner,
        contract=c,
        code="trygg-vuxen",
        name="Barn med en trygg vuxen",
        kind="improvement",
        unit="procentenheter",
        definition="Andel av barnen som i enkäten svarar att de har en vuxen de litar på, i procent.",
        data_source="Barnens egen enkät (barnens röst), två gånger per år",
        validation_method="RISE genomför och analyserar enkäten.",
        counterfactual_description="Utgångsläge: 60 % enligt enkäten hösten 2026.",
        rule={
            "direction": "increase",
            "counterfactual": {"kind": "baseline", "value": "60"},
            "price": "20000",
            "threshold": {"kind": "absolute", "value": "3"},
            "cap_total": "800000",
        },
        confidential_prices=False,
    )
    services.financing_save(
        actor=owner,
        contract=c,
        fund_party=fund_party,
        commitment=Decimal("2400000"),
        drawdown_schedule=["800000"] * 3,
        return_basis="capped_multiple",
        multiple_cap=Decimal("1.2"),
        fund_surplus_share=Decimal("0.5"),
    )
    c = services.transition(actor=owner, contract=c, to="negotiation")
    if run_business_case:
        _business_case(
            owner,
            c,
            name="Pilotens förväntade utfall",
            effect={"kind": "triangular", "low": 0.02, "mode": 0.08, "high": 0.15},
            baseline=4,
            draws=draws,
        )
    return c


def _business_case(actor, contract, *, name: str, effect: dict, baseline: float, draws: int):
    """A scenario through C2's business-case service, run synchronously with a modest number of draws."""
    from . import business_case as bc

    data = bc.default_inputs(contract)
    data.update(effect=effect, baseline_placements=baseline, draws=draws, seed=2026)
    if data["hvb_day_cost"].get("value") in (0, 0.0):
        data["hvb_day_cost"] = {"kind": "triangular", "low": 4000, "mode": 5500, "high": 7500}
    if data["family_home_day_cost"].get("value") in (0, 0.0):
        data["family_home_day_cost"] = {"kind": "triangular", "low": 900, "mode": 1300, "high": 1800}
    inputs = bc.ScenarioInputs.model_validate(data)
    scenario = bc.scenario_create(actor=actor, contract=contract, inputs=inputs, name=name)
    bc.scenario_run(scenario.pk)
    return scenario
