"""``manage.py demo_contracts``: the demo outcomes contracts (DEBUG only, idempotent).

Needs the demo organisations and accounts of ``manage.py demo`` (which also calls this).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from insats.platform.request_context import reset_request_meta, set_request_meta


class Command(BaseCommand):
    help = "Create the demo outcomes contracts (Barnens Väl in Helsingborg; Tomelilla's pilot). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--draws", type=int, default=2000, help="Monte Carlo draws of the business cases."
        )
        parser.add_argument("--no-business-case", action="store_true", help="Skip the business-case runs.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "manage.py demo_contracts refuses to run with DEBUG off: it creates a demo account with a "
                "published password. Run it only on a development instance (INSATS_ENV=development, DEBUG=1)."
            )
        from insats.contracts.demo import build_demo_contracts

        token = set_request_meta({"actor_label": "manage.py demo"})
        try:
            result = build_demo_contracts(
                run_business_case=not options["no_business_case"], draws=options["draws"]
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        finally:
            reset_request_meta(token)
        for email, password, role in result.accounts:
            self.stdout.write(f"{email}  {password}  {role}")
        for c in result.contracts:
            state = "skapat" if c.title in result.created else "fanns redan"
            self.stdout.write(f"Utfallskontrakt: {c.title} ({c.get_status_display()}, {state})")
        self.stdout.write(self.style.SUCCESS(f"Demo contracts ready: {len(result.created)} created."))
