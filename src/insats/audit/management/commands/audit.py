from django.core.management.base import BaseCommand, CommandError

from insats.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'audit verify' recomputes the hash chain and names the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        def progress(done, total):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done}/{total}")

        result = verify_chain(on_progress=progress)
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at entry {result.first_broken_seq}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain OK: {result.checked} entries verified."))
