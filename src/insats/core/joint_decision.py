"""Changes by joint decision: one mechanism for every agreement with equal parties.

An outcomes contract (seed 004: "efter ett gemensamt beslut ändras") and an IOP agreement (seed 002:
adjusted "via löpande dialog") change after signing only when EVERY party has approved. The rules
here know nothing of what is changed or of the database; the apps keep their proposals and
approvals and ask:

* :func:`who_must_approve` — every party (the proposer counts as approving its own proposal);
* :func:`pending` — the parties that have not yet decided;
* :func:`decide_error` — why a party may not decide now (a code), or None;
* :func:`outcome` — the state after the decisions so far: ``"open"``, ``"rejected"`` (one party said
  no) or ``"approved"`` (every party said yes: apply the change on this last approval and take a
  new version, :func:`next_version`);
* :func:`diff` — what changed between two version snapshots (plain JSON), leaf by leaf.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

__all__ = [
    "APPROVE",
    "APPROVED",
    "OPEN",
    "REJECT",
    "REJECTED",
    "WITHDRAWN",
    "decide_error",
    "diff",
    "flatten",
    "next_version",
    "outcome",
    "pending",
    "who_must_approve",
]

APPROVE, REJECT = "approve", "reject"
OPEN, APPROVED, REJECTED, WITHDRAWN = "open", "approved", "rejected", "withdrawn"


def who_must_approve(parties: Iterable[Hashable]) -> list[Hashable]:
    """Every party, once each, in the given order."""
    return list(dict.fromkeys(parties))


def pending(parties: Iterable[Hashable], decisions: Mapping[Hashable, str]) -> list[Hashable]:
    return [p for p in who_must_approve(parties) if p not in decisions]


def outcome(parties: Iterable[Hashable], decisions: Mapping[Hashable, str]) -> str:
    """One rejection fells the proposal; it is approved when every party has approved."""
    if any(d == REJECT for d in decisions.values()):
        return REJECTED
    return APPROVED if not pending(parties, decisions) else OPEN


def decide_error(
    status: str,
    party: Hashable | None,
    parties: Iterable[Hashable],
    decisions: Mapping[Hashable, str],
    decision: str,
    reason: str = "",
) -> str | None:
    """Why ``party`` may not record ``decision`` now: ``"closed"`` (already decided or withdrawn),
    ``"not_party"``, ``"already"`` (this party has decided), ``"bad_decision"``, ``"reason"`` (a
    rejection needs a reason); None if it may."""
    if status != OPEN:
        return "closed"
    if party is None or party not in set(who_must_approve(parties)):
        return "not_party"
    if party in decisions:
        return "already"
    if decision not in (APPROVE, REJECT):
        return "bad_decision"
    if decision == REJECT and not reason.strip():
        return "reason"
    return None


def next_version(numbers: Iterable[int]) -> int:
    return max(numbers, default=0) + 1


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts (and lists of dicts/lists) as ``{"a.b.0.c": leaf}``; empty containers kept."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        if not value and prefix:
            out[prefix] = {}
        return out
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}" if prefix else str(i)))
        if not value and prefix:
            out[prefix] = []
        return out
    return {prefix: value}


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``[(dotted field, old value, new value)]`` for every leaf that differs (None = absent)."""
    a, b = flatten(old or {}), flatten(new)
    out = []
    for key in sorted(set(a) | set(b)):
        if (key in a) != (key in b) or a.get(key) != b.get(key):
            out.append((key, a.get(key), b.get(key)))
    return out
