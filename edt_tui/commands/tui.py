"""`edt-tui` without a subcommand: the terminal UI on the embedded service (or on --ent URL)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def apply_color_choice(choice: str) -> None:
    """`--color never` sets NO_COLOR (Textual honours it); `always` drops it and asks for 256
    colours — SSH usually does not forward COLORTERM. Must run before Textual is imported."""
    if choice == "never":
        os.environ["NO_COLOR"] = "1"
    elif choice == "always":
        os.environ.pop("NO_COLOR", None)
        os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "256")


def run_tui(args: argparse.Namespace) -> int:
    apply_color_choice(getattr(args, "color", "auto") or "auto")
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    from edt_tui.tui.app import EdtTuiApp
    from edt_tui.tui.client_backend import backend_from_args

    check_data_dir(args)
    app = EdtTuiApp(backend_from_args(args), uai=getattr(args, "uai", None), start_dir=Path.cwd())
    app.run()
    return 0


def check_data_dir(args: argparse.Namespace) -> None:
    """Open the session store (and the embedded ENT store) before the screen is taken: a
    read-only or unusable data directory is one message on the terminal, not a crash inside
    the TUI."""
    from edt_tui.session.store import SessionStore

    SessionStore().scan()
    if not getattr(args, "ent", None):
        from edt_tui.service.sqlite_store import open_store

        open_store().close()
