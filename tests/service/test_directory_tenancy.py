"""`ent load` never moves an account, subject, class or token to another establishment unasked.

Two generated establishments share sync ids (the generator numbers accounts from 1 in each):
loading the second must not take the first one's accounts.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from edt_tui.cli import main
from edt_tui.engine.model import Profile, UserSource
from edt_tui.service.records import (
    AccountMove,
    ClassRecord,
    DirectoryLoad,
    Establishment,
    Principal,
    SubjectRecord,
    TokenRole,
    UserRecord,
)
from edt_tui.service.store import AccountElsewhereError, StoreError, TokenCollisionError
from edt_tui.storage.sql_store import SqlStore, open_store
from edt_tui.storage.url import sqlite_url
from tests.service.conftest import UAI_A as SEED_A
from tests.service.conftest import UAI_B as SEED_B

UAI_A, UAI_B = "0490856P", "0440001A"
Capsys = pytest.CaptureFixture[str]


def users_per_establishment(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "ent.sqlite3") as db:
        rows = db.execute("SELECT uai, COUNT(*) FROM directory_users GROUP BY uai").fetchall()
        return dict(rows)


def establishments(home: Path) -> list[str]:
    with sqlite3.connect(home / "ent.sqlite3") as db:
        return [r[0] for r in db.execute("SELECT uai FROM establishments ORDER BY uai")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`samples generate --out a` and `--out b --uai 0440001A --seed 7`, once for the module."""
    root = tmp_path_factory.mktemp("generated")
    assert main(["samples", "generate", "--out", str(root / "a")]) == 0
    assert main(["samples", "generate", "--out", str(root / "b"), "--uai", UAI_B,
                 "--seed", "7"]) == 0
    return root


def test_loading_a_second_establishment_never_takes_the_first_ones_accounts(
    generated: Path, edt_home: Path, capsys: Capsys
) -> None:
    assert main(["ent", "load", str(generated / "a" / "ent")]) == 0
    assert users_per_establishment(edt_home) == {UAI_A: 641}
    capsys.readouterr()

    assert main(["ent", "load", str(generated / "b" / "ent")]) == 2

    err = capsys.readouterr().err
    users_csv = generated / "b" / "ent" / "users.csv"
    assert f"{users_csv}, line 2: sync_id 'aaf-0000001' belongs to establishment {UAI_A}; " \
           f"this row puts it in {UAI_B}" in err
    assert "--move-accounts" in err and "Traceback" not in err
    assert users_per_establishment(edt_home) == {UAI_A: 641}
    assert establishments(edt_home) == [UAI_A]  # not even B's establishment row: all or nothing


def test_move_accounts_moves_them_reports_each_and_drops_their_old_idpn_links(
    generated: Path, edt_home: Path, capsys: Capsys
) -> None:
    assert main(["ent", "load", str(generated / "a" / "ent")]) == 0
    store = open_store()
    store.link_idpn(UAI_A, "aaf-0000001", "IDPN-A-1", method="identity", validated_by="admin")
    store.link_idpn(UAI_A, "csv-0000062", "IDPN-A-62", method="identity", validated_by=None)
    store.close()
    capsys.readouterr()

    assert main(["ent", "load", "--move-accounts", str(generated / "b" / "ent")]) == 0

    out = capsys.readouterr().out
    counts = users_per_establishment(edt_home)
    moved = 641 - counts[UAI_A]
    assert moved > 0 and counts[UAI_B] == 649
    assert f"{moved} account(s) moved to another establishment" in out
    assert f"  aaf-0000001: {UAI_A} -> {UAI_B}" in out
    assert out.count(f": {UAI_A} -> {UAI_B}") == moved
    with sqlite3.connect(edt_home / "ent.sqlite3") as db:
        links = db.execute("SELECT uai, sync_id FROM idpn_links ORDER BY sync_id").fetchall()
    # The moved account's link to A's PRONOTE is gone; an account only A has keeps its link.
    assert links == [(UAI_A, "csv-0000062")]


def user(uai: str, sync_id: str, last: str = "DURAND") -> UserRecord:
    return UserRecord(uai, sync_id, Profile.STUDENT, last, "Zoé", None, None, UserSource.AAF)


@pytest.fixture
def two(tmp_path: Path) -> SqlStore:
    store = open_store(sqlite_url(tmp_path / "ent.sqlite3"))
    store.upsert_establishments([Establishment(UAI_A, "A"), Establishment(UAI_B, "B")])
    return store


def test_upsert_users_refuses_a_sync_id_of_another_establishment(two: SqlStore) -> None:
    two.upsert_users([user(UAI_A, "u1")])
    with pytest.raises(AccountElsewhereError, match=f"u1 is in {UAI_A}, not {UAI_B}") as caught:
        two.upsert_users([user(UAI_B, "u2"), user(UAI_B, "u1", "OTHER")])
    assert caught.value.exit_code == 2
    assert two.get_user(UAI_A, "u1").last_name == "DURAND"  # type: ignore[union-attr]
    assert two.get_user(UAI_B, "u2") is None  # the whole batch was refused


def test_subjects_and_classes_of_the_same_name_stay_each_establishments_own(
    two: SqlStore,
) -> None:
    two.upsert_subjects([SubjectRecord(UAI_A, "MATHEMATIQUES", "MATHS")])
    two.upsert_classes([ClassRecord(UAI_A, "3A")])
    two.upsert_subjects([SubjectRecord(UAI_B, "MATHEMATIQUES", "MA")])
    two.upsert_classes([ClassRecord(UAI_B, "3A")])
    assert two.get_subject(UAI_A, "MATHEMATIQUES").code == "MATHS"  # type: ignore[union-attr]
    assert two.get_subject(UAI_B, "MATHEMATIQUES").code == "MA"  # type: ignore[union-attr]
    assert two.list_classes(UAI_A).total == 1 and two.list_classes(UAI_B).total == 1


def test_a_stored_token_is_never_rescoped_to_another_establishment(two: SqlStore) -> None:
    two.add_token("digest", Principal(TokenRole.ADMIN, UAI_A, "a"))
    for other in (Principal(TokenRole.ADMIN, UAI_B, "b"), Principal(TokenRole.PLATFORM)):
        with pytest.raises(TokenCollisionError, match="already issued"):
            two.add_token("digest", other)
    assert two.principal_for("digest") == Principal(TokenRole.ADMIN, UAI_A, "a")


def test_a_full_disk_mid_load_writes_nothing_and_says_so(
    generated: Path, edt_home: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's `max_page_count` makes the disk "full" a few pages after the current size."""
    import edt_tui.assembly as assembly

    real_open = assembly.open_store

    def small_disk(url: str | None = None) -> SqlStore:
        store = real_open(url)
        conn = store.database.connection()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        return store

    monkeypatch.setattr(assembly, "open_store", small_disk)
    assert main(["ent", "load", str(generated / "a" / "ent")]) == 1

    err = capsys.readouterr().err
    assert "the disk is full (loading the directory); nothing of it was written" in err
    assert "free some space" in err and "Traceback" not in err
    assert establishments(edt_home) == [] and users_per_establishment(edt_home) == {}
    monkeypatch.setattr(assembly, "open_store", real_open)
    assert main(["ent", "load", str(generated / "a" / "ent")]) == 0  # space is back: it loads
    assert users_per_establishment(edt_home) == {UAI_A: 641}


def test_an_idpn_is_only_linked_to_an_account_of_the_same_establishment(
    two: SqlStore,
) -> None:
    two.upsert_users([user(UAI_A, "u1"), user(UAI_B, "u2")])
    with pytest.raises(StoreError, match=f"no account u2 in establishment {UAI_A}"):
        two.link_idpn(UAI_A, "u2", "IDPN-X", method="identity", validated_by=None)
    two.link_idpn(UAI_A, "u1", "IDPN-1", method="identity", validated_by=None)
    assert two.get_user(UAI_A, "u1").idpn == "IDPN-1"  # type: ignore[union-attr]
    assert two.get_user(UAI_B, "u2").idpn is None  # type: ignore[union-attr]


def test_a_move_drops_the_old_idpn_link_and_keeps_the_old_courses_memberships(
    seeded: SqlStore,
) -> None:
    """The seed: a-s1 in A, linked to an IDPN, member of A's Maths 3A course."""
    course = seeded.list_courses(SEED_A).items[0].key
    members_before = {m.user for m in seeded.list_memberships(SEED_A, course).items}
    assert "a-s1" in members_before

    moves = seeded.load_directory(DirectoryLoad(users=(user(SEED_B, "a-s1"),)),
                                  move_accounts=True)

    assert moves == (AccountMove("a-s1", SEED_A, SEED_B),)
    assert "a-s1" not in {u.sync_id for u in seeded.directory(SEED_A)}
    moved = seeded.get_user(SEED_B, "a-s1")
    assert moved is not None and moved.idpn is None  # A's PRONOTE link did not follow it
    with seeded.database.snapshot() as db:
        assert db.execute("SELECT * FROM idpn_links WHERE sync_id = 'a-s1'").fetchall() == []
    # A's course keeps its rows until A's next import removes them (history intact).
    assert {m.user for m in seeded.list_memberships(SEED_A, course).items} == members_before
