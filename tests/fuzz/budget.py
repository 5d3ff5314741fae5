"""One fuzzing budget for every fuzz test, so the suite stays fast and `bench/` can run it longer.

The suite uses a small fixed number of examples per property; `EDT_TUI_FUZZ_EXAMPLES` raises it
for the long run (the fuzz script in `bench/` sets it). No deadline: the time bound each property
asserts is its own, measured on the refusal, not Hypothesis's per-example deadline.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("EDT_TUI_FUZZ_EXAMPLES", "40"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
