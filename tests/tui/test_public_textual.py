"""The TUI touches no private part of Textual, so a point release of Textual cannot break it.

Textual's private names (a leading underscore) change without notice between releases. The rule,
checked on the source of `edt_tui/` (imports) and `edt_tui/tui/` (attributes):

1. no import of a private Textual module (`textual._…`) or name (`from textual.x import _y`);
2. in a class derived from a Textual class, no `self._x` or `super()._x`, and no method or
   attribute `_x`, where `_x` is a name Textual's classes in its ancestry use (read from their
   source): that reads, overrides or shadows Textual's own state — our private names must not
   collide with theirs;
3. elsewhere, no `obj._x` where `_x` is a private name of any Textual class;
4. no `getattr`/`setattr`/`hasattr`/`delattr` with a constant private name (the way round rule 2).

Our own private names in our own classes (not derived from Textual) are free. Textual's
documented protected hooks are not exempted: the TUI needs none of them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import textual

import edt_tui
import edt_tui.tui

PACKAGE = Path(edt_tui.__file__).parent
TUI = Path(edt_tui.tui.__file__).parent
TEXTUAL = Path(textual.__file__).parent
ATTRIBUTE_CALLS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _names_used(tree: ast.AST) -> set[str]:
    """Private names a piece of Textual defines or reads on objects (`self._x`, `def _x`…)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            names.add(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(node.name):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name) and _private(t.id))
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and _private(node.target.id)
        ):
            names.add(node.target.id)
    return names


@cache
def _textual_class_names(cls: type) -> frozenset[str]:
    source = textwrap.dedent(inspect.getsource(cls))
    names = _names_used(ast.parse(source))
    names.update(name for name in vars(cls) if _private(name))
    return frozenset(names)


def textual_privates(cls: type) -> set[str]:
    """The private names of the Textual classes `cls` derives from."""
    names: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.split(".")[0] == "textual":
            names |= _textual_class_names(base)
    return names


@cache
def all_textual_privates() -> frozenset[str]:
    names: set[str] = set()
    for path in TEXTUAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names |= _names_used(node)
    return frozenset(names)


def _modules() -> Iterator[tuple[Path, object]]:
    for info in pkgutil.walk_packages([str(TUI)], prefix="edt_tui.tui."):
        module = importlib.import_module(info.name)
        yield Path(str(module.__file__)), module


def _receiver_is_self(node: ast.Attribute) -> bool:
    value = node.value
    if isinstance(value, ast.Name) and value.id == "self":
        return True
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "super"
    )


def _class_violations(node: ast.ClassDef, cls: type, where: str) -> Iterator[str]:
    privates = textual_privates(cls)
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in privates:
            yield f"{where}:{item.lineno}: {cls.__name__} overrides Textual's {item.name}"
        targets = item.targets if isinstance(item, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Name) and target.id in privates:
                yield f"{where}:{item.lineno}: {cls.__name__} shadows Textual's {target.id}"
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and _receiver_is_self(sub) and sub.attr in privates:
            yield f"{where}:{sub.lineno}: {cls.__name__} uses Textual's {sub.attr}"


def violations() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(PACKAGE.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
                if node.module.split(".")[0] == "textual":
                    modules += [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "textual" and any(_private(part) for part in parts):
                    found.append(f"{where}:{node.lineno}: imports {module}")
    everywhere = all_textual_privates()
    for path, module in _modules():
        where = str(path.relative_to(PACKAGE.parent))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_classes: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                cls = getattr(module, node.name, None)
                if isinstance(cls, type) and cls.__module__ == getattr(module, "__name__", ""):
                    found += _class_violations(node, cls, where)
                    in_classes.update(
                        id(sub) for sub in ast.walk(node) if isinstance(sub, ast.Attribute)
                    )
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                if node.attr in everywhere and not (
                    id(node) in in_classes and _receiver_is_self(node)
                ):
                    found.append(f"{where}:{node.lineno}: uses Textual's {node.attr}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ATTRIBUTE_CALLS
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and node.args[1].value.startswith("_")
            ):
                found.append(f"{where}:{node.lineno}: {node.func.id} of {node.args[1].value}")
    return found


def test_the_tui_touches_no_private_part_of_textual() -> None:
    assert violations() == []


def test_the_check_sees_what_it_forbids() -> None:
    """The rule's own examples, so a broken check cannot pass silently."""
    from textual.widgets import DataTable, Input

    assert {"_data", "_render_cell", "_update_dimensions"} <= textual_privates(DataTable)
    assert {"_bindings", "_on_key"} <= textual_privates(Input)
    assert "_row_locations" in all_textual_privates()
