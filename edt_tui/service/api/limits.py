"""Admission limits answered with 429 and `Retry-After`: concurrent uploads and wrong push
secrets. Both are checked before a request body is read, so a refused request costs no I/O.

In memory and per process (the service is one process); asyncio-only, so no lock is needed.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator
from datetime import datetime

from edt_tui.service.api.problems import Problem

UPLOAD_SLOTS = 2
"""Exports parsed at once (uploads, dry runs, pushes): each costs a core and memory in
proportion to the file, and the service is sized for two cores."""
UPLOAD_RETRY_SECONDS = 5
ADDRESS_BUDGET = 10
"""Wrong push secrets one client address may send per window before it is refused outright."""
ESTABLISHMENT_BUDGET = 30
"""Wrong push secrets per establishment and window (from any address) before 429."""
WINDOW_SECONDS = 60


def too_many(detail: str, retry_after: int) -> Problem:
    return Problem(
        429, "too-many-requests", "Too many requests", detail,
        headers={"Retry-After": str(retry_after)},
    )


class UploadSlots:
    """At most `size` export bodies read and parsed at once; beyond, 429 at once (no queue:
    a waiting upload would hold its connection and its body's memory)."""

    def __init__(self, size: int = UPLOAD_SLOTS) -> None:
        self.size = size
        self.busy = 0

    @contextlib.asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if self.busy >= self.size:
            raise too_many(
                f"{self.size} exports are already being received; retry in a few seconds",
                UPLOAD_RETRY_SECONDS,
            )
        self.busy += 1
        try:
            yield
        finally:
            self.busy -= 1


class FailureWindows:
    """Failures counted per key in fixed windows of `seconds`; a key whose count reached
    `budget` waits until its window ends. Only the current window is kept."""

    def __init__(self, budget: int, seconds: int = WINDOW_SECONDS) -> None:
        self.budget = budget
        self.seconds = seconds
        self.window = -1
        self.counts: dict[str, int] = {}

    def _roll(self, now: datetime) -> float:
        stamp = now.timestamp()
        window = int(stamp // self.seconds)
        if window != self.window:
            self.window, self.counts = window, {}
        return stamp

    def wait(self, key: str, now: datetime) -> int | None:
        """Seconds to wait when `key` is over budget, else None."""
        stamp = self._roll(now)
        if self.counts.get(key, 0) < self.budget:
            return None
        return max(1, math.ceil((self.window + 1) * self.seconds - stamp))

    def fail(self, key: str, now: datetime) -> None:
        self._roll(now)
        self.counts[key] = self.counts.get(key, 0) + 1


class PushGuard:
    """Wrong push secrets: a client address over its budget is refused before its secret is
    even compared; an establishment over its budget answers 429 to wrong secrets only, so a
    flood from many addresses cannot lock its real PRONOTE out."""

    def __init__(
        self, *, per_address: int = ADDRESS_BUDGET, per_establishment: int = ESTABLISHMENT_BUDGET,
        seconds: int = WINDOW_SECONDS,
    ) -> None:
        self.addresses = FailureWindows(per_address, seconds)
        self.establishments = FailureWindows(per_establishment, seconds)

    def check_address(self, address: str, now: datetime) -> None:
        wait = self.addresses.wait(address, now)
        if wait is not None:
            raise too_many("too many wrong push URLs from this address", wait)

    def wrong_secret(self, address: str, uai: str, now: datetime) -> int | None:
        """Count one wrong secret; seconds to wait when the establishment is over budget."""
        self.addresses.fail(address, now)
        wait = self.establishments.wait(uai, now)
        self.establishments.fail(uai, now)
        return wait
