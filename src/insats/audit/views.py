from __future__ import annotations

import json

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from insats.accounts.access import actor_for, require
from insats.platform import spreadsheets
from insats.platform.jobs import job_start

from . import labels, selectors
from .reads import export_audited
from .services import log_action
from .tasks import verify_audit_chain


class SearchForm(forms.Form):
    person = forms.CharField(label=_("Person"), required=False)
    obj = forms.CharField(label=_("Objekt"), required=False, help_text=_("Namn, typ eller id"))
    action = forms.CharField(label=_("Händelse"), required=False, help_text=_("T.ex. auth.login_failed"))
    date_from = forms.DateField(
        label=_("Från datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Till datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _filtered(request):
    actor = actor_for(request)
    form = SearchForm(request.GET or None)
    qs = selectors.entries_for(actor)
    if form.is_valid():
        qs = selectors.search(qs, **form.cleaned_data)
    elif form.is_bound:
        qs = qs.none()
    return form, qs


@require("audit.view")
def search(request):
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = labels.with_object_labels(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav_active": "audit"},
    )


@require("audit.view")
@export_audited("audit")
def export_csv(request):
    form, qs = _filtered(request)
    log_action(
        "audit.exported",
        organisation=actor_for(request).organisation,
        changes={"filters": dict(request.GET.items())},
    )
    header = [
        gettext("löpnummer"),
        gettext("tid"),
        gettext("aktör"),
        gettext("organisation"),
        gettext("händelse"),
        gettext("objekttyp"),
        gettext("objekt-id"),
        gettext("objekt"),
        gettext("ändringar (JSON)"),
        gettext("anrops-id"),
        gettext("kontrollsumma"),
    ]

    def rows():
        yield header
        for e in qs.iterator(chunk_size=1000):
            yield (
                [
                    e.seq,
                    timezone.localtime(e.at).isoformat(),
                    e.actor_label,
                    e.organisation.name if e.organisation else "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_label,
                    json.dumps(e.changes, ensure_ascii=False, sort_keys=True),
                    e.request_id,
                    e.entry_hash,
                ]
            )

    return spreadsheets.csv_streaming_response(rows(), "granskningslogg.csv")


@require("audit.view")
@require_POST
def verify(request):
    actor = actor_for(request)
    job = job_start(
        user=request.user,
        organisation=actor.organisation,
        kind="audit.verify",
        title=str(_("Kontroll av granskningsloggens kedja")),
        task=verify_audit_chain,
    )
    return redirect("accounts:job", pk=job.pk)
