"""Outcomes contracts (utfallskontrakt): the contract, its parties, cohorts, outcome metrics and
prices, financing terms, business-case scenarios, reported results, payments, the fund's ledger,
changes by joint decision with versions, and the action plan.

Single-object rules live here; workflows (status changes, signing, joint changes, payments) live in
``services*.py`` and every figure comes from ``insats.core``. Access: a contract is owned by the
commissioner that drafted it (``owner``) and seen by every organisation that is a **party** of it
(``access_party_ids`` / ``access_party_lookup``, used by ``accounts.access``); nobody else.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}
RATIO = {"max_digits": 9, "decimal_places": 6}  # 0.05 = 5 %, 1.2 = 1.2×
MEASURE = {"max_digits": 20, "decimal_places": 6}  # counts, days, percentages, SEK for savings


# --- the contract --------------------------------------------------------------------------------


def validate_currency(value: str) -> None:
    """An ISO 4217 code the core computes in (two decimals), see ``insats.core.currency``."""
    from django.core.exceptions import ValidationError

    from insats.core import currency

    if currency.problem(value):
        raise ValidationError(
            _("%(code)s är inte en valuta som stöds (ISO 4217 med två decimaler, t.ex. SEK, EUR, NOK).")
            % {"code": value}
        )


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    NEGOTIATION = "negotiation", _("Förhandling")
    SIGNED = "signed", _("Undertecknat")
    ACTIVE = "active", _("Genomförande")
    CLOSED = "closed", _("Avslutat")
    CANCELLED = "cancelled", _("Avbrutet")


class PolicySector(models.TextChoices):
    """The policy sector of an outcomes contract: INDIGO's list (the values are INDIGO's own)."""

    CHILD_FAMILY = "Child and family welfare", _("Barn och familj")
    EDUCATION = "Education", _("Utbildning")
    HEALTH = "Health", _("Hälsa")
    EMPLOYMENT = "Employment and training", _("Arbete och utbildning för arbete")
    HOMELESSNESS = "Homelessness", _("Hemlöshet")
    CRIMINAL_JUSTICE = "Criminal justice", _("Rättsväsende och brottsprevention")
    POVERTY = "Poverty reduction", _("Minskad fattigdom")
    AGRICULTURE_ENVIRONMENT = "Agriculture and environment", _("Jordbruk och miljö")


class PeriodType(models.TextChoices):
    YEAR = "year", _("År")
    HALF = "half", _("Halvår")
    QUARTER = "quarter", _("Kvartal")
    MONTH = "month", _("Månad")


PERIODS_PER_YEAR = {"year": 1, "half": 2, "quarter": 4, "month": 12}


class Contract(models.Model):
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="owned_contracts",
        verbose_name=_("beställare som upprättar"),
    )
    title = models.CharField(_("titel"), max_length=200)
    reference = models.SlugField(
        _("kortnamn"),
        max_length=60,
        help_text=_("Ett kort id utan mellanslag, t.ex. 'barnens-val-2026'. Används i exporter."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    summary = models.TextField(_("sammanfattning"), blank=True, default="")
    intervention = models.TextField(
        _("insats"), blank=True, default="", help_text=_("Vad utföraren gör, för vem och hur.")
    )
    target_population = models.TextField(
        _("målgrupp"), blank=True, default="", help_text=_("Vilka kontraktet gäller och hur de identifieras.")
    )
    policy_sector = models.CharField(
        _("politikområde"),
        max_length=40,
        choices=PolicySector.choices,
        blank=True,
        default="",
        help_text=_("Politikområdet enligt INDIGO:s lista; används i INDIGO-exporten."),
    )
    currency = models.CharField(
        _("valuta"),
        max_length=3,
        default="SEK",
        validators=[validate_currency],
        help_text=_("Valutan kontraktets alla belopp anges och betalas i (ISO 4217, t.ex. SEK eller EUR)."),
    )
    result = models.ForeignKey(
        "situation.Result",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("resultat i lägesbilden"),
    )
    target_group = models.ForeignKey(
        "situation.TargetGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("målgrupp i lägesbilden"),
    )
    term_start = models.DateField(_("kontraktsperiodens start"))
    term_end = models.DateField(_("kontraktsperiodens slut"))
    period_type = models.CharField(
        _("periodlängd"), max_length=8, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    key_dates = models.JSONField(
        _("viktiga datum"), default=list, blank=True, help_text=_("[{'label': ..., 'date': 'ÅÅÅÅ-MM-DD'}]")
    )
    # Contract-level terms in the core's JSON form: {"caps": {"total", "per_period"}, "carry_forward"},
    # and "payment_due": {period id: "ÅÅÅÅ-MM-DD"} for periods with a due date of their own.
    payment_terms = models.JSONField(_("betalningsvillkor"), default=dict, blank=True)
    preliminary_results = models.BooleanField(
        _("preliminära resultat"),
        default=False,
        help_text=_("Resultat får rapporteras och godkännas innan perioden är slut."),
    )
    payment_days = models.PositiveSmallIntegerField(
        _("betalningsfrist (dagar)"),
        default=30,
        help_text=_("Antal dagar efter periodens slut tills betalningen för perioden förfaller."),
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    cancel_reason = models.TextField(_("skäl till avbrott"), blank=True, default="")
    signed_at = models.DateTimeField(_("undertecknat"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_owner_field = "owner"
    access_party_lookup = "parties__organisation"

    class Meta:
        verbose_name = _("utfallskontrakt")
        verbose_name_plural = _("utfallskontrakt")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "reference"], name="contract_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(term_start__lte=models.F("term_end")), name="contract_term_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def access_party_ids(self) -> set[int]:
        return set(self.parties.values_list("organisation_id", flat=True))

    def access_party_roles(self, organisation_id: int | None) -> set[str]:
        """The roles ``organisation_id`` holds in this contract (empty: not a party)."""
        if organisation_id is None:
            return set()
        return set(self.parties.filter(organisation_id=organisation_id).values_list("role", flat=True))

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("Slutdatum måste vara samma dag som eller efter start.")})

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period_type]

    @property
    def is_editable(self) -> bool:
        """Terms change freely while drafting or negotiating; after signing only by joint decision."""
        return self.status in (ContractStatus.DRAFT, ContractStatus.NEGOTIATION)

    def period_ids(self) -> list[str]:
        return [p["id"] for p in period_schedule(self.term_start, self.term_end, self.period_type)]

    # Dates of a period: the one place the date rules (issue 8, item 3) read them from.

    def period(self, period_id: str) -> dict | None:
        """``{"id", "label", "start", "end"}`` of one period of the contract (None: not in it)."""
        for p in period_schedule(self.term_start, self.term_end, self.period_type):
            if p["id"] == period_id:
                return p
        return None

    def period_started(self, period_id: str, today: datetime.date) -> bool:
        p = self.period(period_id)
        return p is not None and p["start"] <= today

    def period_ended(self, period_id: str, today: datetime.date) -> bool:
        """True once the whole period lies before ``today``."""
        p = self.period(period_id)
        return p is not None and p["end"] < today

    def payment_due_date(self, period_id: str) -> datetime.date | None:
        """The day the payment for a period falls due: the contract's own date for that period
        (``payment_terms["payment_due"]``), otherwise its last day plus the payment term."""
        p = self.period(period_id)
        if p is None:
            return None
        own = ((self.payment_terms or {}).get("payment_due") or {}).get(period_id)
        if own:
            return datetime.date.fromisoformat(own)
        return p["end"] + datetime.timedelta(days=self.payment_days)


def period_schedule(start: datetime.date, end: datetime.date, period_type: str) -> list[dict]:
    """The payment periods covering [start, end]: ``[{"id", "label", "start", "end"}]``.

    Ids: year ``2026``, half ``2026-H1``, quarter ``2026-Q1``, month ``2026-01``. Periods follow the
    calendar, so a term starting mid-year has a first, partial period.
    """
    months = 12 // PERIODS_PER_YEAR[period_type]
    out = []
    year, index = start.year, (start.month - 1) // months
    while True:
        first_month = index * months + 1
        p_start = datetime.date(year, first_month, 1)
        if p_start > end:
            break
        last_month = first_month + months - 1
        next_first = datetime.date(year + (last_month // 12), last_month % 12 + 1, 1)
        p_end = next_first - datetime.timedelta(days=1)
        if period_type == "year":
            pid = f"{year}"
        elif period_type == "half":
            pid = f"{year}-H{index + 1}"
        elif period_type == "quarter":
            pid = f"{year}-Q{index + 1}"
        else:
            pid = f"{year}-{first_month:02d}"
        out.append({"id": pid, "label": pid, "start": p_start, "end": p_end})
        index += 1
        if index * months >= 12:
            year, index = year + 1, 0
    return out


def period_of(day: datetime.date, period_type: str) -> str:
    """The id of the period that contains ``day``."""
    return period_schedule(day, day, period_type)[0]["id"]


# --- parties --------------------------------------------------------------------------------------


class ContractPart:
    """Access for everything that belongs to one contract: its owner and parties are the contract's."""

    access_owner_field = "contract__owner"
    access_party_lookup = "contract__parties__organisation"
    contract: Contract

    def access_owner_ids(self) -> set[int]:
        return {self.contract.owner_id}

    def access_party_ids(self) -> set[int]:
        return self.contract.access_party_ids()

    def access_party_roles(self, organisation_id: int | None) -> set[str]:
        return self.contract.access_party_roles(organisation_id)


class PartyRole(models.TextChoices):
    COMMISSIONER = "commissioner", _("Beställare")
    PAYER = "payer", _("Betalare")
    PROVIDER = "provider", _("Utförare")
    FUND = "fund", _("Utfallsfond")
    VALIDATOR = "validator", _("Validerare")
    INTERMEDIARY = "intermediary", _("Intermediär")


PAYING_ROLES = (PartyRole.COMMISSIONER, PartyRole.PAYER)
SIGNATORY_ROLES = ("admin", "contract_manager")


class ContractParty(ContractPart, models.Model):
    """An organisation taking part in a contract, in one role. One row per organisation.

    A commissioner or payer with a ``payer_share`` above zero pays that share (in per cent) of every
    outcome payment; the shares of all payers sum to 100 % before the contract can be signed.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contract_parties"
    )
    role = models.CharField(_("roll"), max_length=16, choices=PartyRole.choices)
    payer_share = models.DecimalField(
        _("andel av betalningarna (%)"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    payer_cap = models.DecimalField(_("betalarens tak (kr)"), null=True, blank=True, **MONEY)
    signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("firmatecknare"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("undertecknat"), null=True, blank=True)
    confidential = models.BooleanField(
        _("konfidentiell"), default=False, help_text=_("Visas som PRIVATE i öppna exporter (INDIGO).")
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["contract", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "organisation"], name="party_once_per_contract"),
            models.CheckConstraint(
                condition=models.Q(payer_share__isnull=True) | models.Q(payer_share__lte=100),
                name="party_share_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def is_payer(self) -> bool:
        return self.role in PAYING_ROLES and bool(self.payer_share)

    @property
    def payer_id(self) -> str:
        """The payer's id in the core's JSON form."""
        return f"party-{self.pk}"


class Cohort(ContractPart, models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="cohorts")
    code = models.SlugField(_("kod"), max_length=40)
    name = models.CharField(_("namn"), max_length=200)
    entry_start = models.DateField(_("intag från"))
    entry_end = models.DateField(_("intag till"))
    planned_size = models.PositiveIntegerField(_("planerat antal deltagare"), null=True, blank=True)

    class Meta:
        verbose_name = _("kohort")
        verbose_name_plural = _("kohorter")
        ordering = ["contract", "entry_start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="cohort_code_unique"),
            models.CheckConstraint(
                condition=models.Q(entry_start__lte=models.F("entry_end")), name="cohort_entry_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- outcome metrics and prices --------------------------------------------------------------------


class MetricKind(models.TextChoices):
    RATE_CARD = "rate_card", _("Prislista per deltagare")
    IMPROVEMENT = "improvement", _("Förbättring mot jämförelse")
    BLENDED = "blended", _("Sammanvägd effektskattning")
    SAVINGS = "savings", _("Delade besparingar")
    CONDITION = "condition", _("Villkor (betalas inte självt)")


class OutcomeMetric(ContractPart, models.Model):
    """An outcome metric (utfallsmått): what is measured, how, against what, and how it is priced.

    ``rule`` is the core's metric in its JSON form *without* ``id``, ``name`` and ``unit`` (those come
    from ``code``, ``name`` and ``unit``): kind, direction, counterfactual, price or tiers, thresholds,
    caps… — see docs/core/payments.md. It is validated with ``insats.core.payments`` models.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="metrics")
    code = models.SlugField(_("kod"), max_length=40, help_text=_("Kort id, t.ex. 'placeringar'."))
    name = models.CharField(_("namn"), max_length=200)
    order = models.PositiveSmallIntegerField(_("prioritet"), default=0)
    kind = models.CharField(_("prismodell"), max_length=16, choices=MetricKind.choices)
    definition = models.TextField(_("definition"), blank=True, default="")
    unit = models.CharField(_("enhet"), max_length=60, blank=True, default="")
    data_source = models.CharField(_("datakälla"), max_length=300, blank=True, default="")
    validation_method = models.TextField(_("valideringsmetod"), blank=True, default="")
    counterfactual_description = models.TextField(_("hur jämförelsen tas fram"), blank=True, default="")
    measurement_periods = models.JSONField(
        _("mätperioder"), default=list, blank=True, help_text=_("Period-id; tom = alla perioder.")
    )
    rule = models.JSONField(_("prisregel"), default=dict)
    whole_numbers = models.BooleanField(
        _("antal (heltal)"),
        default=False,
        help_text=_("Mätvärdet är ett antal, t.ex. placeringar eller deltagare, och rapporteras i hela tal."),
    )
    confidential_prices = models.BooleanField(_("priser konfidentiella"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("utfallsmått")
        verbose_name_plural = _("utfallsmått")
        ordering = ["contract", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="metric_code_unique")]

    def __str__(self) -> str:
        return self.name

    def core_json(self) -> dict:
        """The metric in the core's JSON form."""
        data = {k: v for k, v in (self.rule or {}).items() if k not in ("id", "name", "unit")}
        data.update({"id": self.code, "kind": self.kind, "name": self.name})
        if self.unit:
            data["unit"] = self.unit
        return data

    @property
    def counterfactual(self) -> dict | None:
        return (self.rule or {}).get("counterfactual")


# --- financing -------------------------------------------------------------------------------------


class ReturnBasis(models.TextChoices):
    FIXED_RATE = "fixed_rate", _("Fast årlig ränta")
    CAPPED_MULTIPLE = "capped_multiple", _("Takad multipel")


class FinancingTerms(ContractPart, models.Model):
    """The fund's pre-financing: commitment, drawdown schedule (provider costs per period), return
    and surplus share — ``insats.core.financing.FinancingTerms`` in the database."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="financing")
    fund_party = models.ForeignKey(
        ContractParty, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commitment = models.DecimalField(_("åtagande (kr)"), **MONEY)
    drawdown_schedule = models.JSONField(
        _("utbetalningsplan"), default=list, help_text=_("Utförarens kostnader per period, i kronor.")
    )
    return_basis = models.CharField(_("avkastning"), max_length=16, choices=ReturnBasis.choices)
    annual_rate = models.DecimalField(_("årlig ränta"), null=True, blank=True, **RATIO)
    multiple_cap = models.DecimalField(_("multipeltak"), null=True, blank=True, **RATIO)
    fund_surplus_share = models.DecimalField(_("fondens andel av överskottet"), **RATIO)
    # Investors and guarantees in the core's JSON form: {"tranches": [...], "guarantees": [...]}
    # (insats.core.financing.Tranche / Guarantee); {} = the fund alone, no guarantee.
    loss_cover = models.JSONField(_("investerare och garantier"), default=dict, blank=True)
    confidential = models.BooleanField(_("konfidentiellt"), default=False)
    notes = models.TextField(_("anteckningar"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("finansieringsvillkor")
        verbose_name_plural = _("finansieringsvillkor")

    def __str__(self) -> str:
        return f"{self.contract}: {self.commitment} kr"


# --- business case (C2) ----------------------------------------------------------------------------


class BusinessCaseScenario(ContractPart, models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("namn"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    inputs = models.JSONField(_("indata"), default=dict)
    result = models.JSONField(_("resultat"), default=dict, blank=True)
    job = models.ForeignKey(
        "accounts.BackgroundJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derived"
    )
    notes = models.TextField(_("anteckningar"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("affärscase-scenario")
        verbose_name_plural = _("affärscase-scenarier")
        ordering = ["contract", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "name", "version"], name="scenario_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


# --- results, payments, ledger (C3) -----------------------------------------------------------------


class ResultStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inlämnat")
    APPROVED = "approved", _("Godkänt")
    RETURNED = "returned", _("Återsänt")


class ResultReport(ContractPart, models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="result_reports")
    metric = models.ForeignKey(OutcomeMetric, on_delete=models.PROTECT, related_name="reports")
    period = models.CharField(_("period"), max_length=16)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    value = models.DecimalField(_("uppmätt värde"), null=True, blank=True, **MEASURE)
    counterfactual_value = models.DecimalField(_("jämförelsevärde"), null=True, blank=True, **MEASURE)
    denominator = models.DecimalField(
        _("nämnare"),
        null=True,
        blank=True,
        help_text=_("Kvotmått: nämnaren, t.ex. antal barndygn; andelar: antal i kohorten om det avviker."),
        **MEASURE,
    )
    estimates = models.JSONField(_("effektskattningar"), null=True, blank=True)
    participants = models.JSONField(_("deltagarrader"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ResultStatus.choices, default=ResultStatus.DRAFT
    )
    comments = models.TextField(_("kommentarer"), blank=True, default="")
    source = models.CharField(_("källa"), max_length=16, blank=True, default="form")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resultatrapport")
        verbose_name_plural = _("resultatrapporter")
        ordering = ["contract", "period", "metric", "cohort"]
        # One result per metric, period and cohort: a draft or a returned report is corrected in
        # place and an approved one is final, so there is never a second row (issue 8, item 1).
        # Two conditional constraints because NULL cohorts are distinct in a plain unique index.
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "metric", "period", "cohort"],
                condition=models.Q(cohort__isnull=False),
                name="result_once_per_cohort",
            ),
            models.UniqueConstraint(
                fields=["contract", "metric", "period"],
                condition=models.Q(cohort__isnull=True),
                name="result_once_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period}"


class PaymentStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    DUE = "due", _("Att betala")
    INVOICED = "invoiced", _("Fakturerad")
    PAID = "paid", _("Betald")


class PaymentLine(ContractPart, models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payment_lines")
    period = models.CharField(_("period"), max_length=16)
    payer = models.ForeignKey(ContractParty, on_delete=models.PROTECT, related_name="payment_lines")
    metric = models.ForeignKey(
        OutcomeMetric, on_delete=models.PROTECT, null=True, blank=True, related_name="payment_lines"
    )
    planned = models.DecimalField(_("planerat (kr)"), default=Decimal("0.00"), **MONEY)
    due = models.DecimalField(_("att betala (kr)"), default=Decimal("0.00"), **MONEY)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PLANNED
    )
    invoiced_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_amount = models.DecimalField(_("betalt (kr)"), null=True, blank=True, **MONEY)
    calculation = models.JSONField(_("beräkning"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("betalningsrad")
        verbose_name_plural = _("betalningsrader")
        ordering = ["contract", "period", "payer"]

    def __str__(self) -> str:
        return f"{self.period} {self.payer}: {self.due}"


class LedgerKind(models.TextChoices):
    DRAW = "draw", _("Utbetalning från fonden")
    REPAYMENT_PRINCIPAL = "repayment_principal", _("Återbetalt kapital")
    RETURN = "return", _("Avkastning")
    SURPLUS_FUND = "surplus_fund", _("Överskott till fonden")
    SURPLUS_PROVIDER = "surplus_provider", _("Överskott till utföraren")
    LOSS = "loss", _("Förlust")


class LedgerEntry(ContractPart, models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="ledger_entries")
    period = models.CharField(_("period"), max_length=16)
    period_index = models.PositiveSmallIntegerField(_("periodnummer"), default=1)
    kind = models.CharField(_("slag"), max_length=24, choices=LedgerKind.choices)
    amount = models.DecimalField(_("belopp (kr)"), **MONEY)
    source = models.JSONField(_("underlag"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fondbokföring")
        verbose_name_plural = _("fondbokföring")
        ordering = ["contract", "period_index", "kind"]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()}: {self.amount}"


# --- changes by joint decision and versions ------------------------------------------------------------


class ChangeKind(models.TextChoices):
    METRICS = "metrics", _("Utfallsmått")
    PRICES = "prices", _("Priser")
    FINANCING = "financing", _("Finansiering")
    ACTION_PLAN = "action_plan", _("Handlingsplan")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Öppen")
    APPROVED = "approved", _("Genomförd")
    REJECTED = "rejected", _("Avslagen")
    WITHDRAWN = "withdrawn", _("Återtagen")


class ChangeProposal(ContractPart, models.Model):
    """A proposed change of a signed contract; takes effect when every party has approved it.

    ``payload`` by kind (all amounts as decimal strings):

    * ``metrics`` / ``prices``: ``{"metrics": [{"code", "name", "kind", "rule", "definition", "unit",
      "data_source", "validation_method", "counterfactual_description", "measurement_periods"}],
      "remove": [code, ...]}`` — listed metrics are created or replaced by code;
    * ``financing``: the financing fields (``commitment``, ``drawdown_schedule``, ``return_basis``,
      ``annual_rate``, ``multiple_cap``, ``fund_surplus_share``);
    * ``action_plan``: ``{"actions": [{"title", "description", "owner_party", "responsible",
      "start", "end", "status"}]}`` — replaces the plan.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="change_proposals")
    kind = models.CharField(_("slag"), max_length=16, choices=ChangeKind.choices)
    description = models.TextField(_("beskrivning och skäl"))
    payload = models.JSONField(_("ändring"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_by_party = models.ForeignKey(
        ContractParty, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    resulting_version = models.ForeignKey(
        "ContractVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ändringsförslag")
        verbose_name_plural = _("ändringsförslag")
        ordering = ["contract", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"


class Decision(models.TextChoices):
    APPROVE = "approve", _("Godkänner")
    REJECT = "reject", _("Avslår")


class ChangeApproval(models.Model):
    proposal = models.ForeignKey(ChangeProposal, on_delete=models.CASCADE, related_name="approvals")
    party = models.ForeignKey(ContractParty, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decision = models.CharField(_("beslut"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("motivering"), blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("godkännande")
        verbose_name_plural = _("godkännanden")
        ordering = ["proposal", "at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "party"], name="approval_once_per_party")]


class ContractVersion(ContractPart, models.Model):
    """A snapshot of the agreed terms: made at signing (version 1) and at every joint change."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("ögonblicksbild"))
    approved_by = models.JSONField(_("godkänd av"), default=list)
    reason = models.CharField(_("anledning"), max_length=200, blank=True, default="")
    proposal = models.ForeignKey(
        ChangeProposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kontraktsversion")
        verbose_name_plural = _("kontraktsversioner")
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.contract} v{self.number}"


# --- action plan -------------------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    ONGOING = "ongoing", _("Pågår")
    DONE = "done", _("Klar")
    CANCELLED = "cancelled", _("Struken")


class ContractAction(ContractPart, models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("åtgärd"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, default="")
    owner_party = models.ForeignKey(
        ContractParty,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("ansvarig part"),
    )
    responsible = models.CharField(_("ansvarig person"), max_length=200, blank=True, default="")
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("slut"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("handlingsplan")
        ordering = ["contract", "order", "start", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Slutdatum måste vara samma dag som eller efter start.")})
