"""The demo imported for real through the API and the worker, on each backend: the recap equals
the plan, a second import is empty, the account check reads what the import left."""

from __future__ import annotations

from tests.execution.test_end_to_end import (  # collected here again, on `database_url`
    test_account_check_after_an_import,
    test_manual_import_recap_equals_the_plan_and_again_is_empty,
)

__all__ = [
    "test_account_check_after_an_import",
    "test_manual_import_recap_equals_the_plan_and_again_is_empty",
]
