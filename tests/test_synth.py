"""bench/synth.py: synthetic datasets are valid, deterministic, varied and realistic."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from benchlib import SYNTH, synth
from timeline.cli import app
from timeline.dates import PartialDate
from timeline.load import read_dataset


@pytest.fixture(scope="module")
def text() -> str:
    return synth.generate(400, seed=3)


@pytest.fixture(scope="module")
def dataset(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "events.yaml"
    path.write_text(text, encoding="utf-8")
    return read_dataset(path)


def test_same_seed_same_bytes_other_seed_other_data(text):
    assert synth.generate(400, seed=3) == text
    assert synth.generate(400, seed=4) != text


def test_output_validates_with_the_requested_counts(dataset):
    assert len(dataset.events) == 400
    assert len(dataset.claims) == 40
    assert len(dataset.sources) == 9
    assert len({e.id for e in dataset.events}) == 400


def test_dates_of_every_precision(dataset, text):
    dates: list[PartialDate] = [e.when for e in dataset.events]
    assert {d.precision for d in dates} == {"day", "month", "year"}
    assert any(d.approximate and not d.relative_to for d in dates)
    assert any(d.is_range and d.precision == "day" for d in dates)
    assert any(d.is_range and d.precision == "month" for d in dates)
    relative = [d for d in dates if d.relative_to]
    assert relative and all(d.as_stated for d in relative)
    assert "relative_to:" in text


def test_actors_have_accents_and_folded_aliases(dataset):
    accented = [a for a in dataset.actors if a.name != _fold(a.name)]
    assert len(accented) >= 20
    assert all(_fold(a.name) in a.aliases for a in accented)
    assert {a.category for a in dataset.actors} == {"person", "organization", "place"}


def test_summaries_mention_participants_and_other_actors(dataset):
    names = {a.id: a.names for a in dataset.actors}
    mentioned_participant = mentioned_other = 0
    for e in dataset.events:
        words = len(e.summary.split())
        assert 15 <= words <= 200, e.id
        participants = {p.actor for p in e.participants}
        for actor_id, forms in names.items():
            if any(f in e.text for f in forms):
                if actor_id in participants:
                    mentioned_participant += 1
                else:
                    mentioned_other += 1
    assert mentioned_participant >= len(dataset.events)
    assert mentioned_other >= len(dataset.events) // 2


def test_claims_relations_quotes_and_links_are_present(dataset):
    assert any(c.verifications for c in dataset.claims)
    assert any(c.disagreements() for c in dataset.claims)
    assert len(dataset.relations) > 10
    assert any(e.quotes for e in dataset.events)
    assert any(e.part_of for e in dataset.events)
    assert any(e.follows for e in dataset.events)
    assert any(e.caused_by for e in dataset.events)
    assert any(s.url for s in dataset.sources)


def test_folder_holds_the_same_dataset(dataset, tmp_path):
    files = synth.generate_files(400, seed=3, per_file=150)
    assert sorted(files) == [
        "actors.yaml",
        "claims.yaml",
        "events-0001.yaml",
        "events-0002.yaml",
        "events-0003.yaml",
        "relations.yaml",
    ]
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    split = read_dataset(tmp_path)
    assert split.summary() == dataset.summary()
    assert [e.id for e in split.events] == [e.id for e in dataset.events]
    assert split.events == dataset.events


def test_command_line_writes_a_file_that_timeline_validates(tmp_path, runner):
    out = tmp_path / "fifty.yaml"
    done = subprocess.run(
        [sys.executable, str(SYNTH), "50", "-o", str(out), "--seed", "7"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.startswith(f"wrote 50 events to {out} (1 file, ")
    assert out.read_text(encoding="utf-8") == synth.generate(50, seed=7)
    result = runner.invoke(app, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{out}: valid: 50 events, ")


def test_command_line_writes_a_folder(tmp_path):
    out = tmp_path / "folder"
    subprocess.run(
        [sys.executable, str(SYNTH), "30", "-o", str(out), "--per-file", "10"],
        capture_output=True,
        check=True,
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "actors.yaml",
        "claims.yaml",
        "events-0001.yaml",
        "events-0002.yaml",
        "events-0003.yaml",
        "relations.yaml",
    ]
    assert len(read_dataset(out).events) == 30


def test_command_line_refuses_zero_events(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SYNTH), "0", "-o", str(tmp_path / "x.yaml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "N must be at least 1" in done.stderr
    assert not (tmp_path / "x.yaml").exists()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
