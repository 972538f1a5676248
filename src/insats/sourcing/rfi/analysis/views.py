"""The RFI analysis page and its Excel and PDF exports (the buyer's analysts and procurers)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.audit.reads import export_audited, log_read
from insats.platform import spreadsheets
from insats.sourcing.rfi.models import Rfi

from . import exports
from .selectors import analyse

NAV = "sourcing"

# "Skapa … från dialogen": where the dialogue's result can lead. Only the pages that exist are offered.
FORWARD = (
    ("interventions:intervention_create", _("Skapa en pilot (insats i katalogen) från dialogen")),
    ("sourcing:grant_round_create", _("Skapa en bidragsomgång från dialogen")),
    ("sourcing:iop_create", _("Skapa ett IOP från dialogen")),
    ("sourcing:tender_create", _("Skapa en upphandling från dialogen")),
    ("contracts:create", _("Skapa ett utfallskontrakt från dialogen")),
)


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def forward_links(rfi) -> list[tuple[str, str]]:
    links = []
    for name, label in FORWARD:
        url = _url(name)
        if url:
            links.append((f"{url}?rfi={rfi.pk}", label))
    return links


def _rfi(actor, pk) -> Rfi:
    return access.get_or_404(actor, Rfi.objects.select_related("organisation"), "rfi.analyse", pk=pk)


def _query(request) -> str:
    return request.GET.urlencode()


@require("rfi.analyse")
def rfi_analysis(request, pk):
    actor = actor_for(request)
    rfi = _rfi(actor, pk)
    analysis = analyse(rfi, request.GET)
    can_assess = access.can(actor, "secrecy.assess")
    return render(
        request,
        "sourcing/rfi/analysis/page.html",
        {
            "rfi": rfi,
            "analysis": analysis,
            "forward": forward_links(rfi),
            "rfi_url": _url("sourcing:rfi_detail", rfi.pk),
            "query": _query(request),
            "can_assess": can_assess,
            "warning": exports.warning(),
            "nav_active": NAV,
        },
    )


@require("rfi.analyse")
@export_audited("sourcing.rfi.analysis")
def rfi_analysis_xlsx(request, pk):
    actor = actor_for(request)
    rfi = _rfi(actor, pk)
    analysis = analyse(rfi, request.GET)
    data = exports.analysis_xlsx(analysis)
    log_read(request, rfi, "sourcing.rfi.analysis.exported", format="xlsx", filters=analysis.active_filters)
    return spreadsheets.xlsx_response(data, f"marknadsdialog-{slugify(rfi.title)[:40] or rfi.pk}.xlsx")


@require("rfi.analyse")
@export_audited("sourcing.rfi.analysis")
def rfi_analysis_pdf(request, pk):
    actor = actor_for(request)
    rfi = _rfi(actor, pk)
    analysis = analyse(rfi, request.GET)
    data = exports.analysis_pdf(analysis)
    log_read(request, rfi, "sourcing.rfi.analysis.exported", format="pdf", filters=analysis.active_filters)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="marknadsdialog-{slugify(rfi.title)[:40] or rfi.pk}.pdf"'
    )
    return response
