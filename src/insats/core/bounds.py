"""The numbers the core accepts: finite and within ±MAX_ABS (docs/core.md, "Bounds").

Every number in a command's input — amounts, prices, counts, observations, targets — must be a
finite number with magnitude at most ``MAX_ABS`` = 10^15 (a thousand billion kronor; Sweden's
whole public sector spends about 2.5 × 10^12 kr a year). Beyond that Decimal arithmetic at the
default 28 digits can no longer keep öre, and floats lose whole kronor. NaN and Infinity are never
numbers here. :func:`check` walks a validated input model and returns one error per offending
field, in the same ``{"field", "message"}`` form as the CLI's validation errors.

The random seed of a simulation is an identifier, not a quantity, and is exempt.

:class:`BoundedInput` is the one shared guard: every command's ``Input`` model derives from it, so
``Input.model_validate`` refuses such numbers — on the command line and from Python alike — with
a pydantic ``ValidationError`` whose location names the field.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_ABS = Decimal("1e15")
EXEMPT = frozenset({"seed"})
OUT_OF_BOUNDS = "must lie between -1e15 and 1e15"
NOT_FINITE = "must be a finite number (NaN and Infinity are not allowed)"
# Strings that spell a non-number as JSON writers and Python do; refused wherever they stand.
NON_FINITE_SPELLINGS = frozenset(
    {"NaN", "nan", "-nan", "sNaN", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "+inf"}
)


def _problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return NOT_FINITE
        return None if abs(value) <= MAX_ABS else OUT_OF_BOUNDS
    if isinstance(value, float):
        if not math.isfinite(value):
            return NOT_FINITE
        return None if abs(value) <= MAX_ABS else OUT_OF_BOUNDS
    if isinstance(value, int):
        return None if abs(value) <= MAX_ABS else OUT_OF_BOUNDS
    return None


def _walk(value: Any, path: tuple[str | int, ...], out: list[dict[str, str]]) -> None:
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            if name in EXEMPT:
                continue
            _walk(getattr(value, name), (*path, field.alias or name), out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, (*path, str(key)), out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _walk(item, (*path, index), out)
    else:
        message = _problem(value)
        if message:
            out.append({"field": ".".join(str(p) for p in path) or "(root)", "message": message})


def check(model: BaseModel) -> list[dict[str, str]]:
    """One error per number in a validated ``model`` that is not finite or lies outside ±MAX_ABS.

    Catches the numbers given as JSON strings (Decimal amounts such as ``"250000"``)."""
    out: list[dict[str, str]] = []
    _walk(model, (), out)
    return out


def _string_problem(text: str) -> str | None:
    """A number written as a string: a non-number spelling, or a decimal with a point or an
    exponent beyond the bound ("1e26"). Plain digit strings are left to the models: they are
    often identifiers (period "2026", a participant code)."""
    if text.strip() in NON_FINITE_SPELLINGS:
        return NOT_FINITE
    if not any(c in text for c in ".eE"):
        return None
    try:
        number = Decimal(text.strip())
    except ArithmeticError:
        return None
    return _problem(number)


def check_json(data: Any) -> list[dict[str, str]]:
    """The same for the JSON numbers of a parsed document, before any model sees it.

    Checked first, so that a model's own cross-field rule (low ≤ high, …) does not report a
    non-number under another field's name."""
    out: list[dict[str, str]] = []
    _walk_json(data, (), out)
    return out


def _walk_json(value: Any, path: tuple[str | int, ...], out: list[dict[str, str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in EXEMPT:
                _walk_json(item, (*path, str(key)), out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk_json(item, (*path, index), out)
    elif isinstance(value, int | float | str):
        message = _problem(value) if not isinstance(value, str) else _string_problem(value)
        if message:
            out.append({"field": ".".join(str(p) for p in path) or "(root)", "message": message})


def _loc(field: str) -> tuple[str | int, ...]:
    if field == "(root)":
        return ()
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def _raise(title: str, errors: list[dict[str, str]]) -> None:
    raise ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("number_bounds", e["message"]), loc=_loc(e["field"]), input=None
            )
            for e in errors
        ],
    )


class BoundedInput(BaseModel):
    """Base of every command's ``Input``: ``model_validate`` checks the raw JSON numbers first
    (:func:`check_json`, so a cross-field rule never reports a non-number under another name), then
    the validated model (:func:`check`, numbers given as strings); either raises a
    ``ValidationError`` naming each offending field."""

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(obj, dict | list):
            errors = check_json(obj)
            if errors:
                _raise(cls.__name__, errors)
        model = super().model_validate(obj, *args, **kwargs)
        errors = check(model)
        if errors:
            _raise(cls.__name__, errors)
        return model
