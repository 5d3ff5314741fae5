"""Database URLs: parsing, precedence (flag, environment, config.toml, data directory),
passwords never shown, and the CLI's answer to a bad or unreachable database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.config import database_url
from edt_tui.storage.postgres import translate
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import BadDatabaseUrlError, parse_database_url, redact, sqlite_url
from tests.conftest import SAMPLES

Capsys = pytest.CaptureFixture[str]


def test_sqlite_and_postgresql_urls_parse() -> None:
    parsed = parse_database_url("sqlite:///var/lib/edt/ent.sqlite3")
    assert (parsed.backend, parsed.path) == ("sqlite", Path("/var/lib/edt/ent.sqlite3"))
    assert sqlite_url(Path("/a/b.sqlite3")) == "sqlite:///a/b.sqlite3"
    assert parse_database_url("sqlite:////a/b.sqlite3").path == Path("/a/b.sqlite3")
    for url in ("postgresql://edt:pw@db.example:5433/ent?sslmode=require",
                "postgres://edt@db/ent", "postgresql:///ent"):
        parsed = parse_database_url(url)
        assert parsed.backend == "postgresql" and parsed.path is None
    assert parse_database_url("postgresql://edt:pw@db/ent").display == "postgresql://edt:***@db/ent"


@pytest.mark.parametrize(("url", "why"), [
    ("mysql://db/ent", "unknown scheme 'mysql'"),
    ("ent.sqlite3", "unknown scheme"),
    ("sqlite://relative/ent.sqlite3", "absolute path"),
    ("sqlite:///var/lib/edt/", "names a directory"),
    ("sqlite:///x.sqlite3?mode=ro", "takes no options"),
    ("postgresql://edt:pw@db:notaport/ent", "Port could not be cast"),
    ("postgresql://edt@db/ent?nosuchoption=1", "nosuchoption"),
])
def test_bad_urls_say_why(url: str, why: str) -> None:
    with pytest.raises(BadDatabaseUrlError, match=why) as refused:
        parse_database_url(url, where="--database-url")
    assert refused.value.exit_code == 2
    assert str(refused.value).startswith("--database-url: bad database URL")
    assert ":pw@" not in str(refused.value)


def test_passwords_are_masked_everywhere() -> None:
    assert redact("postgresql://edt:s3cr%40t@db:5432/ent") == "postgresql://edt:***@db:5432/ent"
    assert redact("host=db password=s3cret user=edt") == "host=db password=*** user=edt"
    assert redact("postgresql://db/ent?password=s3cret&sslmode=require") == (
        "postgresql://db/ent?password=***&sslmode=require"
    )
    assert redact("sqlite:///home/edt/ent.sqlite3") == "sqlite:///home/edt/ent.sqlite3"


def test_precedence_flag_then_environment_then_config_then_data_directory(
    edt_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert database_url() == (f"sqlite://{edt_home / 'ent.sqlite3'}", "the data directory")
    (edt_home / "config.toml").write_text('database_url = "postgresql://from-config/ent"\n')
    assert database_url() == (
        "postgresql://from-config/ent", f"{edt_home / 'config.toml'}: database_url"
    )
    monkeypatch.setenv("EDT_TUI_DATABASE_URL", "postgresql://from-env/ent")
    assert database_url() == ("postgresql://from-env/ent", "EDT_TUI_DATABASE_URL")
    assert database_url("sqlite:///flag.sqlite3") == ("sqlite:///flag.sqlite3", "--database-url")


def test_the_default_is_the_existing_data_directory_file(edt_home: Path) -> None:
    """Data directories made before database URLs keep working: same file, same data."""
    open_store(sqlite_url(edt_home / "ent.sqlite3")).close()
    with sqlite3.connect(edt_home / "ent.sqlite3") as raw:
        raw.execute("INSERT INTO establishments (uai, name, timezone, push_secret, created_at, "
                    "updated_at) VALUES ('0490856P', 'A', 'Europe/Paris', 's', 'x', 'x')")
    raw.close()
    store = open_store()
    assert store.get_establishment("0490856P") is not None
    store.close()


def test_a_bad_url_is_exit_2_naming_its_source(
    edt_home: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = str(SAMPLES / "demo" / "ent")
    assert main(["ent", "load", directory, "--database-url", "sqlite://x"]) == 2
    err = capsys.readouterr().err
    assert "--database-url: bad database URL 'sqlite://x'" in err and "Traceback" not in err
    monkeypatch.setenv("EDT_TUI_DATABASE_URL", "oracle://u:topsecret@db/x")
    assert main(["ent", "load", directory]) == 2
    err = capsys.readouterr().err
    assert "EDT_TUI_DATABASE_URL: bad database URL 'oracle://u:***@db/x'" in err
    assert "unknown scheme 'oracle'" in err and "topsecret" not in err
    assert not (edt_home / "ent.sqlite3").exists()  # nothing opened elsewhere instead


def test_an_unreachable_server_is_one_clear_message_without_the_password(
    capsys: Capsys,
) -> None:
    url = "postgresql://edt:topsecret@127.0.0.1:1/ent"  # nothing listens on port 1
    assert main(["ent", "token", "create", "--role", "platform", "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "postgresql://edt:***@127.0.0.1:1/ent: cannot reach the PostgreSQL server" in err
    assert "topsecret" not in err and "Traceback" not in err
    assert "--database-url" in err  # what to do


def test_placeholders_become_psycopg_ones_once() -> None:
    assert translate("SELECT ? WHERE a LIKE '%?%' AND b = ? -- 5%") == (
        "SELECT %s WHERE a LIKE '%%?%%' AND b = %s -- 5%%"
    )
    assert translate.cache_info().currsize >= 1


def test_serve_refuses_a_bad_url_before_listening(capsys: Capsys) -> None:
    assert main(["serve", "--port", "0", "--database-url", "sqlite:relative.db"]) == 2
    err = capsys.readouterr().err
    assert "--database-url: bad database URL" in err and "serving on" not in err
