"""The one registry of wizard steps: the session store's order, one screen class per step and
per module, unique screen names, and help texts whose keys are real binding ids."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from textual.screen import Screen

from edt_tui.session import store
from edt_tui.tui import steps
from edt_tui.tui.key_hints import PLACEHOLDER, binding_catalogue
from edt_tui.tui.screens.after_base import AfterLaunchScreen
from edt_tui.tui.screens.base import StepScreen


def _screen_classes() -> dict[str, list[type[Screen[object]]]]:
    """Every Screen class defined in `tui/screens/`, by module."""
    import edt_tui.tui.screens as package

    found: dict[str, list[type[Screen[object]]]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found[module.__name__] = [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Screen) and cls.__module__ == module.__name__
        ]
    return found


def test_the_registry_follows_the_session_store_order() -> None:
    assert tuple(s.id for s in steps.STEPS) == store.STEPS
    assert steps.next_step("courses").id == "teachers"
    assert steps.next_step("launch").id == "launch"
    assert steps.previous_step("establishment").id == "establishment"
    assert steps.title("no-such-step") == "no-such-step"


@pytest.mark.parametrize("step", steps.STEPS, ids=lambda s: s.id)
def test_each_step_has_its_own_screen_class(step: steps.Step) -> None:
    cls = step.screen_class()
    assert issubclass(cls, StepScreen)
    others = [s for s in steps.STEPS if s is not step]
    assert all(other.screen_class() is not cls for other in others)


def test_one_concrete_screen_per_module_and_unique_names() -> None:
    """Base classes (`StepScreen`, `TableStepScreen`, `AfterLaunchScreen`…) have no `compose`
    of a concrete screen; every other module holds one screen."""
    by_module = _screen_classes()
    names = [cls.__name__ for classes in by_module.values() for cls in classes]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    bases = {"StepScreen", "TableStepScreen", "ItemStepScreen", "PeopleStepScreen"}
    bases |= {"AfterLaunchScreen", "ReadOnlyDialog"}
    for module, classes in by_module.items():
        concrete = [cls for cls in classes if cls.__name__ not in bases]
        assert len(concrete) <= 1, (module, [cls.__name__ for cls in concrete])


def _help_texts() -> list[tuple[str, str]]:
    texts = [(s.id, s.help) for s in steps.STEPS]
    for classes in _screen_classes().values():
        for cls in classes:
            if issubclass(cls, AfterLaunchScreen) and cls.HELP:
                texts.append((cls.__name__, cls.HELP))
    return texts


def test_help_texts_name_keys_by_binding_ids_that_exist() -> None:
    catalogue = binding_catalogue()
    for owner, text in _help_texts():
        for binding_id in PLACEHOLDER.findall(text):
            assert binding_id in catalogue, (owner, binding_id)


HARD_CODED_KEY = re.compile(
    r"""(^|[«("\s])([a-zA-Z]|ctrl\+[a-z]|échap|entrée|espace)( / [a-zA-Z]+)? (:|pour) """
    r"""|\s\((?:[a-zA-Z]|ctrl\+[a-z]|échap|entrée)\)"""
)
"""« a : activer », « échap pour revenir », « (r) »: a key written in a text."""

STILL_HARD_CODED = {"widgets/selection_table.py"}
"""The table filter's own editing keys (`TextField`, `keys.py`), which carry no binding id."""


def test_no_text_of_the_tui_writes_a_key() -> None:
    root = Path(steps.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if str(path.relative_to(root)) in STILL_HARD_CODED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if ('"' in code or "'" in code) and HARD_CODED_KEY.search(code):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
