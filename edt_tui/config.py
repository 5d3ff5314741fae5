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

DEFAULT_PARTNER = "ITSLEARNING"
"""The partner name (`PARTENAIRE/@NOM`) PRONOTE uses when exporting for this ENT."""


def data_dir() -> Path:
    """`EDT_TUI_HOME`, else the platform's user data directory; created on demand."""
    env = os.environ.get("EDT_TUI_HOME")
    path = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("edt-tui"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True, slots=True)
class Settings:
    partner: str = DEFAULT_PARTNER
    private_key: Path | None = None


def load_settings(*, partner: str | None = None, private_key: str | Path | None = None) -> Settings:
    """Merge flags (arguments), environment (`EDT_TUI_PARTNER`, `EDT_TUI_KEY`) and config.toml."""
    file_conf: dict[str, object] = {}
    conf_path = data_dir() / "config.toml"
    if conf_path.is_file():
        with conf_path.open("rb") as fh:
            file_conf = tomllib.load(fh)
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
