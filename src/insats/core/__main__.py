"""Command line: ``python -m insats.core {payments,financing,simulate,score,rank} FILE|-``.

Reads one JSON document (a file, or standard input for ``-``) and writes the result as JSON to
standard output. Bad input exits with status 2 and a JSON error naming each offending field.
Each command lives in its module as ``run(data: dict) -> dict``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from pydantic import ValidationError

COMMANDS = {
    "payments": "insats.core.payments",
    "financing": "insats.core.financing",
    "simulate": "insats.core.simulation",
    "score": "insats.core.scoring",
    "rank": "insats.core.indicators",
}


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "(root)", "message": err["msg"]}
        for err in exc.errors()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insats.core", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("file", help="JSON input file, or - for standard input")
    args = parser.parse_args(argv)
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        json.dump({"errors": [{"field": "(input)", "message": str(exc)}]}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 2
    module = importlib.import_module(COMMANDS[args.command])
    try:
        result = module.run(data)
    except ValidationError as exc:
        json.dump({"errors": _errors(exc)}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 2
    except ValueError as exc:
        json.dump(
            {"errors": [{"field": getattr(exc, "field", "(input)"), "message": str(exc)}]},
            sys.stdout,
            ensure_ascii=False,
            indent=2,
        )
        sys.stdout.write("\n")
        return 2
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
