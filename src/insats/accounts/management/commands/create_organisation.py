"""Operators: create an organisation and invite its first administrator (both audited)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from insats.accounts import services
from insats.accounts.models import OrganisationKind, Role


class Command(BaseCommand):
    help = "Create an organisation and send its first administrator an invitation by e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--org-number", required=True, help="organisationsnummer, NNNNNN-NNNN")
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)
        parser.add_argument("--area-code", default="", help="kommunkod (4 digits) or länskod (2 digits)")
        parser.add_argument("--admin-email", required=True, help="who becomes the organisation's first admin")

    def handle(self, *args, **opts):
        try:
            with transaction.atomic():
                org = services.organisation_create(
                    actor=None,
                    name=opts["name"],
                    org_number=opts["org_number"],
                    kind=opts["kind"],
                    area_code=opts["area_code"],
                )
                _, token = services.invitation_create(
                    actor=None, organisation=org, email=opts["admin_email"], role=Role.ADMIN
                )
        except ValidationError as exc:
            problems = (
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
                if hasattr(exc, "error_dict")
                else " ".join(exc.messages)
            )
            raise CommandError(problems) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {org.name} ({org.org_number}); invitation sent to {opts['admin_email']}."
            )
        )
