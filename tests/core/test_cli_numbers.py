"""The core's command line on extreme and non-numbers (issue 8, item 17).

Every number in every worked example in docs/core/examples is replaced, one at a time, by numbers
out of bounds (10^26, −10^22, NaN, Infinity) and by the bounds themselves (±10^15). Out of bounds
must give exit status 2 with an error naming that field; at the bounds the command must either
answer or refuse with exit 2 — never a traceback — and what it prints is always strict JSON (no
NaN, no Infinity).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from insats.core.__main__ import main
from insats.core.bounds import MAX_ABS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "core" / "examples").glob("*.json"))
OUT_OF_BOUNDS = [1e26, -1e22, math.nan, math.inf, -math.inf]
AT_BOUNDS = [1e15, -1e15]
IDS = {"id", "period", "start_period", "settlement_period", "achieved", "sustained_through"}


def _numeric_leaves(obj, path=()):
    """Paths of the JSON numbers, and of the strings that hold numbers (Decimal amounts)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _numeric_leaves(value, (*path, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _numeric_leaves(value, (*path, index))
    elif isinstance(obj, bool):
        return
    elif isinstance(obj, int | float):
        yield path, False
    elif isinstance(obj, str):
        if "periods" in path or path[-1] in IDS:
            return  # ids that happen to be digits, such as the period "2026"
        try:
            float(obj)
        except ValueError:
            return
        yield path, True


def _replaced(data, path, value):
    copy = json.loads(json.dumps(data))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def _strict(text: str):
    def refuse(constant):
        raise AssertionError(f"output is not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _run(command: str, data, tmp_path, capsys):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # NaN/Infinity as Python's json writes them
    capsys.readouterr()
    status = main([command, str(path)])
    return status, _strict(capsys.readouterr().out)


def _names(field: str, path) -> bool:
    """The error's dotted field contains the path's keys in order (pydantic may add a union tag;
    a list-wide check may name the list without the index)."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    i = 0
    for part in field.split("."):
        if i < len(keys) and part == keys[i]:
            i += 1
    return i == len(keys) and field.split(".")[-1] in {str(p) for p in path}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_number_out_of_bounds_gets_exit_2_naming_its_field(example, tmp_path, capsys):
    command = example.stem.split("_")[0]
    data = json.loads(example.read_text(encoding="utf-8"))
    leaves = list(_numeric_leaves(data))
    assert leaves, example
    for path, as_string in leaves:
        if path and path[-1] == "seed":
            continue  # an identifier, not a quantity (insats.core.bounds.EXEMPT)
        for bad in OUT_OF_BOUNDS:
            value = (repr(bad) if not math.isfinite(bad) else f"{bad:e}") if as_string else bad
            status, out = _run(command, _replaced(data, path, value), tmp_path, capsys)
            assert status == 2, (example.stem, path, value, out)
            fields = [error["field"] for error in out["errors"]]
            assert any(_names(field, path) for field in fields), (example.stem, path, value, fields)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_numbers_at_the_bounds_never_crash_and_give_strict_json(example, tmp_path, capsys):
    command = example.stem.split("_")[0]
    data = json.loads(example.read_text(encoding="utf-8"))
    for path, as_string in _numeric_leaves(data):
        for edge in AT_BOUNDS:
            value = str(int(edge)) if as_string else edge
            status, out = _run(command, _replaced(data, path, value), tmp_path, capsys)
            assert status in (0, 2), (example.stem, path, value)
            if status == 2:
                assert out["errors"] and all(error["field"] for error in out["errors"])


def test_the_bound_is_ten_to_the_fifteen():
    assert MAX_ABS == 10**15


@pytest.mark.parametrize(
    "command,example,path,value",
    [
        ("payments", "payments_baseline", ("contract", "metrics", 0, "price"), "1e26"),
        ("score", "score_absolute_price", None, -1e22),
        ("rank", "rank_target", None, math.nan),
    ],
)
def test_python_dash_m_exits_2_without_a_traceback(command, example, path, value, tmp_path):
    data = json.loads((ROOT / "docs" / "core" / "examples" / f"{example}.json").read_text(encoding="utf-8"))
    if path is None:  # the first plain JSON number of the example
        path = next(p for p, as_string in _numeric_leaves(data) if not as_string)
    source = tmp_path / "input.json"
    source.write_text(json.dumps(_replaced(data, path, value)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "insats.core", command, str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = _strict(done.stdout)["errors"]
    assert any(_names(error["field"], path) for error in errors), errors
