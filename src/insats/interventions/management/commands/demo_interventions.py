"""``manage.py demo_interventions``: the Insatser part of the demo world (run by ``manage.py demo``
after the lägesbild's plans). Idempotent. Each sub-domain builds its own part, in order: the
catalogue (Södra Vätterbygden's NOVA, Enter and FIA; Helsingborg's and Tomelilla's preventive
resources), the map's needs (target groups placed at an intensity), then the reviews (a genomlysning
in phase C) and the social plan (Tomelilla's draft)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from insats.interventions.catalogue import demo as catalogue_demo
from insats.interventions.map import demo as map_demo
from insats.interventions.plans import demo as plans_demo
from insats.interventions.reviews import demo as reviews_demo


class Command(BaseCommand):
    help = "Build the demo catalogue, review and social plan (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("manage.py demo_interventions runs only with DEBUG on (demo data).")
        with transaction.atomic():
            lines = [*catalogue_demo.build(), *map_demo.build(), *reviews_demo.build(), *plans_demo.build()]
        for line in lines:
            self.stdout.write(line)
