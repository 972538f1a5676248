"""Pages for personal API tokens: list and create, show the secret once, revoke with confirmation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from . import access, tokens
from .access import actor_for, require
from .models import ApiToken, Membership


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Namn"),
        max_length=100,
        help_text=gettext_lazy("Vad nyckeln används till, t.ex. ”Power BI-rapport”."),
    )
    membership = forms.ModelChoiceField(
        label=gettext_lazy("Agerar som"),
        queryset=Membership.objects.none(),
        empty_label=None,
        required=False,
        help_text=gettext_lazy("Nyckeln får samma behörighet som du har i den här rollen."),
    )

    def __init__(self, *args, user=None, initial_membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = (
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name", "role")
        )
        self.fields["membership"].queryset = qs
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.organisation.name} – {m.get_role_display()}"
        )
        if initial_membership is not None:
            self.fields["membership"].initial = initial_membership.pk


@never_cache
@require("token.manage")
def tokens_page(request):
    actor = actor_for(request)
    form = TokenForm(request.POST or None, user=request.user, initial_membership=actor.membership)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = tokens.token_create(
                actor=actor,
                membership=form.cleaned_data["membership"] or actor.membership,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Rendered, not redirected: the secret is shown in this response only and never stored.
            return render(request, "accounts/tokens_created.html", {"token": token, "key": key}, status=201)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens.tokens_of(actor)},
    )


@never_cache
@require("token.manage")
def token_revoke(request, pk):
    actor = actor_for(request)
    token = access.get_or_404(
        actor, ApiToken.objects.select_related("membership__organisation"), "token.manage", pk=pk
    )
    if request.method == "POST":
        tokens.token_revoke(actor=actor, token=token)
        messages.success(request, _("Nyckeln %(name)s är återkallad.") % {"name": token.name})
        return redirect("accounts:tokens")
    return render(request, "accounts/tokens_revoke.html", {"token": token})
