"""Command line: ``python -m insats.core {payments,financing,simulate,score,rank} FILE|-``.

Reads one JSON document (a file, or standard input for ``-``) and writes the result as JSON to
standard output. Bad input exits with status 2 and a JSON error naming each offending field.
Each command lives in its module as ``run(data: dict) -> dict`` with its ``Input`` model.
Every number must be finite and within ±10^15 (:class:`insats.core.bounds.BoundedInput`, the base
of every ``Input``); the result is
strict JSON (never NaN or Infinity).
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
        # every Input derives from bounds.BoundedInput: out-of-bounds numbers are a ValidationError
        module.Input.model_validate(data)
        result = module.run(data)
        text = json.dumps(result, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    except ValidationError as exc:
        return _fail(_errors(exc))
    except (ValueError, ArithmeticError) as exc:
        # A ValueError of a module names its field; arithmetic trouble or a result that is not a
        # finite number (allow_nan) is reported on the input as a whole, never as a traceback.
        message = str(exc) or type(exc).__name__
        if isinstance(exc, ArithmeticError) or "Out of range float values" in message:
            message = "the input gives a result that cannot be computed exactly: " + message
        return _fail([{"field": getattr(exc, "field", "(input)"), "message": message}])
    sys.stdout.write(text + "\n")
    return 0


def _fail(errors: list[dict[str, str]]) -> int:
    json.dump({"errors": errors}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
