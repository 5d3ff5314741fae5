"""Ranked fuzzy suggestions for people the automatic rules could not reconcile (rules §7.4).

Never applied automatically: the admin picks one (`PersonChoice.LINK`). To stay fast on 2,000 ×
2,000 students, candidates are blocked first — students by birth date, teachers (and students
without a birth date, or whose birth-date block finds nothing) by the first letter of the last
name or the exact first name — and only the block is scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from edt_tui.engine.model import DirectoryUser
from edt_tui.engine.normalize import norm

MIN_SCORE = 0.75
"""Below this, a candidate is noise (e.g. same birth date, unrelated name)."""
NAME_ONLY_MIN_SCORE = 0.9
"""A student suggested despite a different birth date must have (nearly) the same name."""
CLOSE = 0.8
"""A field ratio at or above this counts as a close match in the evidence."""
CLEAR_MARGIN = 0.05
"""The best suggestion is recommended only when it beats the runner-up by this much."""
MAX_SUGGESTIONS = 3
LAST_NAME_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class Suggestion:
    sync_id: str
    last_name: str
    first_name: str
    birth_date: date | None
    score: float
    """0..1, weighted name similarity."""
    evidence: tuple[str, ...]
    """`last_name:exact|close`, `first_name:exact|close|prefix`, `birth_date:exact|differs`."""
    margin: float
    """Score minus the next suggestion's score (the score itself for the last one)."""


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


MIN_PREFIX = 5
"""PRONOTE truncates teachers' first names (~10 characters): a long enough prefix is a match."""


def _first_name_ratio(a: str, b: str) -> tuple[float, str | None]:
    if a == b:
        return 1.0, "first_name:exact"
    shorter, longer = sorted((a, b), key=len)
    if len(shorter) >= MIN_PREFIX and longer.startswith(shorter):
        return 1.0, "first_name:prefix"
    ratio = _ratio(a, b)
    return ratio, _field("first_name", ratio)


def _field(name: str, ratio: float) -> str | None:
    if ratio == 1.0:
        return f"{name}:exact"
    return f"{name}:close" if ratio >= CLOSE else None


class SuggestionIndex:
    """Candidates of one profile, blocked for quick lookup."""

    def __init__(self, candidates: Sequence[DirectoryUser]) -> None:
        self._by_birth: dict[date, list[DirectoryUser]] = defaultdict(list)
        self._by_initial: dict[str, list[DirectoryUser]] = defaultdict(list)
        self._by_first: dict[str, list[DirectoryUser]] = defaultdict(list)
        for user in candidates:
            if user.birth_date is not None:
                self._by_birth[user.birth_date].append(user)
            last = norm(user.last_name)
            self._by_initial[last[:1]].append(user)
            self._by_first[norm(user.first_name)].append(user)

    def _block(self, last: str, first: str, birth: date | None) -> Iterable[DirectoryUser]:
        if birth is not None:
            return self._by_birth.get(birth, ())
        seen = {id(u): u for u in self._by_initial.get(last[:1], ())}
        seen.update((id(u), u) for u in self._by_first.get(first, ()))
        return seen.values()

    def suggest(
        self,
        last_name: str,
        first_name: str,
        birth_date: date | None,
        *,
        use_birth_date: bool,
        excluded: frozenset[str] = frozenset(),
    ) -> tuple[Suggestion, ...]:
        """Students are looked up by birth date first; when that finds nothing (a birth date
        keyed wrong on one side), by name, with the stricter `NAME_ONLY_MIN_SCORE`."""
        last, first = norm(last_name), norm(first_name)
        blocking = birth_date if use_birth_date else None
        scored = self._score(self._block(last, first, blocking), last, first, birth_date, excluded)
        if not scored and blocking is not None:
            by_name = self._block(last, first, None)
            scored = [
                entry
                for entry in self._score(by_name, last, first, birth_date, excluded)
                if entry[0] >= NAME_ONLY_MIN_SCORE
            ]
        scored.sort(key=lambda entry: (-entry[0], entry[1]))
        best = scored[:MAX_SUGGESTIONS]
        result = []
        for rank, (score, _, user, matched) in enumerate(best):
            following = scored[rank + 1][0] if rank + 1 < len(scored) else 0.0
            result.append(
                Suggestion(
                    user.sync_id,
                    user.last_name,
                    user.first_name,
                    user.birth_date,
                    score,
                    matched,
                    round(score - following, 3),
                )
            )
        return tuple(result)

    @staticmethod
    def _score(
        users: Iterable[DirectoryUser],
        last: str,
        first: str,
        birth_date: date | None,
        excluded: frozenset[str],
    ) -> list[tuple[float, str, DirectoryUser, tuple[str, ...]]]:
        scored = []
        for user in users:
            if user.sync_id in excluded:
                continue
            last_ratio = _ratio(last, norm(user.last_name))
            first_ratio, first_evidence = _first_name_ratio(first, norm(user.first_name))
            score = LAST_NAME_WEIGHT * last_ratio + (1 - LAST_NAME_WEIGHT) * first_ratio
            if score < MIN_SCORE:
                continue
            evidence = [e for e in (_field("last_name", last_ratio), first_evidence) if e]
            if birth_date is not None and user.birth_date is not None:
                same = birth_date == user.birth_date
                evidence.append("birth_date:exact" if same else "birth_date:differs")
            scored.append((round(score, 3), user.sync_id, user, tuple(evidence)))
        return scored
