"""Forms of the market dialogue: the RFI, a question, a figure from the lägesbild, and the
respondent's answers (one set of fields per question, built from the RFI's questions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insats.accounts import access
from insats.situation.models import Area
from insats.situation.models_plans import Result, TargetGroup

from . import selectors
from .models import QuestionKind, Rfi, RfiQuestion


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class RfiForm(forms.ModelForm):
    class Meta:
        model = Rfi
        fields = [
            "title",
            "background",
            "purpose",
            "challenge",
            "target_group",
            "results",
            "compensation",
            "secrecy_info",
            "deadline",
            "contact_name",
            "contact_email",
            "is_public",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "background": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "challenge": forms.Textarea(attrs={"rows": 6}),
            "compensation": forms.Textarea(attrs={"rows": 2}),
            "secrecy_info": forms.Textarea(attrs={"rows": 6}),
            "deadline": DateTimeInput(),
            "results": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "title": _("I rubriken bör utmaningen framgå."),
            "challenge": _(
                "Nulägesbeskrivning av utmaningen och dess omfattning. Siffror ur lägesbilden läggs till "
                "på dialogens sida och visas med källa."
            ),
            "deadline": _("Svensk tid. Efter sista svarsdag kan svaren inte längre ändras."),
        }

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["target_group"].queryset = access.scope(
            actor, TargetGroup.objects.all(), "plan.view"
        ).filter(organisation_id=actor.organisation_id)
        self.fields["results"].queryset = access.scope(actor, Result.objects.all(), "plan.view").filter(
            organisation_id=actor.organisation_id
        )
        self.fields["target_group"].help_text = _("Ur lägesbildens målgrupper.")
        self.fields["results"].help_text = _("Målområdena: resultat ur lägesbilden.")


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Svarsalternativ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("För valfrågor: ett alternativ per rad."),
    )

    class Meta:
        model = RfiQuestion
        fields = [
            "text",
            "help_text",
            "kind",
            "scale_min",
            "scale_max",
            "follow_up",
            "required",
            "key",
            "order",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "help_text": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"key": _("Frivillig nyckel för filter i analysen, t.ex. outcome_payment eller pilot.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        if self.instance.pk and self.instance.choices:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices)

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "choices_text"}
        data["choices"] = [
            line.strip() for line in self.cleaned_data["choices_text"].splitlines() if line.strip()
        ]
        if data.get("order") is None:
            data.pop("order", None)
        return data


class FigureForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indikator"), queryset=None)
    area = forms.ModelChoiceField(label=_("Område"), queryset=Area.objects.all())
    period = forms.IntegerField(
        label=_("År"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Lämna tomt för det senaste året med ett värde."),
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        area = selectors.default_area(actor.organisation)
        self.fields["indicator"].queryset = selectors.indicators_with_values(actor.organisation, area)
        self.fields["indicator"].label_from_instance = lambda i: f"{i.code} {i.title_sv}"
        if area is not None:
            self.fields["area"].initial = area.pk
            self.fields["area"].help_text = _("Organisationens område är förvalt.")


class ResponseForm(forms.Form):
    """One group of fields per question, named ``q<pk>_<field>``; plus competences, resources and an
    optional document."""

    competences = forms.CharField(
        label=_("Kompetenser som ni erbjuder"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    resources = forms.CharField(
        label=_("Resurser som ni erbjuder (personal, ekonomi, lokaler …)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    document = forms.FileField(
        label=_("Dokument (frivilligt)"),
        required=False,
        help_text=_(
            "Svara i ett dokument i stället för eller utöver formuläret: "
            "PDF, Word, ODT eller text, högst 10 MB."
        ),
    )

    def __init__(self, *args, questions=(), response=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        existing = {a.question_id: a for a in response.answers.all()} if response is not None else {}
        if response is not None:
            self.fields["competences"].initial = response.competences
            self.fields["resources"].initial = response.resources
        self.groups = []
        for number, q in enumerate(self.questions, start=1):
            p = f"q{q.pk}_"
            a = existing.get(q.pk)
            names = []
            label = _("Svar")
            if q.kind == QuestionKind.TEXT:
                self.fields[p + "text"] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    initial=a.text if a else "",
                )
                names.append(p + "text")
            elif q.kind == QuestionKind.CHOICE:
                self.fields[p + "choice"] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", _("– välj –")), *[(c, c) for c in q.choices]],
                    initial=a.choice if a else "",
                )
                names.append(p + "choice")
            elif q.kind == QuestionKind.SCALE:
                self.fields[p + "scale_value"] = forms.IntegerField(
                    label=_("Värde från %(a)s till %(b)s") % {"a": q.scale_min, "b": q.scale_max},
                    required=False,
                    initial=a.scale_value if a else None,
                )
                names.append(p + "scale_value")
            else:
                initial = "" if a is None or a.yes is None else ("yes" if a.yes else "no")
                self.fields[p + "yes"] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("yes", _("Ja")), ("no", _("Nej"))],
                    widget=forms.RadioSelect,
                    initial=initial,
                )
                self.fields[p + "follow_up_text"] = forms.CharField(
                    label=q.follow_up or _("Kommentar"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=a.follow_up_text if a else "",
                )
                names += [p + "yes", p + "follow_up_text"]
            self.fields[p + "secrecy_requested"] = forms.BooleanField(
                label=_("Begär sekretess för svaret på fråga %(n)s") % {"n": number},
                required=False,
                initial=a.secrecy_requested if a else False,
            )
            self.fields[p + "secrecy_reason"] = forms.CharField(
                label=_("Skäl för sekretess (fråga %(n)s)") % {"n": number},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Vilka uppgifter och vilken skada ni skulle lida om de blev kända."),
                initial=a.secrecy_reason if a else "",
            )
            names += [p + "secrecy_requested", p + "secrecy_reason"]
            self.groups.append((number, q, names))

    def group_fields(self):
        for number, q, names in self.groups:
            yield number, q, [self[n] for n in names]

    def answers(self) -> dict[int, dict]:
        out: dict[int, dict] = {}
        cd = self.cleaned_data
        for _number, q, _names in self.groups:
            p = f"q{q.pk}_"
            data: dict = {
                "secrecy_requested": bool(cd.get(p + "secrecy_requested")),
                "secrecy_reason": cd.get(p + "secrecy_reason", ""),
            }
            if q.kind == QuestionKind.TEXT:
                data["text"] = cd.get(p + "text", "")
            elif q.kind == QuestionKind.CHOICE:
                data["choice"] = cd.get(p + "choice", "")
            elif q.kind == QuestionKind.SCALE:
                data["scale_value"] = cd.get(p + "scale_value")
            else:
                raw = cd.get(p + "yes", "")
                data["yes"] = {"yes": True, "no": False}.get(raw)
                data["follow_up_text"] = cd.get(p + "follow_up_text", "")
            out[q.pk] = data
        return out

    def values(self) -> dict:
        return {"competences": self.cleaned_data["competences"], "resources": self.cleaned_data["resources"]}
