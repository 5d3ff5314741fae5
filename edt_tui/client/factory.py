"""`client_from_args`: the client every command uses, from `--ent URL` / `--token`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from edt_tui.client.client import EntClient


def client_from_args(
    args: argparse.Namespace, *, private_key: str | Path | None = None,
    partner: str | None = None, worker: bool = True,
) -> EntClient:
    """Remote when `--ent URL` is given (token from `--token` or $EDT_TUI_TOKEN), else embedded.

    `private_key`/`partner` only matter for the embedded service, which decrypts uploads itself
    (a remote service has its own key). `worker=False`: the embedded service runs no import
    worker (short commands that only read or enqueue leave queued jobs alone).
    """
    url = getattr(args, "ent", None)
    if url:
        token = getattr(args, "token", None) or os.environ.get("EDT_TUI_TOKEN")
        return EntClient.remote(url, token)
    return EntClient.embedded(
        getattr(args, "database_url", None), partner=partner, private_key=private_key,
        worker=worker,
    )
