"""The README and the pages under docs/: the documentation the tests run as written.

The README is the newcomer's page (set-up and a tour); the reference moved to docs/. The console
blocks, YAML examples and sessions of all the pages are run as one text, the README first and
then each page in order, so an example may rely on what an earlier page's examples made (the
tour's build of out/, for one).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [
    README,
    ROOT / "docs" / "data-format.md",
    ROOT / "docs" / "commands.md",
    ROOT / "docs" / "extraction.md",
    ROOT / "docs" / "view.md",
    ROOT / "docs" / "query.md",
    ROOT / "docs" / "exports.md",
    ROOT / "docs" / "performance.md",
    ROOT / "docs" / "design.md",
]


def text() -> str:
    """The README, then every docs page in order, as one text."""
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
