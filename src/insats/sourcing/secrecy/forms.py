"""The assessment form: the request, then one secret/ground/motivation triple per part of the
document (the sender's request and reasons are shown next to each, by the template)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import HandOutFormat
from .provisions import provision_choices

DEFAULT_GROUND = "31:16"


class AssessmentForm(forms.Form):
    requester_name = forms.CharField(
        label=_("Begärd av (namn)"),
        max_length=200,
        required=False,
        help_text=_("Som den som begärde handlingen uppgav; den som begär får vara anonym."),
    )
    requester_organisation = forms.CharField(
        label=_("Begärd av (organisation)"), max_length=200, required=False
    )
    received_on = forms.DateField(
        label=_("Begäran mottagen"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )

    def __init__(self, *args, doc_parts, assessed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_parts = doc_parts
        assessed = assessed or {}
        for part in doc_parts:
            prior = assessed.get(part.key)
            self.fields[f"part-{part.key}-secret"] = forms.BooleanField(
                label=_("Omfattas av sekretess"),
                required=False,
                initial=prior.secret if prior else False,
            )
            self.fields[f"part-{part.key}-legal_ground"] = forms.ChoiceField(
                label=_("Grund i OSL"),
                choices=[("", "–"), *provision_choices()],
                required=False,
                initial=(prior.legal_ground if prior and prior.legal_ground else DEFAULT_GROUND),
            )
            self.fields[f"part-{part.key}-motivation"] = forms.CharField(
                label=_("Motivering"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=prior.motivation if prior else "",
            )

    def part_rows(self):
        """(part, secret field, ground field, motivation field) per part, for the template."""
        return [
            (
                p,
                self[f"part-{p.key}-secret"],
                self[f"part-{p.key}-legal_ground"],
                self[f"part-{p.key}-motivation"],
            )
            for p in self.doc_parts
        ]

    def part_inputs(self):
        from .services import PartInput

        d = self.cleaned_data
        return [
            PartInput(
                key=p.key,
                secret=bool(d.get(f"part-{p.key}-secret")),
                legal_ground=d.get(f"part-{p.key}-legal_ground") or "",
                motivation=d.get(f"part-{p.key}-motivation") or "",
            )
            for p in self.doc_parts
        ]


class HandOutForm(forms.Form):
    recipient = forms.CharField(
        label=_("Lämnas ut till"), max_length=300, help_text=_("Namn eller organisation, som i begäran.")
    )
    format = forms.ChoiceField(label=_("Filformat"), choices=HandOutFormat.choices, initial=HandOutFormat.PDF)
