"""Every relative link of the README and of docs/ names a file of the repository: the docs live
here, and a moved page must not leave a dead link behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def relative_links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:|#", t)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    dead = [t for t in relative_links(page)
            if not (page.parent / t.split("#")[0]).exists()]
    assert dead == [], f"{page.relative_to(REPO)}: dead links {dead}"


def test_the_check_sees_links() -> None:
    assert "docs/deployment.md" in relative_links(REPO / "README.md")
