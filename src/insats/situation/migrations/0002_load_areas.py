"""Load the 290 kommuner, 21 regioner and Riket from situation/data/areas.csv.

The same loader runs from ``manage.py load_areas`` (which also audits); here it runs on the
historical model, without an audit entry — the migration itself is the record.
"""

from django.db import migrations


def load(apps, schema_editor):
    from insats.situation.services import read_area_file, upsert_areas

    upsert_areas(apps.get_model("situation", "Area"), read_area_file())


class Migration(migrations.Migration):
    dependencies = [("situation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
