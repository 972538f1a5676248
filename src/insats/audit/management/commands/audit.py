import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from insats.audit.services import Anchor, head_anchor, verify_chain

ANCHOR_FORMAT = "insats-audit-anchor/1"


def read_anchor(path: str) -> Anchor:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != ANCHOR_FORMAT:
            raise ValueError(f"not an {ANCHOR_FORMAT} file")
        seq, entry_hash = data["seq"], data["entry_hash"]
        if not isinstance(seq, int) or seq < 0 or not isinstance(entry_hash, str) or len(entry_hash) != 64:
            raise ValueError("seq or entry_hash is malformed")
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise CommandError(f"Cannot read the anchor {path}: {exc}") from exc
    return Anchor(seq, entry_hash)


class Command(BaseCommand):
    help = (
        "Audit log tools. 'audit verify [--anchor FILE]' recomputes the keyed hash chain and names the "
        "first broken entry; with anchors it also proves nothing up to each anchor was changed or cut "
        "off. 'audit anchor [--output FILE]' verifies the chain and writes its head (seq and hash) "
        "for you to keep outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="FILE",
            help="verify: an anchor written earlier by 'audit anchor' (may be given several times)",
        )
        parser.add_argument("--output", metavar="FILE", help="anchor: write here instead of standard output")

    def handle(self, *args, action, **options):
        def progress(done, total):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done}/{total}")

        anchors = [read_anchor(path) for path in options["anchor"]] if action == "verify" else []
        head = head_anchor() if action == "anchor" else None
        result = verify_chain(on_progress=progress, anchors=anchors)
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at entry {result.first_broken_seq}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        if action == "verify":
            against = f" against {len(anchors)} anchor(s)" if anchors else ""
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain OK: {result.checked} entries verified{against}.")
            )
            return
        text = json.dumps(
            {
                "format": ANCHOR_FORMAT,
                "seq": head.seq,
                "entry_hash": head.entry_hash,
                "taken_at": timezone.now().isoformat(timespec="seconds"),
            }
        )
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Anchor written: entry {head.seq} ({options['output']}).")
        else:
            self.stdout.write(text)
