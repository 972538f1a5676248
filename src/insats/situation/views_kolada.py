"""Start a Kolada sync from the UI; the job page (accounts:job) shows its progress."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from insats.accounts import access
from insats.accounts.access import actor_for, require
from insats.accounts.models import BackgroundJob

from . import numbers
from .forms_kolada import KoladaSyncForm
from .models import Area, Gender, Indicator, IndicatorSource
from .tasks import KOLADA_JOB_KIND, start_kolada_sync


@require("situation.kolada_sync")
def kolada_sync(request):
    actor = actor_for(request)
    if actor.organisation is None:
        raise Http404
    synced = list(
        Indicator.objects.filter(organisation__isnull=True, source=IndicatorSource.KOLADA)
        .order_by("kolada_kpi_id")
        .values_list("kolada_kpi_id", flat=True)
    )
    this_year = timezone.localdate().year
    initial = {"kpis": ", ".join(synced), "years": f"{this_year - 10}-{this_year - 1}"}
    form = KoladaSyncForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        job = start_kolada_sync(
            user=request.user,
            organisation=actor.organisation,
            kpis=form.cleaned_data["kpis"],
            years=form.cleaned_data["years"],
            municipalities=form.cleaned_data["municipalities"],
        )
        return redirect("accounts:job", pk=job.pk)
    jobs = list(access.scope(actor, BackgroundJob.objects.filter(kind=KOLADA_JOB_KIND), "job.view")[:10])
    latest = next((j for j in jobs if j.status == BackgroundJob.Status.DONE), None)
    return render(
        request,
        "situation/kolada_sync.html",
        {
            "form": form,
            "jobs": jobs,
            "latest": latest,
            "revisions": _revision_rows(latest.result.get("revisions", [])) if latest else [],
            "section": "kolada",
            "nav_active": "situation",
        },
    )


def _exact(text: str | None) -> str | None:
    """A stored value as Kolada gave it (every decimal it has, none added), in the page's format."""
    if text is None:
        return None
    d = Decimal(text).normalize()
    return numbers.fmt_num(d, max(0, -d.as_tuple().exponent))


def _revision_rows(revisions: list[dict]) -> list[dict]:
    names = dict(Area.objects.filter(code__in={r["area"] for r in revisions}).values_list("code", "name"))
    genders = dict(Gender.choices)
    return [
        {
            "kpi": r["kpi"],
            "area": names.get(r["area"], r["area"]),
            "period": r["period"],
            "gender": genders.get(r["gender"], r["gender"]),
            "old": _exact(r["old"]),
            "new": _exact(r["new"]),
        }
        for r in revisions
    ]
