"""Async ENT client (httpx) shared by the CLI and the TUI.

`EntClient.embedded()` / `EntClient.remote(url, token)`, or `client_from_args(args)` in commands.
"""

from edt_tui.client.client import EntClient
from edt_tui.client.errors import ServiceError
from edt_tui.client.factory import client_from_args

__all__ = ["EntClient", "ServiceError", "client_from_args"]
