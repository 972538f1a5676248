"""The Swedish procurement thresholds (LOU, upphandlande myndigheter utom statliga) as dated rows.

Sources, checked 2026-12-03:
* Konkurrensverket, "Gamla tröskelvärden": the tables for 1 January 2020–31 December 2021 and
  1 January 2022–31 December 2023 (konkurrensverket.se/upphandling/lagar-och-regler/troskelvarden/
  gamla-troskelvarden);
* Upphandlingsmyndigheten, "Nya beloppsgränser för 2024 – här är listan" (20 November 2023): the
  amounts from 1 January 2024; the direct-award limit of 700 000 kr is written in the law (LOU 19
  kap. 8 §, in force from 1 February 2022) and did not change with the 2024 thresholds.

Assumptions (said in each row's source text too): the amounts from 1 January 2024 are kept open
(no end date) — the EU thresholds are revised every two years and the amounts from 1 January 2026
were not verified here, so an administrator adds them as new rows; January 2022, between the old
rule (28 % of the threshold) and the fixed 700 000 kr, has no direct-award row (the advisor then
names the missing limit and recommends a procurement, the safe side).
"""

import datetime
from decimal import Decimal

from django.db import migrations

D = datetime.date
KV_2020 = "Konkurrensverket: tröskelvärden och direktupphandlingsgränser 1 januari 2020–31 december 2021."
KV_2022 = "Konkurrensverket: tröskelvärden och direktupphandlingsgränser 1 januari 2022–31 december 2023."
UHM_2024 = (
    "Upphandlingsmyndigheten: nya beloppsgränser från 1 januari 2024 (publicerat 20 november 2023). "
    "Antagande: gäller tills vidare i Insats – beloppen från 1 januari 2026 är inte inlagda; "
    "kontrollera och lägg till en ny rad."
)
LAW_700 = (
    "LOU 19 kap. 8 §: direktupphandlingsgränsen 700 000 kr gäller från 1 februari 2022 och anges direkt "
    "i lagen; den ändrades inte med tröskelvärdena 2024 (Upphandlingsmyndigheten 20 november 2023). "
    "Antagande: gäller tills vidare i Insats."
)

# (kind, amount SEK, valid from, valid to, source)
ROWS = [
    ("direktupphandling", "615312", D(2020, 1, 1), D(2021, 12, 31), KV_2020),
    ("direktupphandling", "700000", D(2022, 2, 1), None, LAW_700),
    ("direktupphandling_sociala", "615312", D(2020, 1, 1), D(2021, 12, 31), KV_2020),
    (
        "direktupphandling_sociala",
        "7802550",
        D(2022, 2, 1),
        D(2023, 12, 31),
        KV_2022 + " Från 1 februari 2022 är direktupphandlingsgränsen för sociala tjänster lika med tröskelvärdet.",
    ),
    ("direktupphandling_sociala", "8109450", D(2024, 1, 1), None, UHM_2024),
    ("eu_tjanster", "2197545", D(2020, 1, 1), D(2021, 12, 31), KV_2020 + " 214 000 euro."),
    ("eu_tjanster", "2236731", D(2022, 1, 1), D(2023, 12, 31), KV_2022 + " 215 000 euro."),
    ("eu_tjanster", "2389585", D(2024, 1, 1), None, UHM_2024),
    ("eu_sociala", "7701675", D(2020, 1, 1), D(2021, 12, 31), KV_2020 + " 750 000 euro."),
    ("eu_sociala", "7802550", D(2022, 1, 1), D(2023, 12, 31), KV_2022),
    ("eu_sociala", "8109450", D(2024, 1, 1), None, UHM_2024),
]


def forwards(apps, schema_editor):
    Threshold = apps.get_model("sourcing", "ProcurementThreshold")
    for kind, amount, valid_from, valid_to, source in ROWS:
        Threshold.objects.get_or_create(
            kind=kind,
            valid_from=valid_from,
            defaults={"amount": Decimal(amount), "valid_to": valid_to, "source": source},
        )


def backwards(apps, schema_editor):
    Threshold = apps.get_model("sourcing", "ProcurementThreshold")
    for kind, _amount, valid_from, _to, _source in ROWS:
        Threshold.objects.filter(kind=kind, valid_from=valid_from, created_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("sourcing", "0003_advisor")]

    operations = [migrations.RunPython(forwards, backwards)]
