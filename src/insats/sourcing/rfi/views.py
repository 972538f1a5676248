"""The market dialogue's pages: the buyer builds and publishes an RFI, anyone reads an open one, a
respondent answers. Thin: access, a form, a service, a template."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insats.accounts import access
from insats.accounts.access import actor_for, public, require
from insats.sourcing.advisor.models import FormDecision
from insats.sourcing.documents.models import Attachment
from insats.sourcing.documents.services import attachment_response, attachments_of

from . import selectors, services
from .forms import FigureForm, QuestionForm, ResponseForm, RfiForm
from .models import ResponseStatus, Rfi, RfiFigure, RfiQuestion, RfiResponse, RfiStatus

NAV = "sourcing"


def _url_or_none(name: str, **kwargs) -> str | None:
    """The URL of a page another part of the app provides, or None while it does not exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _rfi(actor, pk, ability) -> Rfi:
    return access.get_or_404(
        actor, Rfi.objects.select_related("organisation", "target_group"), ability, pk=pk
    )


def _editable(actor, pk) -> Rfi:
    return _rfi(actor, pk, "rfi.edit")


def _context(rfi: Rfi, **extra) -> dict:
    """What every page showing an RFI's call needs: its figures from the lägesbild, live."""
    return {
        "rfi": rfi,
        "figures": selectors.figure_rows(rfi),
        "questions": list(rfi.questions.all()),
        "results": list(rfi.results.all()),
        "nav_active": NAV,
        **extra,
    }


# --------------------------------------------------------------------------- the buyer


@require("rfi.view")
def rfi_list(request):
    actor = actor_for(request)
    rfis = access.scope(actor, Rfi.objects.select_related("organisation"), "rfi.view")
    own = [r for r in rfis if r.organisation_id == actor.organisation_id]
    others = [r for r in rfis if r.organisation_id != actor.organisation_id]
    return render(
        request,
        "sourcing/rfi/rfi_list.html",
        {"own": own, "others": others, "can_create": access.can(actor, "rfi.edit"), "nav_active": NAV},
    )


@require("rfi.edit")
def rfi_create(request):
    actor = actor_for(request)
    decision = None
    raw = request.GET.get("decision") or request.POST.get("decision") or ""
    if raw.isdigit():
        decision = access.get_or_404(actor, FormDecision.objects.all(), "formdecision.view", pk=int(raw))
        if decision.organisation_id != actor.organisation_id:
            raise Http404
    if request.method == "POST":
        form = RfiForm(request.POST, actor=actor)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "results"}
            try:
                rfi = services.rfi_create(
                    actor=actor,
                    organisation=actor.organisation,
                    values=values,
                    results=form.cleaned_data["results"],
                    form_decision=decision,
                )
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, _("Dialogen är skapad som utkast. Lägg till frågor och siffror."))
                return redirect("sourcing:rfi_detail", pk=rfi.pk)
    else:
        initial = {"secrecy_info": services.DEFAULT_SECRECY_INFO}
        if actor.organisation is not None:
            initial["contact_email"] = actor.organisation.contact_email or actor.user.email
            initial["contact_name"] = actor.user.full_name
        if decision is not None:
            initial.update(
                title=decision.title,
                challenge=decision.need_description,
                target_group=decision.target_group_id,
                results=[decision.result_id] if decision.result_id else [],
            )
        form = RfiForm(initial=initial, actor=actor)
    return render(
        request,
        "sourcing/rfi/rfi_form.html",
        {"form": form, "rfi": None, "decision": decision, "nav_active": NAV},
    )


@require("rfi.view")
def rfi_detail(request, pk):
    actor = actor_for(request)
    rfi = _rfi(actor, pk, "rfi.view")
    is_buyer = access.can(actor, "rfi.edit", rfi)
    own_response = None
    if actor.organisation_id != rfi.organisation_id:
        own_response = services.response_for(rfi=rfi, organisation=actor.organisation)
    invite_url = None
    if (
        is_buyer
        and access.can(actor, "sourcing.invite", rfi)
        and rfi.status in (RfiStatus.DRAFT, RfiStatus.PUBLISHED)
    ):
        invite_url = _url_or_none("sourcing:invitation_create", kind="rfi", pk=rfi.pk)
    return render(
        request,
        "sourcing/rfi/rfi_detail.html",
        _context(
            rfi,
            is_buyer=is_buyer,
            responses=selectors.responses_for(actor, rfi)
            if rfi.organisation_id == actor.organisation_id
            else [],
            own_response=own_response,
            can_respond=(
                actor.organisation_id != rfi.organisation_id
                and access.can(actor, "rfi.respond", rfi)
                and rfi.is_open_for_answers
            ),
            problems=services.publish_problems(rfi) if is_buyer and rfi.status == RfiStatus.DRAFT else {},
            invite_url=invite_url,
            analysis_url=_url_or_none("sourcing:rfi_analysis", pk=rfi.pk)
            if access.can(actor, "rfi.analyse", rfi)
            else None,
            secrecy_url=_url_or_none("sourcing:secrecy_list")
            if access.can(actor, "secrecy.view", rfi)
            else None,
        ),
    )


@require("rfi.edit")
def rfi_edit(request, pk):
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    if request.method == "POST":
        form = RfiForm(request.POST, instance=Rfi.objects.get(pk=rfi.pk), actor=actor)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "results"}
            try:
                services.rfi_update(actor=actor, rfi=rfi, values=values, results=form.cleaned_data["results"])
            except ValidationError as exc:
                _errors_to(form, exc)
            else:
                messages.success(request, _("Dialogen är sparad."))
                return redirect("sourcing:rfi_detail", pk=rfi.pk)
    else:
        form = RfiForm(instance=rfi, actor=actor)
    return render(request, "sourcing/rfi/rfi_form.html", {"form": form, "rfi": rfi, "nav_active": NAV})


@require("rfi.edit")
def rfi_questions(request, pk):
    """The questions editor: the list, a form for a new question and seed 000's ready set."""
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(actor=actor, rfi=rfi, values=form.values())
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Frågan är tillagd."))
            return redirect("sourcing:rfi_questions", pk=rfi.pk)
    return render(
        request,
        "sourcing/rfi/rfi_questions.html",
        {
            "rfi": rfi,
            "questions": list(rfi.questions.all()),
            "form": form,
            "editable": rfi.status == RfiStatus.DRAFT,
            "nav_active": NAV,
        },
    )


@require("rfi.edit")
@require_POST
def rfi_questions_seed(request, pk):
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    try:
        added = services.questions_add_seed_set(actor=actor, rfi=rfi)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s frågor från Tomelillas mall är tillagda.") % {"n": len(added)})
    return redirect("sourcing:rfi_questions", pk=rfi.pk)


def _question(rfi, question_pk) -> RfiQuestion:
    q = RfiQuestion.objects.filter(rfi=rfi, pk=question_pk).first()
    if q is None:
        raise Http404
    return q


@require("rfi.edit")
def rfi_question_edit(request, pk, question_pk):
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    question = _question(rfi, question_pk)
    form = QuestionForm(request.POST or None, instance=RfiQuestion.objects.get(pk=question.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(actor=actor, question=question, values=form.values())
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Frågan är sparad."))
            return redirect("sourcing:rfi_questions", pk=rfi.pk)
    return render(
        request,
        "sourcing/rfi/rfi_question_form.html",
        {"rfi": rfi, "question": question, "form": form, "nav_active": NAV},
    )


def _confirm(request, *, title, question, submit, back, error=None):
    return render(
        request,
        "sourcing/rfi/confirm.html",
        {
            "title": title,
            "question": question,
            "submit": submit,
            "back": back,
            "error": error,
            "nav_active": NAV,
        },
    )


@require("rfi.edit")
def rfi_question_delete(request, pk, question_pk):
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    question = _question(rfi, question_pk)
    back = reverse("sourcing:rfi_questions", args=[rfi.pk])
    error = None
    if request.method == "POST":
        try:
            services.question_delete(actor=actor, question=question)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Frågan är borttagen."))
            return redirect(back)
    return _confirm(
        request,
        title=_("Ta bort frågan"),
        question=_("Vill du ta bort frågan ”%(text)s”?") % {"text": question.text},
        submit=_("Ta bort"),
        back=back,
        error=error,
    )


@require("rfi.edit")
def rfi_figures(request, pk):
    """Figures from the lägesbild in the challenge: pick an indicator of the organisation's area."""
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    form = FigureForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.figure_add(actor=actor, rfi=rfi, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Siffran är tillagd."))
            return redirect("sourcing:rfi_figures", pk=rfi.pk)
    return render(
        request,
        "sourcing/rfi/rfi_figures.html",
        {"rfi": rfi, "figures": selectors.figure_rows(rfi), "form": form, "nav_active": NAV},
    )


@require("rfi.edit")
def rfi_figure_delete(request, pk, figure_pk):
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    figure = RfiFigure.objects.filter(rfi=rfi, pk=figure_pk).select_related("indicator", "area").first()
    if figure is None:
        raise Http404
    back = reverse("sourcing:rfi_figures", args=[rfi.pk])
    error = None
    if request.method == "POST":
        try:
            services.figure_remove(actor=actor, figure=figure)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Siffran är borttagen."))
            return redirect(back)
    return _confirm(
        request,
        title=_("Ta bort siffran"),
        question=_("Vill du ta bort %(ind)s (%(area)s %(year)s) ur dialogen?")
        % {"ind": figure.indicator.title_sv, "area": figure.area.name, "year": figure.period},
        submit=_("Ta bort"),
        back=back,
        error=error,
    )


STATUS_ACTIONS = {
    "publicera": (
        services.rfi_publish,
        _("Publicera dialogen"),
        _("Dialogen publiceras för inbjudna organisationer och, om den är öppen, på den öppna sidan."),
        _("Publicera"),
        _("Dialogen är publicerad."),
    ),
    "avsluta": (
        services.rfi_close,
        _("Avsluta dialogen"),
        _("Dialogen avslutas: inga fler svar tas emot. Inskickade svar finns kvar."),
        _("Avsluta"),
        _("Dialogen är avslutad."),
    ),
    "avbryt": (
        services.rfi_cancel,
        _("Avbryt dialogen"),
        _("Dialogen avbryts och tar inte emot fler svar. Det går inte att ångra."),
        _("Avbryt dialogen"),
        _("Dialogen är avbruten."),
    ),
}


@require("rfi.edit")
def rfi_status(request, pk, action):
    """Publish, close or cancel (a confirmation page first; the POST does it)."""
    actor = actor_for(request)
    rfi = _editable(actor, pk)
    if action not in STATUS_ACTIONS:
        raise Http404
    service, title, question, submit, done = STATUS_ACTIONS[action]
    back = reverse("sourcing:rfi_detail", args=[rfi.pk])
    error = None
    if request.method == "POST":
        try:
            service(actor=actor, rfi=rfi)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, str(done))
            return redirect(back)
    return _confirm(request, title=title, question=question, submit=submit, back=back, error=error)


# --------------------------------------------------------------------------- public


def _public_rfis():
    return Rfi.objects.filter(is_public=True, status=RfiStatus.PUBLISHED).select_related("organisation")


@public
def rfi_public_list(request):
    return render(
        request,
        "sourcing/rfi/public_list.html",
        {"rfis": _public_rfis().order_by("deadline", "pk"), "nav_active": NAV},
    )


@public
def rfi_public(request, pk):
    rfi = _public_rfis().filter(pk=pk).first()
    if rfi is None:
        raise Http404
    respond_url = reverse("sourcing:rfi_respond", args=[rfi.pk])
    actor = actor_for(request)
    login_url = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': respond_url})}"
    register_url = _url_or_none("accounts:register_organisation")
    if register_url:
        register_url = f"{register_url}?{urlencode({'next': respond_url})}"
    return render(
        request,
        "sourcing/rfi/public_detail.html",
        _context(
            rfi,
            respond_url=respond_url if actor.is_authenticated else login_url,
            register_url=None if actor.is_authenticated else register_url,
            is_open=rfi.is_open_for_answers,
        ),
    )


# --------------------------------------------------------------------------- the respondent


def _respondable(actor, pk) -> Rfi:
    rfi = _rfi(actor, pk, "rfi.respond")
    if rfi.organisation_id == actor.organisation_id:
        raise PermissionDenied("rfi.respond")  # the buyer does not answer its own call
    return rfi


@require("rfi.respond")
def rfi_respond(request, pk):
    actor = actor_for(request)
    rfi = _respondable(actor, pk)
    response = services.response_for(rfi=rfi, organisation=actor.organisation)
    if response is not None and not access.can(actor, "rfi.response.edit", response):
        raise PermissionDenied("rfi.response.edit")
    questions = list(rfi.questions.all())
    form = ResponseForm(request.POST or None, request.FILES or None, questions=questions, response=response)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            response = services.response_save(
                actor=actor,
                rfi=rfi,
                organisation=actor.organisation,
                values=form.values(),
                answers=form.answers(),
            )
            if form.cleaned_data.get("document"):
                response = services.response_upload(
                    actor=actor,
                    rfi=rfi,
                    organisation=actor.organisation,
                    upload=form.cleaned_data["document"],
                )
            if submit:
                response = services.response_submit(actor=actor, response=response)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            if submit:
                messages.success(request, _("Svaret är inskickat. Kvittot är skickat till din e-postadress."))
            else:
                messages.success(
                    request,
                    _("Utkastet är sparat. Det syns inte för %(org)s förrän du skickar in det.")
                    % {"org": rfi.organisation.name},
                )
            return redirect("sourcing:rfi_respond", pk=rfi.pk)
        if response is None:
            response = services.response_for(rfi=rfi, organisation=actor.organisation)
    return render(
        request,
        "sourcing/rfi/respond.html",
        _context(
            rfi,
            form=form,
            response=response,
            receipt=services.receipt_of(response) if response else None,
            documents=list(attachments_of(response)) if response else [],
            is_open=rfi.is_open_for_answers,
        ),
    )


@require("rfi.response.edit")
def rfi_response_withdraw(request, pk):
    actor = actor_for(request)
    rfi = _respondable(actor, pk)
    response = services.response_for(rfi=rfi, organisation=actor.organisation)
    if response is None or response.status != ResponseStatus.SUBMITTED:
        raise Http404
    if not access.can(actor, "rfi.response.edit", response):
        raise PermissionDenied("rfi.response.edit")
    back = reverse("sourcing:rfi_respond", args=[rfi.pk])
    error = None
    if request.method == "POST":
        try:
            services.response_withdraw(actor=actor, response=response)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Svaret är återkallat."))
            return redirect(back)
    return _confirm(
        request,
        title=_("Återkalla svaret"),
        question=_("Vill du återkalla ert svar på ”%(title)s”? %(org)s ser då att svaret är återkallat.")
        % {"title": rfi.title, "org": rfi.organisation.name},
        submit=_("Återkalla"),
        back=back,
        error=error,
    )


def _response(actor, pk) -> RfiResponse:
    response = access.get_or_404(
        actor, RfiResponse.objects.select_related("rfi", "organisation"), "rfi.response.view", pk=pk
    )
    if not selectors.may_read_response(actor, response):
        raise Http404  # a respondent's draft does not exist for the buyer
    return response


@require("rfi.response.view")
def rfi_response_detail(request, pk):
    actor = actor_for(request)
    response = _response(actor, pk)
    return render(
        request,
        "sourcing/rfi/response_detail.html",
        {
            "response": response,
            "rfi": response.rfi,
            "answers": list(response.answers.select_related("question")),
            "receipt": services.receipt_of(response),
            "documents": list(attachments_of(response)),
            "secrecy_url": (
                _url_or_none("sourcing:secrecy_create", kind="rfi_response", pk=response.pk)
                if access.can(actor, "secrecy.assess", response.rfi)
                else None
            ),
            "nav_active": NAV,
        },
    )


@require("rfi.response.view")
def rfi_response_document(request, pk, document_pk):
    actor = actor_for(request)
    response = _response(actor, pk)
    if not selectors.may_read_content(actor, response):
        raise Http404
    att = attachments_of(response).filter(pk=document_pk).first()
    if att is None:
        raise Http404
    return attachment_response(Attachment.objects.get(pk=att.pk))
