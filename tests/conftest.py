"""Shared fixtures: the shipped data, a small dataset the tests own, and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "events.yaml"
MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"


@pytest.fixture(scope="session")
def shipped_path() -> Path:
    return DATA


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return MINI


@pytest.fixture(scope="session")
def shipped():
    from timeline.load import read_dataset

    return read_dataset(DATA)


@pytest.fixture(scope="session")
def mini():
    from timeline.load import read_dataset

    return read_dataset(MINI)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
