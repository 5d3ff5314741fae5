"""The engine is pure: importing it loads no UI, HTTP, database or file-format framework."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("textual", "httpx", "fastapi", "uvicorn", "sqlite3", "tinydb", "lxml", "rich")


def test_engine_imports_no_io_framework() -> None:
    code = (
        "import json, sys\n"
        "import edt_tui.engine.plan, edt_tui.engine.apply\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = {name.split(".")[0] for name in json.loads(out)}
    assert loaded.isdisjoint(FORBIDDEN), loaded & set(FORBIDDEN)
