"""The default age bands (seed 003's 0–18 plus Finsam's young adults) and the shared list of named
methods. Organisations may add their own of both."""

from django.db import migrations

AGE_BANDS = [("0–2 år", 0, 2), ("3–6 år", 3, 6), ("7–13 år", 7, 13), ("14–18 år", 14, 18), ("18–29 år", 18, 29)]

# (name, evidence level, description)
METHODS = [
    ("MST – Multisystemisk terapi", "internationellt", "Intensiv familje- och nätverksbehandling för ungdomar med allvarliga beteendeproblem."),
    ("Komet", "svenska_studier", "Föräldraprogram för föräldrar till barn 3–11 år med utmanande beteende."),
    ("ABC – Alla barn i centrum", "svenska_studier", "Universellt föräldraskapsstöd i grupp för föräldrar till barn 3–12 år."),
    ("Familjen läser", "lovande", "Läsfrämjande stöd till familjer för barns språk och skolgång."),
    ("Funktionell familjeterapi (FFT)", "internationellt", "Familjebehandling för ungdomar 11–18 år med beteendeproblem."),
    ("Trappan", "lovande", "Samtalsmetod för barn som upplevt våld i nära relationer."),
    ("Connect", "lovande", "Föräldraprogram om anknytning för föräldrar till tonåringar."),
    ("Individual Placement and Support (IPS)", "internationellt", "Individanpassat stöd till arbete; används i Finsam-insatser för unga vuxna."),
]


def forwards(apps, schema_editor):
    AgeBand = apps.get_model("interventions", "AgeBand")
    Method = apps.get_model("interventions", "Method")
    for position, (label, age_from, age_to) in enumerate(AGE_BANDS):
        AgeBand.objects.get_or_create(
            organisation=None, label=label, defaults={"age_from": age_from, "age_to": age_to, "position": position}
        )
    for name, level, description in METHODS:
        Method.objects.get_or_create(
            organisation=None, name=name, defaults={"evidence_level": level, "description": description}
        )


def backwards(apps, schema_editor):
    apps.get_model("interventions", "AgeBand").objects.filter(organisation=None).delete()
    apps.get_model("interventions", "Method").objects.filter(organisation=None).delete()


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_catalogue")]
    operations = [migrations.RunPython(forwards, backwards)]
