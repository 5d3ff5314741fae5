"""What runs beside the API in both the embedded service and `edt-tui serve`.

`background_tasks()` is THE place where long-running loops (the import worker) are
registered: each is a coroutine function `(store) -> Awaitable[None]` that `create_app` starts
in its lifespan and cancels at shutdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from edt_tui.service.api.app import Background


def background_tasks() -> Sequence[Background]:
    from edt_tui.service.imports import run_worker

    return (run_worker,)
