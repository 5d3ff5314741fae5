"""`edt_tui.wire` sits below the service and the client: importing it loads neither of them,
nor the TUI, nor an HTTP or database framework."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN_PACKAGES = ("edt_tui.service", "edt_tui.client", "edt_tui.tui", "edt_tui.commands",
                      "edt_tui.session", "edt_tui.storage")
FORBIDDEN_FRAMEWORKS = ("fastapi", "starlette", "httpx", "textual", "sqlite3", "psycopg")


def test_the_wire_models_import_nothing_above_them() -> None:
    code = "import json, sys\nimport edt_tui.wire\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out)
    above = [m for m in loaded if m.startswith(FORBIDDEN_PACKAGES)]
    frameworks = {m.split(".")[0] for m in loaded} & set(FORBIDDEN_FRAMEWORKS)
    assert above == [] and frameworks == set(), (above, frameworks)
