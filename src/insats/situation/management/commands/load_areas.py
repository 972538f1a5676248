from django.core.management.base import BaseCommand

from insats.situation.services import load_areas


class Command(BaseCommand):
    help = "Load (or update) the 290 kommuner, 21 regioner and Riket from situation/data/areas.csv."

    def handle(self, *args, **options):
        summary = load_areas()
        self.stdout.write(
            f"Areas: {summary['created']} created, {summary['updated']} updated, {summary['total']} in total."
        )
