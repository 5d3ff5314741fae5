"""Every reason code has its parameters, an English and a French wording, and each wording
uses exactly the values the code carries: a new code without one of them fails here."""

from __future__ import annotations

import string

import pytest

from edt_tui.reasons import ENGLISH, FRENCH, PARAMS, Reason, ReasonCode, english, french


def sample(code: ReasonCode) -> Reason:
    """`code` with a recognisable value for each of its parameters (numbers where they count)."""
    def value(name: str) -> str | int:
        if name.endswith("_percent"):
            return "7"
        numeric = name in {"count", "session", "line", "first", "last", "teachers", "students"}
        return 7 if numeric or name.endswith(("_deleted", "_total")) else f"<{name}>"

    return Reason(code, {p: value(p) for p in PARAMS[code]})


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_code_is_worded_in_english_and_in_french(code: ReasonCode) -> None:
    assert code in PARAMS, f"{code!r}: its parameters are missing from reasons.PARAMS"
    assert code in ENGLISH, f"{code!r}: its English wording is missing from reasons.ENGLISH"
    assert code in FRENCH, f"{code!r}: its French wording is missing from reasons.FRENCH"
    for text in (english(sample(code)), french(sample(code))):
        assert "{" not in text and "}" not in text
        for name in PARAMS[code]:
            if name != "line":  # a session's line shows only when the export gave one
                value = str(sample(code).params[name])
                assert value.strip("<>") in text, f"{code!r} does not quote {name}: {text}"


@pytest.mark.parametrize("table", [ENGLISH, FRENCH], ids=["english", "french"])
def test_no_wording_outlives_its_code(table: object) -> None:
    assert set(table) == set(ReasonCode)  # type: ignore[arg-type]


@pytest.mark.parametrize("table", [ENGLISH, FRENCH], ids=["english", "french"])
def test_templates_name_only_known_words(table: dict[ReasonCode, str]) -> None:
    derived = {"where", "item", "teachers_n", "students_n", "file_uai_or_none"}
    for code, template in table.items():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert names <= set(PARAMS[code]) | derived, code


def test_a_reason_travels_as_code_and_params() -> None:
    why = sample(ReasonCode.ACCOUNT_CLAIMED)
    assert why.to_dict() == {"code": "account_claimed", "params": {"sync_id": "<sync_id>",
                                                                   "count": 7}}
    assert Reason.from_dict(why.to_dict()) == why


@pytest.mark.parametrize(
    "data",
    [{"code": "from_a_newer_service", "params": {}}, {"code": "matched", "params": {}},
     {"code": "matched"}, "matched", None],
)
def test_an_unknown_or_malformed_reason_reads_as_none(data: object) -> None:
    assert Reason.from_dict(data) is None


def test_a_reason_refuses_parameters_its_code_does_not_take() -> None:
    with pytest.raises(ValueError, match="takes the parameters rule, not idpn"):
        Reason(ReasonCode.MATCHED, {"idpn": "x"})
