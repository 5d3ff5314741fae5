"""User keymaps: `[keymap]` in a real config.toml remaps keys; the footer, the help and the
hints show the new key and it works; a bad entry stops edt-tui at start (English, exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from edt_tui.engine.selection import SubjectChoice
from edt_tui.errors import BadInputError
from edt_tui.session.store import SessionStore
from edt_tui.tui.app import EdtTuiApp
from edt_tui.tui.key_hints import binding_catalogue
from edt_tui.tui.keymap import check_keymap, is_key_name, load_keymap
from edt_tui.tui.screens.help import HelpScreen

from .fakes import FakeBackend
from .screen_text import screen_lines
from .test_wizard import export_file, open_export, settle, step, table

KEYMAP = """
partner = "ITSLEARNING"

[keymap]
"table.deactivate" = "x"
"app.help" = "f1"
"history.undo" = "z"
"""


def write_config(text: str) -> Path:
    path = Path(os.environ["EDT_TUI_HOME"]) / "config.toml"  # this test's own data directory
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def test_a_remapped_key_shows_in_footer_and_help_and_works(tmp_path: Path) -> None:
    write_config(KEYMAP)
    keymap = load_keymap()
    assert keymap == {"table.deactivate": "x", "app.help": "f1", "history.undo": "z"}
    store = SessionStore()
    app = EdtTuiApp(FakeBackend(), store=store, start_dir=tmp_path, keymap=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_export(app, pilot, export_file(tmp_path))
        await pilot.press("n")
        await settle(app, pilot)
        assert step(app) == "subjects"
        footer = screen_lines(app)[-1]
        assert "x Désactiver" in footer and "d Désactiver" not in footer, footer

        model = table(app).model
        first = model.all_rows()[0]
        assert model.is_active(first.key)
        await pilot.press("d")  # no longer bound: nothing happens
        await pilot.pause()
        assert model.is_active(first.key)
        await pilot.press("x")
        await settle(app, pilot)
        assert not model.is_active(first.key)
        session = store.get(app.wizard.session.id)  # type: ignore[union-attr]
        assert session.decisions().subjects == {first.key: SubjectChoice.INACTIVE}

        await pilot.press("question_mark")  # moved to f1
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {(key, description) for key, description, _ in help_screen.rows}
        assert ("x", "Désactiver") in rows and ("d", "Désactiver") not in rows
        shown = "\n".join(screen_lines(app))
        assert "puis a / x pour les activer / désactiver" in shown, shown
        await pilot.press("escape")
        await pilot.pause()
        assert step(app) == "subjects"

        app.open_history()  # a screen after launch: the same help key, its own keys remapped
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.title_text == "Historique des imports"
        shown = "\n".join(screen_lines(app))
        assert "z : annuler l'import le plus récent" in shown, shown


def test_a_swap_is_a_valid_keymap() -> None:
    swapped = {"table.activate": "d", "table.deactivate": "a"}
    assert check_keymap(swapped, "config.toml") == swapped


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            {"table.activat": "v"},
            "'table.activat' is not a binding id (did you mean 'table.activate'?)",
        ),
        ({"table.activate": 3}, "must be a key in quotes, not 3"),
        ({"table.activate": "ctrl+"}, "'ctrl+' is not a key name"),
        ({"table.activate": "hyperdrive"}, "'hyperdrive' is not a key name"),
        ({"table.activate": "d"}, "'d' would be both 'table.activate' and 'table.deactivate'"),
        ({"step.next": "ctrl+q"}, "would be both 'app.quit' and 'step.next'"),
        (["table.activate"], "[keymap] must be a table"),
    ],
)
def test_bad_entries_are_refused_with_what_and_where(table: object, words: str) -> None:
    with pytest.raises(BadInputError) as caught:
        check_keymap(table, "/home/x/config.toml")
    assert words in str(caught.value)
    assert str(caught.value).startswith("/home/x/config.toml: ")


def test_key_names() -> None:
    for good in ("a", "A", "?", "ctrl+r", "f2", "space", "enter", "question_mark", "shift+tab"):
        assert is_key_name(good), good
    for bad in ("", "ctrl+", "hyper+", "enterr", "cmd+a", " "):
        assert not is_key_name(bad), bad


def test_edt_tui_stops_at_start_on_a_bad_keymap() -> None:
    write_config('[keymap]\n"table.activate" = "d"\n')
    done = subprocess.run(
        [sys.executable, "-m", "edt_tui.cli"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TERM": "dumb"},
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done
    assert done.stderr.startswith("edt-tui: "), done.stderr
    assert "'d' would be both 'table.activate' and 'table.deactivate'" in done.stderr
    assert "→ give one of them another key" in done.stderr


def test_the_docs_list_every_binding_id() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "tui.md").read_text(encoding="utf-8")
    missing = [i for i in binding_catalogue() if f"`{i}`" not in docs]
    assert not missing, missing
