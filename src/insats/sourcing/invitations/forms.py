from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class InvitationForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Organisationer i Insats"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Deras administratörer får inbjudan med e-post."),
    )
    emails = forms.CharField(
        label=gettext_lazy("E-postadresser"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "En adress per rad, till organisationer som inte finns i Insats. De registrerar sig via länken."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations

    def clean_emails(self) -> list[str]:
        found, bad = [], []
        for number, line in enumerate((self.cleaned_data.get("emails") or "").splitlines(), start=1):
            address = line.strip()
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                bad.append(
                    _("Rad %(line)d: ”%(text)s” är ingen giltig e-postadress.")
                    % {"line": number, "text": address[:80]}
                )
            else:
                found.append(address.lower())
        if bad:
            raise ValidationError(bad)
        return found

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("organisations") and not data.get("emails"):
            raise ValidationError(_("Välj minst en organisation eller skriv minst en e-postadress."))
        return data
