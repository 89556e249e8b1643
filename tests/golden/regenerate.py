"""Rewrite the export golden files and the published JSON-LD context from tests/golden/input.yaml.

Run after an intended change to an exporter, then review the diff:

    .venv/bin/python tests/golden/regenerate.py
"""

from __future__ import annotations

from pathlib import Path

from timeline.export.csv import to_tables
from timeline.export.formats import FORMATS, render
from timeline.export.jsonld import CONTEXT_FILE, context_bytes
from timeline.pipeline import make_build

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
INPUT = HERE / "input.yaml"


def golden_name(fmt: str) -> str:
    """The golden file of a format (csv: a folder of tables)."""
    return "csv" if fmt == "csv" else f"export{FORMATS[fmt][0]}"


NOT_GOLDEN = ("timelinejs-html", "sheet")
"""Tested apart: the page inlines TimelineJS (tests/test_timelinejs.py), the sheet round trips
(tests/test_sheet.py)."""


def main() -> None:
    build = make_build(INPUT)
    for fmt in FORMATS:
        if fmt in NOT_GOLDEN:
            continue
        if fmt == "csv":
            folder = HERE / "csv"
            folder.mkdir(exist_ok=True)
            for name, data in to_tables(build).items():
                (folder / name).write_bytes(data)
        else:
            (HERE / golden_name(fmt)).write_bytes(render(build, fmt))
    (ROOT / CONTEXT_FILE).write_bytes(context_bytes())
    print(f"wrote {len(FORMATS)} golden exports to {HERE} and {CONTEXT_FILE}")


if __name__ == "__main__":
    main()
