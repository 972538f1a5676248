"""Every command of ``python -m insats.core`` on random JSON of its schema's shape (issue 14, item 7).

For each command, at least 1 000 generated documents: a worked example of docs/core/examples with
random parts replaced by extreme numbers (1e15 … 1e308, −0, NaN and Infinity as JSON tokens,
integers with hundreds of digits, numbers spelled as strings) or by values of the wrong type
(null, lists, objects, text, booleans), keys dropped and unknown keys added — plus documents that
are not objects at all. The command must answer with exit status 0 or 2, print strict JSON (no NaN,
no Infinity) on standard output, and never raise (no traceback). ``main(argv)`` runs in-process
with standard input and output redirected; a few documents also go through a real subprocess.

Find and run it alone with ``pytest -m fuzz``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insats.core.__main__ import COMMANDS, main

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "core" / "examples"


def _seeds(command: str) -> list:
    out = []
    for path in sorted(EXAMPLES.glob(f"{'simulate' if command == 'simulate' else command}_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if command == "simulate" and isinstance(data.get("monte_carlo"), dict):
            data["monte_carlo"]["draws"] = 64  # keep a valid run quick; the shape is what matters
        out.append(data)
    return out


SEEDS = {command: _seeds(command) for command in COMMANDS}

huge_ints = st.integers(min_value=15, max_value=400).map(lambda e: 10**e) | st.integers(
    min_value=-(10**30), max_value=10**30
)
extreme_floats = st.one_of(
    st.floats(min_value=1e15, max_value=1e308),
    st.floats(min_value=-1e308, max_value=-1e15),
    st.sampled_from([-0.0, math.nan, math.inf, -math.inf, 1e15, -1e15, 5e-324, 1.7976931348623157e308]),
)
number_strings = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "inf", "nan", "1e400", "-1e400", "1e15", "1e16", "1E+308", "-0",
     "0.000000000000000000000000000001", "99999999999999999999999999", "1e-400", "", " ", "12,5", "0x10"]
)  # fmt: skip
scalars = st.one_of(
    extreme_floats,
    huge_ints,
    number_strings,
    st.integers(-5, 5),
    st.floats(-10, 10, allow_nan=False),
    st.none(),
    st.booleans(),
    st.text(max_size=8),
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*path, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _paths(value, (*path, index))


def _mutate(obj, path, kind, value):
    if not path:
        return value if kind == "replace" else obj
    parent = obj
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if kind == "replace":
        parent[last] = value
    elif kind == "drop":
        del parent[last]
    elif kind == "extra" and isinstance(parent, dict):
        parent["unknown_" + str(last)] = value
    elif kind == "extra" and isinstance(parent, list):
        parent.append(value)
    return obj


@st.composite
def documents(draw, command):
    if draw(st.integers(0, 19)) == 0:
        return draw(junk)  # not even an object
    doc = json.loads(json.dumps(draw(st.sampled_from(SEEDS[command]))))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["replace", "replace", "replace", "drop", "extra"]))
        value = draw(st.one_of(extreme_floats, huge_ints, number_strings, junk))
        doc = _mutate(doc, path, kind, value)
    return doc


def _refuse_constant(constant):
    raise AssertionError(f"output is not strict JSON: {constant}")


def run_in_process(command: str, text: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([command, "-"])
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def check(command: str, doc) -> None:
    try:
        text = json.dumps(doc)  # NaN and Infinity as the JSON tokens Python writes
    except ValueError:  # integers too long for the str conversion limit: send the digits raw
        text = "1" + "0" * 5000
    status, out, err = run_in_process(command, text)
    assert status in (0, 2), (command, text[:500], out[:500])
    assert "Traceback" not in err
    result = json.loads(out, parse_constant=_refuse_constant)
    if status == 2:
        assert result["errors"] and all(e["field"] and e["message"] for e in result["errors"]), result
    else:
        assert isinstance(result, dict)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_survives_a_thousand_generated_inputs(command):
    assert SEEDS[command], command

    @settings(
        max_examples=1000,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(documents(command))
    def run(doc):
        check(command, doc)

    run()


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("financing", '{"terms": {"commitment": NaN}, "payments": [Infinity]}'),
        ("payments", '{"contract": {"id": "x", "periods": [1e400]}, "results": -Infinity}'),
        ("simulate", '{"budget": {"periods": 1e308}, "inputs": {"x": [' + "9" * 400 + "]}}"),
        ("score", "[" * 50 + "]" * 50),
        ("rank", '{"indicators": -0, "values": "NaN"}'),
    ],
)
def test_a_real_subprocess_exits_0_or_2_with_json_and_no_traceback(command, text):
    done = subprocess.run(
        [sys.executable, "-m", "insats.core", command, "-"],
        input=text, capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr
    json.loads(done.stdout, parse_constant=_refuse_constant)
