"""Factor sources named by their document rather than by seed number ("Frö 000" was jargon)."""

from django.db import migrations

RENAMES = {
    "Frö 000 (Tomelilla)": "Tomelilla kommun, RFI om förebyggande insatser för barn och unga (2022)",
    "Frö 002 (Helsingborg)": "Helsingborgs stad, Föreningssamverkan och IOP (2024)",
    "Frö 003 (Familjeforum, BBIC)": "Familjeforum i Lund AB, anbud om social plan (BBIC-triangeln)",
}


def forwards(apps, schema_editor):
    Factor = apps.get_model("situation", "Factor")
    for old, new in RENAMES.items():
        Factor.objects.filter(organisation__isnull=True, source=old).update(source=new)


def backwards(apps, schema_editor):
    Factor = apps.get_model("situation", "Factor")
    for old, new in RENAMES.items():
        Factor.objects.filter(organisation__isnull=True, source=new).update(source=old)


class Migration(migrations.Migration):
    dependencies = [("situation", "0006_causenode_created_by_blank")]
    operations = [migrations.RunPython(forwards, backwards)]
