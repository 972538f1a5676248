"""One result per (contract, metric, period, cohort) (issue 8, item 1).

Before the constraints are added, duplicates made by concurrent submissions are refused with a list
of them: which row is the right one (and whether a payment was made twice) is a decision for the
parties, not for a migration. See docs/resultat-och-betalningar.md.
"""

from django.db import migrations, models
from django.db.models import Count


def refuse_duplicates(apps, schema_editor):
    ResultReport = apps.get_model("contracts", "ResultReport")
    groups = (
        ResultReport.objects.values("contract_id", "metric_id", "period", "cohort_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    problems = []
    for g in groups:
        ids = list(
            ResultReport.objects.filter(
                contract_id=g["contract_id"],
                metric_id=g["metric_id"],
                period=g["period"],
                cohort_id=g["cohort_id"],
            ).values_list("id", flat=True)
        )
        problems.append(f"contract {g['contract_id']}, metric {g['metric_id']}, period {g['period']}: {ids}")
    if problems:
        raise RuntimeError(
            "Duplicate result reports must be resolved before this migration (keep one per "
            "contract, metric, period and cohort, then recalculate the payments): " + "; ".join(problems)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="resultreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cohort__isnull", False)),
                fields=("contract", "metric", "period", "cohort"),
                name="result_once_per_cohort",
            ),
        ),
        migrations.AddConstraint(
            model_name="resultreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cohort__isnull", True)),
                fields=("contract", "metric", "period"),
                name="result_once_per_period",
            ),
        ),
    ]
