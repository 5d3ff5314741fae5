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
from edt_tui.pronote.model import DEFAULT_PARTNER


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


DEFAULT_JOB_LEASE_SECONDS = 30.0
"""A running import is taken back by another worker once its worker has not renewed it for
this long (a crash, `kill -9`): long enough for a batch on a loaded machine, short enough that a
restarted service resumes quickly."""
_LEASE_BOUNDS = (1.0, 3600.0)


@dataclass(frozen=True, slots=True)
class Settings:
    partner: str = DEFAULT_PARTNER
    private_key: Path | None = None
    job_lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS


def _lease_seconds(value: object, where: str) -> float:
    low, high = _LEASE_BOUNDS
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = float("nan")
    if not low <= seconds <= high:  # also refuses nan
        raise BadInputError(
            f"{where}: job lease {value!r} is not a number of seconds between {low:g} and "
            f"{high:g}",
            hint=f"remove it for the default ({DEFAULT_JOB_LEASE_SECONDS:g} s)",
        )
    return seconds


def config_file() -> tuple[Path, dict[str, object]]:
    """`config.toml` of the data directory and its contents (empty when there is none)."""
    conf_path = data_dir(create=False) / "config.toml"
    if not conf_path.is_file():
        return conf_path, {}
    try:
        with conf_path.open("rb") as fh:
            return conf_path, tomllib.load(fh)
    except OSError as exc:
        raise DataDirError(
            f"cannot read {conf_path} ({exc.strerror or exc})", hint="check its rights"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInputError(
            f"{conf_path} is not valid TOML ({exc})", hint="fix it or remove it"
        ) from None


def database_url(flag: str | None = None) -> tuple[str, str]:
    """The ENT store's database URL and where it came from: `--database-url`, then
    `EDT_TUI_DATABASE_URL`, then `database_url` in config.toml, then the SQLite file of the
    data directory (`sqlite:///<data dir>/ent.sqlite3`, where edt-tui always kept it)."""
    if flag:
        return flag, "--database-url"
    if os.environ.get("EDT_TUI_DATABASE_URL"):
        return os.environ["EDT_TUI_DATABASE_URL"], "EDT_TUI_DATABASE_URL"
    conf_path, file_conf = config_file()
    if file_conf.get("database_url"):
        return str(file_conf["database_url"]), f"{conf_path}: database_url"
    return f"sqlite://{data_dir().absolute() / 'ent.sqlite3'}", "the data directory"


def load_settings(*, partner: str | None = None, private_key: str | Path | None = None) -> Settings:
    """Merge flags (arguments), environment (`EDT_TUI_PARTNER`, `EDT_TUI_KEY`,
    `EDT_TUI_JOB_LEASE_SECONDS`) and config.toml (`partner`, `private_key`, `job_lease_seconds`)."""
    conf_path, file_conf = config_file()
    chosen_partner = (
        partner or os.environ.get("EDT_TUI_PARTNER") or str(file_conf.get("partner") or "")
    ) or DEFAULT_PARTNER
    key = private_key or os.environ.get("EDT_TUI_KEY") or file_conf.get("private_key")
    key_path = Path(str(key)).expanduser() if key else None
    lease = DEFAULT_JOB_LEASE_SECONDS
    if os.environ.get("EDT_TUI_JOB_LEASE_SECONDS"):
        lease = _lease_seconds(os.environ["EDT_TUI_JOB_LEASE_SECONDS"], "EDT_TUI_JOB_LEASE_SECONDS")
    elif "job_lease_seconds" in file_conf:
        lease = _lease_seconds(file_conf["job_lease_seconds"], f"{conf_path}: job_lease_seconds")
    return Settings(partner=chosen_partner, private_key=key_path, job_lease_seconds=lease)


def key_file_too_open(path: Path) -> bool:
    """True when a private key file is readable by group or others (we warn, never print it)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
