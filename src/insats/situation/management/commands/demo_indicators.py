"""``manage.py demo_indicators``: the synthetic indicator data for the lägesbild (DEBUG only).

Writes about twenty demo indicators for all 290 kommuner, 2010–2025, and "Liknande kommuner" demo
groups (see ``insats.situation.demo_data``). Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from insats.platform.request_context import current_request_meta, reset_request_meta, set_request_meta
from insats.situation.demo_data import SPEC_BY_CODE, build_demo_indicators


class Command(BaseCommand):
    help = "Create the demo indicator data (synthetic values for all kommuner, 2010–2025). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--codes",
            nargs="*",
            help="Only these demo indicators (default: all). Known: " + ", ".join(SPEC_BY_CODE),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "manage.py demo_indicators refuses to run with DEBUG off: it writes invented statistics "
                "that must never mix with real data. Run it only on a development instance (DEBUG=1)."
            )
        # Called from ``manage.py demo`` the entry keeps that command's label.
        meta = current_request_meta() or {}
        token = set_request_meta(
            meta if meta.get("actor_label") else {"actor_label": "manage.py demo_indicators"}
        )
        start = time.perf_counter()
        try:
            report = build_demo_indicators(codes=options["codes"] or None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            reset_request_meta(token)
        from insats.situation.tasks import refresh_cross_sections_later

        refresh_cross_sections_later()  # the changed cross-sections, in the background
        took = time.perf_counter() - start
        if report.skipped:
            self.stdout.write(
                self.style.WARNING("Skipped (a real indicator has the code): " + ", ".join(report.skipped))
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo indicators ready in {took:.1f} s: "
                f"{len(report.indicators_created)} indicators created, "
                f"{len(report.indicators_updated)} updated; observations {report.inserted} inserted, "
                f"{report.updated} updated, {report.unchanged} unchanged; "
                f"peer groups {report.groups_created} created, {report.groups_updated} updated."
            )
        )
