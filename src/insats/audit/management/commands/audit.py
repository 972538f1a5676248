import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from insats.audit.services import Anchor, head_anchor, verify_chain

ANCHOR_FORMAT = "insats-audit-anchor/1"


def read_anchors(path: str) -> list[Anchor]:
    """The anchors in ``path``: one JSON object per line (a single anchor, or anchors appended)."""
    anchors = []
    try:
        lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        if not lines:
            raise ValueError("the file is empty")
        for number, line in enumerate(lines, 1):
            data = json.loads(line)
            if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
                raise ValueError(f"line {number} is not an {ANCHOR_FORMAT} anchor")
            seq, entry_hash = data.get("seq"), data.get("entry_hash")
            hash_ok = isinstance(entry_hash, str) and len(entry_hash) == 64
            if not isinstance(seq, int) or seq < 0 or not hash_ok:
                raise ValueError(f"line {number}: seq or entry_hash is malformed")
            anchors.append(Anchor(seq, entry_hash))
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the anchor {path}: {exc}") from exc
    return anchors


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
            help="verify: a file of anchors written by 'audit anchor', one per line (may be repeated)",
        )
        parser.add_argument("--output", metavar="FILE", help="anchor: write here instead of standard output")

    def handle(self, *args, action, **options):
        def progress(done, total):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done}/{total}")

        anchors = [a for path in options["anchor"] for a in read_anchors(path)] if action == "verify" else []
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
