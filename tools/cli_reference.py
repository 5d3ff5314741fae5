"""docs/cli.md, the command-line reference, generated from the argparse parsers.

    .venv/bin/python tools/cli_reference.py --write    # after changing a command's options
    .venv/bin/python tools/cli_reference.py --check    # exit 1 when docs/cli.md is out of date

Every command and subcommand of `edt_tui.cli.build_parser()` gets its synopsis, its description
and a table of its arguments, in the parsers' own words (their `help`), so the page cannot
drift from `edt-tui --help`. The rendering does not use argparse's help formatter, whose layout
depends on the terminal width and the Python version.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from edt_tui.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "cli.md"
REGENERATE = ".venv/bin/python tools/cli_reference.py --write"

HEADER = f"""# Command-line reference

Generated from the parsers of `edt_tui/cli.py` and `edt_tui/commands/` by
`{REGENERATE}`: edit the options' help there, not this page
(`tests/test_cli_reference.py` fails when the two differ). The CLI conventions (exit codes,
`--json`, the English words and their French twins) are in [running.md](running.md).
"""


SubParsers = argparse._SubParsersAction  # type: ignore[type-arg]


def _subcommands(parser: argparse.ArgumentParser) -> SubParsers | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _shown(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a for a in parser._actions
        if a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)
    ]


def _value(action: argparse.Action) -> str:
    """What follows an option, or stands for a positional: its metavar, choices or name."""
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest if not action.option_strings else action.dest.upper()


def _term(action: argparse.Action) -> str:
    """`-f, --force`, `--out FILE`, `FILE`: the argument as it is typed."""
    if not action.option_strings:
        value = _value(action)
        if action.nargs == "?":
            return f"[{value}]"
        if action.nargs in ("*", "+", argparse.PARSER):
            return f"{value} ..."
        return value
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    return ", ".join(f"{option} {_value(action)}" for option in action.option_strings)


def _synopsis(parser: argparse.ArgumentParser) -> str:
    parts = [parser.prog]
    for action in _shown(parser):
        if action.option_strings:
            long_form = max(action.option_strings, key=len)
            word = long_form if action.nargs == 0 else f"{long_form} {_value(action)}"
            parts.append(word if action.required else f"[{word}]")
        else:
            parts.append(_term(action))
    return " ".join(parts)


def _text(text: str) -> str:
    """Prose from a parser on one line, safe in a Markdown table: `|` escaped, and `<` outside
    code spans (`Edt_To_<ENT>_<UAI>.xml` would read as an HTML tag)."""
    spans = re.sub(r"\s+", " ", text).replace("|", "\\|").split("`")
    return "`".join(s if i % 2 else s.replace("<", "&lt;") for i, s in enumerate(spans))


def _help(action: argparse.Action, prog: str) -> str:
    """The help as `--help` prints it (`%(default)s` expanded), on one line, table-safe."""
    text = action.help or ""
    if "%" in text:
        params = {k: v for k, v in vars(action).items() if v is not argparse.SUPPRESS}
        text = text % {**params, "prog": prog}
    if action.required and action.option_strings:
        text = f"required; {text}" if text else "required"
    return _text(text)


def _anchor(title: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def _walk(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parser, then every subcommand's, depth first in registration order."""
    found = [parser]
    sub = _subcommands(parser)
    if sub is not None:
        for child in dict.fromkeys(sub.choices.values()):  # aliases share a parser
            found.extend(_walk(child))
    return found


def _section(parser: argparse.ArgumentParser) -> str:
    lines = [f"## `{parser.prog}`", ""]
    if parser.description:
        lines += [_text(parser.description), ""]
    lines += ["```", _synopsis(parser), "```", ""]
    arguments = [a for a in _shown(parser) if not isinstance(a, argparse._SubParsersAction)]
    if arguments:
        lines += ["| argument | meaning |", "|---|---|"]
        lines += [f"| `{_term(a)}` | {_help(a, parser.prog)} |" for a in arguments]
        lines.append("")
    sub = _subcommands(parser)
    if sub is not None:
        helps = {c.dest: c.help for c in sub._choices_actions}
        lines += ["| command | what it does |", "|---|---|"]
        for name, child in sub.choices.items():
            what = _text(helps.get(name) or "")
            lines.append(f"| [`{name}`](#{_anchor(child.prog)}) | {what} |")
        lines.append("")
    if parser.epilog:
        lines += [_text(parser.epilog), ""]
    return "\n".join(lines)


def render() -> str:
    """The whole page, as docs/cli.md must hold it."""
    parsers = _walk(build_parser())
    contents = [f"- [`{p.prog}`](#{_anchor(p.prog)})" for p in parsers]
    return "\n".join([HEADER, *contents, "", *(_section(p) for p in parsers)]).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/cli.md from the CLI's parsers.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"write {PAGE.relative_to(REPO)}")
    mode.add_argument("--check", action="store_true", help="exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        PAGE.write_text(text, encoding="utf-8")
        return 0
    current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    if current != text:
        print(f"{PAGE.relative_to(REPO)} is out of date: run `{REGENERATE}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
