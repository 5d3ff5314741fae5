"""Where a replayed plan differs from the customer's: per wizard step, per action type.

`session open --check` recomputes the plan on the restored service and compares it with the plan
the bundle carries (the customer's step lists) and with the customer's action counts (the job's
own actions once the import ran). A difference means the replay would not show what the customer
saw: another service version, or an ENT the bundle could not rebuild exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

STEPS = ("subjects", "classes", "groups", "courses", "teachers", "students")
EXAMPLES = 5


def _rows(plan: Mapping[str, Any], step: str) -> dict[str, Mapping[str, Any]]:
    return {str(row["key"]): row for row in plan.get(step) or ()}


def _fields(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def step_differences(
    customer: Mapping[str, Any], replay: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """For each step that differs: rows only in either plan and rows that changed (examples)."""
    found: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        theirs, ours = _rows(customer, step), _rows(replay, step)
        missing = sorted(theirs.keys() - ours.keys())
        extra = sorted(ours.keys() - theirs.keys())
        changed = sorted(k for k in theirs.keys() & ours.keys() if theirs[k] != ours[k])
        if missing or extra or changed:
            found[step] = {
                "only_customer": len(missing), "only_replay": len(extra), "changed": len(changed),
                "examples": [
                    *({"key": k, "only": "customer"} for k in missing[:EXAMPLES]),
                    *({"key": k, "only": "replay"} for k in extra[:EXAMPLES]),
                    *({"key": k, "fields": _fields(theirs[k], ours[k])}
                      for k in changed[:EXAMPLES]),
                ],
            }
    return found


def action_differences(
    customer: Mapping[str, int], replay: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """Action types whose counts differ: `{type: {customer, replay}}`."""
    return {
        kind: {"customer": int(customer.get(kind, 0)), "replay": int(replay.get(kind, 0))}
        for kind in sorted(customer.keys() | replay.keys())
        if int(customer.get(kind, 0)) != int(replay.get(kind, 0))
    }


def describe(steps: Mapping[str, Mapping[str, Any]], actions: Mapping[str, Any]) -> list[str]:
    """One line per difference, for a person reading the terminal."""
    lines: list[str] = []
    for step, d in steps.items():
        keys: Sequence[str] = [e["key"] for e in d["examples"]]
        lines.append(
            f"step {step}: {d['only_customer']} rows only in the customer's plan, "
            f"{d['only_replay']} only in the replay, {d['changed']} changed "
            f"(e.g. {', '.join(keys)})"
        )
    for kind, counts in actions.items():
        lines.append(f"actions {kind}: customer {counts['customer']}, replay {counts['replay']}")
    return lines
