"""`edt-tui serve`: the ENT import service over HTTP (uvicorn)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from edt_tui.commands.connection import add_database_option
from edt_tui.errors import BadInputError

if TYPE_CHECKING:
    from edt_tui.config import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve",
        help="run the ENT import service as an HTTP server",
        description=(
            "Serve the ENT import service API (/api/v1, /openapi.json, /docs) on its database "
            "(--database-url; default ent.sqlite3 in the data directory), with an import worker "
            "in the same process unless --no-worker. To scale, "
            "run K `edt-tui serve --no-worker` (behind a load balancer) and M `edt-tui worker` "
            "on one database, on any hosts. Stop with Ctrl-C or SIGTERM (graceful: running "
            "requests finish, a running import goes back to the queue). Access logs: JSON lines "
            "on stderr."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="TCP port (default 8080; 0 = any free port)"
    )
    add_key_options(parser)
    parser.add_argument(
        "--max-upload-mb", type=int, default=50, help="largest accepted upload (default 50 MB)"
    )
    parser.add_argument(
        "--no-worker", action="store_true",
        help="serve the API only: imports are queued for `edt-tui worker` processes to run",
    )
    add_database_option(parser)
    parser.set_defaults(handler=run)


def add_key_options(parser: argparse.ArgumentParser) -> None:
    """The partner identity a service process decrypts exports with (`serve`, `worker`)."""
    parser.add_argument(
        "--key", metavar="KEY.pem",
        help="the ENT partner private key used to decrypt exports (or $EDT_TUI_KEY)",
    )
    parser.add_argument("--partner", help="ENT partner name in exports (default ITSLEARNING)")


def service_settings(args: argparse.Namespace, without_key: str) -> Settings:
    """Settings from `--key`/`--partner`, the environment and config.toml; a missing key is a
    warning (`without_key` says what fails then), a key file that is not there an error."""
    from edt_tui.config import key_file_too_open, load_settings

    settings = load_settings(partner=args.partner, private_key=args.key)
    if settings.private_key is None:
        print(f"edt-tui: warning: no private key (--key, $EDT_TUI_KEY): {without_key}",
              file=sys.stderr)
    elif not settings.private_key.is_file():
        raise BadInputError(f"{settings.private_key}: private key file not found")
    elif key_file_too_open(settings.private_key):
        print(
            f"edt-tui: warning: {settings.private_key} is readable by other users "
            "(chmod 600 it)", file=sys.stderr,
        )
    return settings


def run(args: argparse.Namespace) -> int:
    from edt_tui.assembly import served_app
    from edt_tui.service.server import serve

    if not 0 <= args.port <= 65535:
        raise BadInputError(f"--port {args.port}: not a TCP port (0-65535)")
    if args.max_upload_mb < 1:
        raise BadInputError("--max-upload-mb must be at least 1")
    settings = service_settings(args, "encrypted uploads will be refused")
    app = served_app(
        settings, max_upload=args.max_upload_mb * 1024 * 1024, worker=not args.no_worker,
        database_url=args.database_url,
    )
    return serve(app, host=args.host, port=args.port)
