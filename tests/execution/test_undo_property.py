"""Property: for any two exports A then B, import A, import B, undo B ≡ import A alone — on the
memberships and on the events that start at or after the undo's T, row by row."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

from edt_tui.service.csv_loader import load_directory
from edt_tui.storage.sql_store import open_store
from edt_tui.storage.url import sqlite_url
from tests.execution.conftest import DEMO, DEMO_KEY, T0, Clock, Env, make_env
from tests.execution.demo_variants import Variant
from tests.execution.test_undo import Tables, ent_tables, import_file, undo_done
from tests.fuzz.budget import EXAMPLES, FUZZ

T_A = datetime.fromisoformat(T0)
T_B = T_A + timedelta(days=7)
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
"""Each example imports four times: shrinking would take minutes; the failing example is shown."""

variants = st.builds(
    Variant,
    sessions=st.integers(10, 50),
    extra=st.integers(0, 8),
    drop_every=st.sampled_from([0, 2, 3, 5]),
    room_every=st.sampled_from([0, 2, 3, 7]),
    teacher_every=st.sampled_from([0, 3, 4]),
    moved_students=st.lists(st.integers(1, 612), max_size=4, unique=True).map(tuple),
)


async def _scenario(home: Path, imports: list[tuple[Variant, datetime]],
                    undo_last_at: datetime | None) -> Tables:
    store = open_store(sqlite_url(home / "ent.sqlite3"))
    load_directory(store, DEMO / "ent")
    env: Env
    async for env in make_env(store, Clock(T_A.astimezone(UTC)), DEMO_KEY):
        job: dict[str, object] = {}
        for variant, at in imports:
            job = await import_file(env, variant.plain(), at)
        if undo_last_at is not None:
            await undo_done(env, str(job["id"]), undo_last_at)
        tables = ent_tables(store)
    return tables


def _at_or_after(events: dict[str, dict[str, object]], at: datetime) -> dict[str, object]:
    return {k: e for k, e in events.items()
            if datetime.fromisoformat(str(e["start_utc"])) >= at}


def _links(tables: Tables) -> dict[str, object]:
    """IDPN links without `validated_by`, which names the job that stored them (another id in
    each scenario)."""
    return {k: {f: v for f, v in row.items() if f != "validated_by"}
            for k, row in tables["idpn_links"].items()}


@settings(FUZZ, max_examples=min(EXAMPLES, 6), phases=NO_SHRINK)
@given(a=variants, b=variants, days=st.integers(0, 21))
@example(a=Variant(sessions=36, extra=7, drop_every=5, room_every=2, teacher_every=4,
                  moved_students=(10,)), b=Variant(sessions=10), days=0)
def test_import_a_then_b_then_undo_b_is_import_a_alone(a: Variant, b: Variant, days: int) -> None:
    at = T_B + timedelta(days=days)
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        undone = asyncio.run(_scenario(Path(one), [(a, T_A), (b, T_B)], at))
        alone = asyncio.run(_scenario(Path(two), [(a, T_A)], None))

    assert undone["memberships"] == alone["memberships"]
    assert _links(undone) == _links(alone)
    assert _at_or_after(undone["events"], at) == _at_or_after(alone["events"], at)
    # Before B's T nothing moved; between B's T and the undo's, B's changes stay.
    before_b = {k: e for k, e in alone["events"].items() if k not in _at_or_after(
        alone["events"], T_B)}
    assert {k: undone["events"][k] for k in before_b} == before_b
    # A course B created stays only while it has events before the undo's T (and no members).
    extra = undone["courses"].keys() - alone["courses"].keys()
    assert {k: undone["courses"][k] for k in alone["courses"]} == alone["courses"]
    kept = {str(e["course_key"]) for e in undone["events"].values()
            if datetime.fromisoformat(str(e["start_utc"])) < at}
    assert extra <= kept
    assert {k: n for k, n in undone["hierarchy_nodes"].items()
            if n["course_key"] not in extra} == alone["hierarchy_nodes"]
