"""Where edt-tui keeps its data and which ENT partner identity it uses.

Precedence: command-line flags, then environment variables, then `config.toml` in the data
directory, then defaults. Key material is only ever referred to by path.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from edt_tui.errors import BadInputError, EdtTuiError

DEFAULT_PARTNER = "ITSLEARNING"
"""The partner name (`PARTENAIRE/@NOM`) PRONOTE uses when exporting for this ENT."""


class DataDirError(EdtTuiError):
    """The data directory cannot be created or written: the environment, not the input."""


def data_dir(*, create: bool = True) -> Path:
    """`EDT_TUI_HOME`, else the platform's user data directory; created on demand.

    `create=False` for readers (config.toml): a command that only reads never fails on it.
    """
    env = os.environ.get("EDT_TUI_HOME")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("edt-tui"))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataDirError(
                f"cannot create the data directory {path} ({exc.strerror or exc})",
                hint="set EDT_TUI_HOME to a writable directory (its parents must be directories)",
            ) from None
    return path


@dataclass(frozen=True, slots=True)
class Settings:
    partner: str = DEFAULT_PARTNER
    private_key: Path | None = None


def load_settings(*, partner: str | None = None, private_key: str | Path | None = None) -> Settings:
    """Merge flags (arguments), environment (`EDT_TUI_PARTNER`, `EDT_TUI_KEY`) and config.toml."""
    file_conf: dict[str, object] = {}
    conf_path = data_dir(create=False) / "config.toml"
    if conf_path.is_file():
        try:
            with conf_path.open("rb") as fh:
                file_conf = tomllib.load(fh)
        except OSError as exc:
            raise DataDirError(
                f"cannot read {conf_path} ({exc.strerror or exc})", hint="check its rights"
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BadInputError(
                f"{conf_path} is not valid TOML ({exc})", hint="fix it or remove it"
            ) from None
    chosen_partner = (
        partner or os.environ.get("EDT_TUI_PARTNER") or str(file_conf.get("partner") or "")
    ) or DEFAULT_PARTNER
    key = private_key or os.environ.get("EDT_TUI_KEY") or file_conf.get("private_key")
    key_path = Path(str(key)).expanduser() if key else None
    return Settings(partner=chosen_partner, private_key=key_path)


def key_file_too_open(path: Path) -> bool:
    """True when a private key file is readable by group or others (we warn, never print it)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
