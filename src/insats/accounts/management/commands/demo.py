"""``manage.py demo``: build (or bring up to date) the demo world from the seeds and print the accounts.

Runs only with DEBUG on: the demo accounts have printed passwords and two-factor secrets.
Idempotent: a second run changes nothing and writes nothing to the audit log.
"""

from __future__ import annotations

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from insats.accounts.demo_data import LOGIN_URL, DemoResult, build_demo
from insats.platform.request_context import reset_request_meta, set_request_meta


class Command(BaseCommand):
    help = "Create the demo organisations, bodies and accounts from the seeds (DEBUG only) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-table", action="store_true", help="Do not print the account table.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "manage.py demo refuses to run with DEBUG off: it creates accounts with published "
                "passwords. Run it only on a development instance (INSATS_ENV=development, DEBUG=1)."
            )
        token = set_request_meta({"actor_label": "manage.py demo"})
        try:
            result = build_demo()
            indicators = StringIO()  # the lägesbild's demo statistics; reported after the table
            call_command("demo_indicators", stdout=indicators)
            call_command("demo_plans", stdout=indicators)  # target groups, causes, results, plans
            call_command("demo_interventions", stdout=indicators)  # catalogue, map, genomlysning, social plan
            call_command("demo_contracts", stdout=indicators)  # seed 004's contract and Tomelilla's pilot
            call_command("demo_sourcing", stdout=indicators)  # RFI, form decisions, grant round, IOP
        finally:
            reset_request_meta(token)
        if not options["quiet_table"]:
            self.stdout.write(render_table(result))
        verb = (
            f"{result.changes} audited changes"
            if result.changes
            else "nothing to change (already up to date)"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {verb}."))
        self.stdout.write(indicators.getvalue())


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return out


def render_table(result: DemoResult) -> str:
    lines = [
        "",
        "=" * 78,
        "DEMODATA – påhittade personer, lösenord och uppgifter. Använd aldrig i produktion.",
        "=" * 78,
        f"Logga in på: {LOGIN_URL}",
        "",
    ]
    rows = []
    for account in result.accounts:
        for i, (org, role) in enumerate(account.memberships):
            first = i == 0
            rows.append(
                [
                    account.email if first else "",
                    account.password if first else "",
                    f"{role} – {org}",
                    ("ja" if account.totp_secret else "–") if first else "",
                ]
            )
    lines += _table(["E-post (demo)", "Lösenord (demo)", "Roll – organisation", "2FA"], rows)
    with_2fa = [a for a in result.accounts if a.totp_secret]
    if with_2fa:
        lines += [
            "",
            "Tvåfaktorsinloggning (krävs för administratörer och handläggare).",
            "Lägg in hemligheten i en autentiseringsapp (TOTP, 30 s, 6 siffror) eller använd en",
            "återställningskod (varje kod fungerar en gång):",
            "",
        ]
        lines += _table(
            ["E-post (demo)", "TOTP-hemlighet (base32)", "Återställningskoder"],
            [[a.email, a.totp_secret, " ".join(a.recovery_codes) or "(förbrukade)"] for a in with_2fa],
        )
    lines += ["", "Organisationer (* = påhittat organisationsnummer):"]
    lines += [f"  {number}{' ' if real else '*'} {name}" for name, number, real in result.organisations]
    lines.append("")
    return "\n".join(lines)
