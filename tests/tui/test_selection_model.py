"""The selection model without Textual: filter, sort, pages, marks, activation, notifications."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from edt_tui.tui.selection_model import Change, Column, SelectionModel, fold, french_int


@dataclass(frozen=True)
class Item:
    ident: str
    name: str
    known: bool


def make(names: list[str], page_size: int = 10) -> SelectionModel[Item]:
    rows = [Item(str(i), name, i % 2 == 0) for i, name in enumerate(names)]
    return SelectionModel(
        rows,
        row_id=lambda r: r.ident,
        columns=[Column("name", "Nom", lambda r: r.name)],
        initial_active=lambda r: r.known,
        page_size=page_size,
    )


def names_on_page(model: SelectionModel[Item]) -> list[str]:
    return [row.name for _, row in model.page_rows()]


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Élève ÉTÉ") == fold("eleve ete")
    assert fold("ÇA") == "ca"


def test_french_thousands_separator() -> None:
    assert french_int(1568) == "1\u00a0568"
    assert french_int(12) == "12"


def test_filter_is_accent_and_case_insensitive() -> None:
    model = make(["Éducation musicale", "MATHEMATIQUES", "education civique", "Latin"])
    model.set_filter("EDUC")
    assert names_on_page(model) == ["Éducation musicale", "education civique"]
    model.set_filter("")
    assert model.visible_count == 4


def test_sort_cycles_and_keeps_filter() -> None:
    model = make(["b", "C", "a", "ab"])
    model.set_filter("a")
    model.cycle_sort("name")
    assert names_on_page(model) == ["a", "ab"]
    model.cycle_sort("name")
    assert names_on_page(model) == ["ab", "a"]
    model.cycle_sort("name")
    assert names_on_page(model) == ["a", "ab"] and model.sort_key is None
    model.set_filter("")
    model.sort_by("name", reverse=True)
    assert names_on_page(model) == ["C", "b", "ab", "a"]


def test_pages_and_pager_with_neighbours() -> None:
    model = make([f"n{i:03}" for i in range(95)], page_size=10)
    assert model.page_count == 10
    assert model.pager() == [1, 2, 3, None, 10]
    model.go_to_page(5)
    assert model.pager() == [1, None, 4, 5, 6, 7, 8, None, 10]
    assert names_on_page(model)[0] == "n050"
    model.go_to_page(99)
    assert model.page == 9 and len(model.page_rows()) == 5
    model.set_page_size(25)
    assert model.page == 3  # row 90 is on page 4 of 25
    assert model.next_page_size() == 50
    with pytest.raises(ValueError):
        model.set_page_size(7)


def test_counts_and_bulk_activation_notify_listeners() -> None:
    model = make([f"s{i}" for i in range(2000)])
    changes: list[Change] = []
    model.subscribe(changes.append)
    assert model.counts_label() == "1\u00a0000 / 2\u00a0000 activés"
    model.set_all_active(True)
    assert model.active_count == 2000
    assert len(changes) == 1 and len(changes[0].ids) == 1000 and changes[0].active
    model.set_all_active(True)
    assert len(changes) == 1  # nothing changed, nothing notified
    model.apply_to_marked_or("3", False)
    assert not model.is_active("3") and changes[-1] == Change(("3",), False)


def test_marks_range_and_bulk_deactivate_marked() -> None:
    model = make([f"s{i}" for i in range(30)])
    model.set_all_active(True)
    model.toggle_mark(2)
    assert model.mark_range(5) == 4
    assert model.marked_ids() == ["2", "3", "4", "5"]
    assert model.toggle_mark(3) is False
    change = model.apply_to_marked_or("20", False)
    assert change.ids == ("2", "4", "5")
    assert model.is_active("20") and model.active_count == 27


def test_mark_all_matching_is_a_rule_with_exceptions() -> None:
    model = make(["latin 1", "latin 2", "grec", "latin 3"])
    model.set_filter("latin")
    assert model.mark_all_matching() == 3
    assert model.mark_rule == "latin"
    model.toggle_mark(1)  # unmark "latin 2"
    model.set_filter("")
    assert [model.is_marked(i) for i in "0123"] == [True, False, False, True]
    assert model.marked_count == 2
    model.apply_to_marked_or(None, True)
    assert [model.is_active(i) for i in "0123"] == [True, False, True, True]
    model.clear_marks()
    assert model.marked_count == 0 and model.mark_rule is None


def test_can_activate_refuses_rows() -> None:
    rows = [Item("a", "with account", True), Item("b", "no account", False)]
    model = SelectionModel(
        rows,
        row_id=lambda r: r.ident,
        columns=[Column("name", "Nom", lambda r: r.name)],
        initial_active=lambda r: r.known,
        can_activate=lambda r: r.known,
    )
    model.set_all_active(False)
    change = model.set_all_active(True)
    assert change.ids == ("a",) and not model.is_active("b")
    assert not model.activatable("b")


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError):
        SelectionModel(
            [Item("x", "a", True), Item("x", "b", True)],
            row_id=lambda r: r.ident,
            columns=[],
            initial_active=lambda r: True,
        )


def with_status(names: list[str]) -> SelectionModel[Item]:
    rows = [Item(str(i), name, i % 2 == 0) for i, name in enumerate(names)]
    return SelectionModel(
        rows,
        row_id=lambda r: r.ident,
        columns=[
            Column("name", "Nom", lambda r: f"{r.name} (Id : {r.ident})", search=lambda r: r.name)
        ],
        initial_active=lambda r: r.known,
        status=lambda _id, r, active: "✔ Activé" if active else "✖ Désactivé",
    )


def test_filter_by_status_word_follows_activation() -> None:
    model = with_status(["Latin", "Grec", "Anglais", "Allemand"])
    model.set_filter("désactivé")
    assert names_on_page(model) == ["Grec", "Allemand"]
    model.set_active(["0"], False)
    model.set_filter("")
    model.set_filter("desactive")
    assert names_on_page(model) == ["Latin", "Grec", "Allemand"]


def test_filter_does_not_read_the_ident_text() -> None:
    model = with_status([f"Matière {n}" for n in "ABCDEFGHIJKL"])
    model.set_filter("1")  # « (Id : 1) », « (Id : 10) »… are shown but not searched
    assert model.visible_count == 0
    model.set_filter("id")
    assert model.visible_count == 0


def test_sort_by_status() -> None:
    model = with_status(["Latin", "Grec", "Anglais", "Allemand"])
    model.sort_by("status")
    assert names_on_page(model) == ["Latin", "Anglais", "Grec", "Allemand"]
    model.sort_by("status", reverse=True)
    assert names_on_page(model) == ["Grec", "Allemand", "Latin", "Anglais"]
