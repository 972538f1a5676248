"""Reads for the market dialogue: the live lägesbild figures of an RFI, what a viewer may see of the
responses. No writes here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from insats.accounts import access
from insats.situation import lagesbild, numbers
from insats.situation import selectors as situation
from insats.situation.models import Area, Indicator

from .models import ResponseStatus, Rfi, RfiFigure, RfiResponse

# What the buyer ever sees of a response: never a respondent's draft.
VISIBLE_TO_BUYER = (ResponseStatus.SUBMITTED, ResponseStatus.WITHDRAWN)


@dataclass
class FigureRow:
    figure: RfiFigure
    title: str
    area_name: str
    period: int
    value_text: str
    unit: str
    source_line: str
    missing: bool


def figure_row(figure: RfiFigure) -> FigureRow:
    """The figure's current value in the lägesbild, formatted by the situation app, and its source."""
    ind: Indicator = figure.indicator
    obs = situation.series(ind, figure.area).filter(period=figure.period).first()
    title = ind.title_sv
    if (get_language() or "sv").startswith("en") and ind.title_en:
        title = ind.title_en
    if obs is None or obs.value is None:
        return FigureRow(figure, title, figure.area.name, figure.period, "–", "", "", True)
    if obs.count is not None and obs.count < lagesbild.MIN_COUNT:
        # The lägesbild's own words for a value resting on too few children.
        value_text = _("dold (färre än %(n)s)") % {"n": lagesbild.MIN_COUNT}
    else:
        value_text = numbers.fmt_num(float(obs.value), lagesbild.decimals_for(ind))
    source = obs.source_label or lagesbild.Provenance(frozenset({obs.source})).raw_label
    return FigureRow(
        figure,
        title,
        figure.area.name,
        figure.period,
        value_text,
        numbers.level_unit(ind.unit),
        source,
        False,
    )


def figure_rows(rfi: Rfi) -> list[FigureRow]:
    return [figure_row(f) for f in rfi.figures.select_related("indicator", "area")]


def default_area(organisation) -> Area | None:
    return lagesbild.default_area(organisation)


def indicators_with_values(organisation, area: Area | None) -> QuerySet[Indicator]:
    """The indicators the organisation may use that have a value for ``area`` (its lägesbild)."""
    qs = situation.indicators_for(organisation)
    if area is not None:
        qs = qs.filter(observations__area=area, observations__value__isnull=False).distinct()
    return qs.order_by("code")


def latest_period(indicator: Indicator, area: Area) -> int | None:
    obs = situation.series(indicator, area).filter(value__isnull=False).order_by("-period").first()
    return obs.period if obs else None


def responses_for(actor, rfi: Rfi) -> QuerySet[RfiResponse]:
    """The responses to ``rfi`` the actor may read: the buyer the submitted (and withdrawn) ones, a
    respondent only its own, whatever its status."""
    qs = access.scope(actor, RfiResponse.objects.filter(rfi=rfi), "rfi.response.view")
    if actor.organisation_id == rfi.organisation_id:
        qs = qs.filter(status__in=VISIBLE_TO_BUYER)
    else:
        qs = qs.filter(organisation_id=actor.organisation_id)
    return qs.select_related("organisation")


def may_read_response(actor, response: RfiResponse) -> bool:
    if not access.can(actor, "rfi.response.view", response):
        return False
    if actor.organisation_id == response.organisation_id:
        return True
    return response.status in VISIBLE_TO_BUYER


def may_read_content(actor, response: RfiResponse) -> bool:
    """The answers themselves: the respondent always, the buyer only while the response is submitted
    (a withdrawn response shows the buyer its status, not its content)."""
    if not may_read_response(actor, response):
        return False
    return actor.organisation_id == response.organisation_id or response.status == ResponseStatus.SUBMITTED
