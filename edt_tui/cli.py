"""Entry point `edt-tui`: the TUI by default, headless subcommands for scripts (docs/running.md).

Each subcommand lives in `edt_tui.commands.<name>` and exposes `register(subparsers)`, which adds
its parser and sets `handler` to a function `(args) -> int`. Heavy imports happen inside handlers
so that `edt-tui --help` stays instant. This module is the only one that knows both front ends:
it opens the TUI itself (no subcommand) and hands `session open` the replay it opens
(`args.open_replay`), so the headless commands and the TUI never import each other.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from edt_tui import __version__
from edt_tui.commands.connection import add_connection_options
from edt_tui.errors import EdtTuiError

if TYPE_CHECKING:
    from edt_tui.session.bundle import Bundle

COMMAND_MODULES = (
    "inspect",
    "keys",
    "samples",
    "ent",
    "serve",
    "worker",
    "plan",
    "imports",
    "history",
    "undo",
    "accounts",
    "session",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edt-tui",
        description=(
            "Import PRONOTE/EDT timetables into the ENT. Without a subcommand, opens the "
            "terminal UI on the embedded ENT service (or on --ent URL)."
        ),
        epilog="Data directory: $EDT_TUI_HOME, else the platform's user data directory.",
    )
    parser.add_argument("--version", action="version", version=f"edt-tui {__version__}")
    add_connection_options(parser)
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colours in the TUI (default auto; NO_COLOR=1 also turns them off)",
    )
    parser.add_argument("--uai", help="open the TUI on this establishment")
    parser.set_defaults(handler=None, open_replay=open_replay)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"edt_tui.commands.{name}").register(sub)
    return parser


def run_tui(args: argparse.Namespace) -> int:
    """`edt-tui` without a subcommand: the wizard, once its data directory is known to open."""
    from edt_tui.tui.start import run_wizard

    check_data_dir(args)
    return run_wizard(args)


def check_data_dir(args: argparse.Namespace) -> None:
    """Open the session store (and the embedded ENT store) before the screen is taken: a
    read-only or unusable data directory is one message on the terminal, not a crash inside
    the TUI."""
    from edt_tui.session.store import SessionStore

    SessionStore().scan()
    if not getattr(args, "ent", None):
        from edt_tui.assembly import check_service_store

        check_service_store()


def open_replay(bundle: Bundle, home: Path, args: argparse.Namespace) -> int:
    """`session open` without `--check`: the bundle's read-only replay in the TUI."""
    from edt_tui.tui.start import run_replay

    return run_replay(bundle, home, args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler
    try:
        if handler is None:
            return run_tui(args)
        code = int(handler(args) or 0)
        sys.stdout.flush()  # surface a closed pipe here, not at interpreter exit
        return code
    except EdtTuiError as exc:
        print(f"edt-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("edt-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `edt-tui inspect … | head`: the reader went away; stop quietly like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
