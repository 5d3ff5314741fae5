"""The options of every command that talks to the ENT service (and of the TUI), and of those
that open its database."""

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


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """`--database-url` on the commands that open the ENT store themselves (`serve`, `worker`,
    `ent …`)."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="the ENT store: sqlite:///ABS/PATH or postgresql://USER@HOST/DB (else "
        "$EDT_TUI_DATABASE_URL, config.toml's database_url, or ent.sqlite3 in the data "
        "directory; see docs/storage.md)",
    )
