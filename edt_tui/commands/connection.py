"""The options of every command that talks to the ENT service (and of the TUI)."""

from __future__ import annotations

import argparse


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
