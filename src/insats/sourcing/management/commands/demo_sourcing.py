"""``manage.py demo_sourcing``: the Samverkan part of the demo world (run by ``manage.py demo`` after
the interventions). Idempotent. Each sub-domain builds its own part, in order: outside organisations
and invitations, the form decisions, Tomelilla's RFI and its responses, the secrecy assessment of one
response, Helsingborg's grant round and the IOP for Familjen läser."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each package's ``demo.build()`` returns the lines to print; a package without a demo is skipped.
PARTS = ["invitations", "advisor", "rfi", "secrecy", "grants", "iop"]


class Command(BaseCommand):
    help = "Build the demo RFI, form decisions, grant round and IOP (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("manage.py demo_sourcing runs only with DEBUG on (demo data).")
        lines: list[str] = []
        with transaction.atomic():
            for part in PARTS:
                try:
                    module = import_module(f"insats.sourcing.{part}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"insats.sourcing.{part}.demo":
                        raise
                    continue
                lines += module.build()
        for line in lines:
            self.stdout.write(line)
