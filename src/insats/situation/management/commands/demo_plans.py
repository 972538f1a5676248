"""``manage.py demo_plans``: Tomelilla's and Helsingborg's target groups, results, targets, cause tree
and action plan from the seeds (DEBUG only; idempotent). Run after ``demo`` and ``demo_indicators``."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from insats.platform.request_context import current_request_meta, reset_request_meta, set_request_meta
from insats.situation.demo_plans import build_demo_plans


class Command(BaseCommand):
    help = "Create the demo target groups, results, targets, cause tree and action plan (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("manage.py demo_plans runs only with DEBUG on: it writes invented data.")
        # Called from ``manage.py demo`` the entries keep that command's label.
        meta = current_request_meta() or {}
        token = set_request_meta(meta if meta.get("actor_label") else {"actor_label": "manage.py demo_plans"})
        try:
            report = build_demo_plans()
        finally:
            reset_request_meta(token)
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped: {line}"))
        verb = f"{len(report.created)} objects created" if report.created else "nothing to change"
        self.stdout.write(self.style.SUCCESS(f"Demo plans ready: {verb}."))
