"""Where the `.tcss` files are: `edt_tui/styles` in a wheel, the repo's `styles/` in a checkout."""

from __future__ import annotations

from pathlib import Path


def styles_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    shipped = package / "styles"
    return shipped if shipped.is_dir() else package.parent / "styles"
