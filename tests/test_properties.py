"""Property-based tests: whatever the input, the loader raises nothing but `InvalidDataset`, and
the date parser nothing but `ValueError` (its contract with pydantic). What they accept behaves."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline.dates import PartialDate
from timeline.errors import InvalidDataset, Problem
from timeline.load import read_dataset
from timeline.models import TOP_LEVEL

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    # One file rewritten per example: hypothesis runs many examples per test function.
    with tempfile.TemporaryDirectory(prefix="timeline-props-") as folder:
        yield Path(folder) / "events.yaml"


def load(path: Path, data: bytes) -> None:
    """Load `data`; a success must give a dataset whose dates sort and print."""
    path.write_bytes(data)
    try:
        dataset = read_dataset(path)
    except InvalidDataset as exc:
        assert exc.problems, "InvalidDataset with no problem in it"
        for p in exc.problems:
            assert isinstance(p, Problem) and p.file == str(path)
            assert p.line >= 1 and p.column >= 1 and p.message
            # Messages are one line each, with no terminal control characters from the data.
            assert "\n" not in p.message and "\x1b" not in p.message
        return
    dataset.summary()
    for event in dataset.events_by_date():
        assert event.when.earliest <= event.when.latest
        event.when.label()


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_loader_on_arbitrary_bytes(scratch: Path, data: bytes):
    load(scratch, data)


YAMLISH = st.sampled_from(
    [
        "events:",
        "actors:",
        "sources:",
        "claims:",
        "relations:",
        "dataset:",
        "\n",
        "  ",
        "    ",
        "- ",
        "id: ",
        "title: ",
        "date: ",
        "type: arrest",
        "summary: s",
        "sources: [w]",
        ": ",
        ":",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "<<: ",
        "? ",
        "!!python/object:os.system ",
        "!!str ",
        "!!binary ",
        "!x ",
        "'",
        '"',
        "\\u",
        "#",
        "---",
        "...",
        "%YAML 1.1",
        "|",
        ">",
        "~",
        "/",
        "2026",
        "2026-01-03",
        "-13",
        "0000",
        "null",
        "yes",
        ".nan",
        "1e999",
        "9" * 40,
        "\t",
        "\r",
        "\ufeff",
        "\u0430",
        "\u200b",
        "\x1b",
        "é",
        "w",
        "x",
    ]
)


@SETTINGS
@given(parts=st.lists(YAMLISH | st.text(max_size=4), max_size=60))
def test_loader_on_yamlish_text(scratch: Path, parts: list[str]):
    load(scratch, "".join(parts).encode("utf-8", "surrogatepass"))


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        ["2026-01-03", "~2026-01", "2026/2027", "w", "a", "caracas", "arrest", "agent"]
    )
)
FIELDS = sorted(
    {name for model in TOP_LEVEL.values() for name in model.model_fields}
    | {
        "relative_to",
        "from_days",
        "to_days",
        "as_stated",
        "actor",
        "role",
        "by",
        "verdict",
        "text",
        "speaker",
    }
)
KEYS = st.sampled_from(FIELDS) | st.text(max_size=6)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


@SETTINGS
@given(value=VALUES)
def test_loader_on_arbitrary_nested_values(scratch: Path, value: Any):
    load(scratch, yaml.safe_dump(value, allow_unicode=True).encode("utf-8", "surrogatepass"))


SMALL = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)
ITEM = st.dictionaries(KEYS, SMALL, max_size=8)
DATASETS = st.fixed_dictionaries(
    {},
    optional={
        section: st.lists(ITEM, max_size=3) if section != "dataset" else ITEM
        for section in TOP_LEVEL
    },
)


@SETTINGS
@given(value=DATASETS)
def test_loader_on_dataset_shaped_values(scratch: Path, value: dict[str, Any]):
    load(scratch, yaml.safe_dump(value, allow_unicode=True).encode("utf-8", "surrogatepass"))


def check_date(value: object) -> None:
    try:
        d = PartialDate.parse(value)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert d.earliest <= d.latest
    assert date(1, 1, 1) <= d.earliest and d.latest <= date(9999, 12, 31)
    assert PartialDate.parse(str(d)) == d
    assert d.label()
    assert d.sort_key


DATEISH = st.from_regex(
    r"\A\s?~?\s?[0-9]{1,5}(-[0-9]{1,3}){0,3}(\s?/\s?~?[0-9]{1,5}"
    r"(-[0-9]{1,3}){0,2})?\s?\Z"
)


@SETTINGS
@given(text=st.text(max_size=40) | DATEISH)
def test_date_parser_on_arbitrary_text(text: str):
    check_date(text)


@SETTINGS
@given(
    value=st.integers()
    | st.floats()
    | st.booleans()
    | st.none()
    | st.binary(max_size=8)
    | st.lists(st.integers(), max_size=3)
    | st.dates()
)
def test_date_parser_on_other_values(value: object):
    check_date(value)
