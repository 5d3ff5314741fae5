"""How the entry point opens the terminal UI: the wizard (`edt-tui`) or a bundle's read-only
replay (`edt-tui session open`).

Only `edt_tui.cli` calls these (the headless commands never import the TUI). Textual is imported
inside the functions, after `apply_color_choice` has set the environment it reads at import.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from edt_tui.client.client import EntClient
    from edt_tui.session.bundle import Bundle
    from edt_tui.tui.replay import ReplayApp


def apply_color_choice(choice: str) -> None:
    """`--color never` sets NO_COLOR (Textual honours it); `always` drops it and asks for 256
    colours — SSH usually does not forward COLORTERM. Must run before Textual is imported."""
    if choice == "never":
        os.environ["NO_COLOR"] = "1"
    elif choice == "always":
        os.environ.pop("NO_COLOR", None)
        os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "256")


def _prepare_terminal(args: argparse.Namespace) -> None:
    apply_color_choice(getattr(args, "color", "auto") or "auto")
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def run_wizard(args: argparse.Namespace) -> int:
    """The wizard on the embedded service, or on `--ent URL`."""
    _prepare_terminal(args)
    from edt_tui.tui.app import EdtTuiApp
    from edt_tui.tui.client_backend import backend_from_args
    from edt_tui.tui.keymap import load_keymap

    keymap = load_keymap()  # a bad [keymap] entry: one English line and exit 2, no TUI
    app = EdtTuiApp(
        backend_from_args(args),
        uai=getattr(args, "uai", None),
        start_dir=Path.cwd(),
        keymap=keymap,
    )
    app.run()
    return 0


def run_replay(bundle: Bundle, home: Path, args: argparse.Namespace) -> int:
    """The read-only replay of `bundle`, restored in the data directory `home`."""
    _prepare_terminal(args)
    replay_app(bundle, home, args).run()
    return 0


def replay_app(bundle: Bundle, home: Path, args: argparse.Namespace) -> ReplayApp:
    """The read-only app on the restored data directory `home` (tests drive it with Pilot)."""
    from edt_tui.session.store import SessionStore
    from edt_tui.tui.backend import ExportCheck
    from edt_tui.tui.replay import ReplayApp, ReplayBackend

    original = bundle.import_session
    store = SessionStore(home / "sessions.json")
    session = store.create(
        original.uai, timezone=original.timezone, decisions_from=original.decisions_from
    )
    session = store.set_export(session.id, ExportCheck.from_dict(original.export).to_dict())
    session = store.update_selection(session.id, lambda _: original.decisions())
    session = store.set_step(session.id, original.step)
    if bundle.job is not None:
        session = store.mark_launched(session.id, str(bundle.job["id"]), None)
        session = store.set_step(session.id, original.step)
    backend = ReplayBackend(lambda: _replay_client(home, args), bundle.reference_time)
    origin = (
        f"session {original.id} · {original.uai} · T {bundle.reference_time[:16]} · "
        f"service {bundle.service_version}"
    )
    if bundle.job is not None:
        origin += f" · ENT d'avant l'import {str(bundle.job['id'])[:8]}"
    return ReplayApp(backend, session, store=store, step=args.step, origin=origin)


def _replay_client(home: Path, args: argparse.Namespace) -> EntClient:
    from edt_tui.client.client import EntClient

    return EntClient.scratch(home, partner=args.partner, private_key=args.key)
