"""Entry point `edt-tui`: the TUI by default, headless subcommands for scripts (docs/running.md).

Each subcommand lives in `edt_tui.commands.<name>` and exposes `register(subparsers)`, which adds
its parser and sets `handler` to a function `(args) -> int`. Heavy imports happen inside handlers
so that `edt-tui --help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from edt_tui import __version__
from edt_tui.errors import EdtTuiError

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
    parser.set_defaults(handler=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"edt_tui.commands.{name}").register(sub)
    return parser


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """`--ent URL` / `--token` on the main parser and on every subcommand that talks to the ENT."""
    parser.add_argument(
        "--ent",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="talk to a running ENT import service instead of the embedded one",
    )
    parser.add_argument(
        "--token",
        default=argparse.SUPPRESS,
        help="API token for --ent (or $EDT_TUI_TOKEN)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = args.handler
    try:
        if handler is None:
            from edt_tui.commands.tui import run_tui

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
