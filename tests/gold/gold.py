"""The entity-linking gold set: load it, score a pipeline against it, print the figures.

Run ``python tests/gold/gold.py`` to print precision and recall for the gazetteer pipeline and,
when a statistical model is installed, for the model pipeline.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DATASET = HERE / "dataset.yaml"
MENTIONS = HERE / "mentions.yaml"


@dataclass(frozen=True)
class Gold:
    event: str
    start: int
    end: int
    text: str
    actor: str | None  # a curated id, or None for `new` and ambiguous mentions
    candidates: tuple[str, ...]  # for ambiguous mentions
    new: bool


def load_gold() -> tuple[object, list[Gold]]:
    """The gold dataset and its expected mentions, with offsets found in each event's text."""
    from timeline.load import read_dataset

    dataset = read_dataset(DATASET)
    expected = yaml.safe_load(MENTIONS.read_text(encoding="utf-8"))
    gold: list[Gold] = []
    for event_id, rows in expected.items():
        text = dataset.event(event_id).text
        pos = 0
        for surface, target in rows:
            # Occurrences are listed in text order, so each search starts after the last hit.
            start = text.find(surface, pos)
            if start < 0:
                raise ValueError(f"{event_id}: {surface!r} not found after offset {pos}")
            end = start + len(surface)
            pos = end
            if isinstance(target, list):
                gold.append(Gold(event_id, start, end, surface, None, tuple(sorted(target)), False))
            elif target == "new":
                gold.append(Gold(event_id, start, end, surface, None, (), True))
            else:
                gold.append(Gold(event_id, start, end, surface, target, (), False))
    return dataset, gold


@dataclass(frozen=True)
class Score:
    gold_linked: int
    predicted_linked: int
    correct_linked: int
    gold_ambiguous: int
    ambiguous_reported: int
    gold_new: int
    predicted_new: int
    correct_new: int
    wrong: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.correct_linked / self.predicted_linked if self.predicted_linked else 0.0

    @property
    def recall(self) -> float:
        return self.correct_linked / self.gold_linked if self.gold_linked else 0.0

    @property
    def new_precision(self) -> float:
        return self.correct_new / self.predicted_new if self.predicted_new else 0.0

    @property
    def new_recall(self) -> float:
        return self.correct_new / self.gold_new if self.gold_new else 0.0

    def report(self, name: str) -> str:
        return (
            f"{name}: linking precision {self.precision:.3f} "
            f"({self.correct_linked}/{self.predicted_linked}), recall {self.recall:.3f} "
            f"({self.correct_linked}/{self.gold_linked}); ambiguous reported "
            f"{self.ambiguous_reported}/{self.gold_ambiguous}; new names proposed: precision "
            f"{self.new_precision:.3f} ({self.correct_new}/{self.predicted_new}), recall "
            f"{self.new_recall:.3f} ({self.correct_new}/{self.gold_new})"
        )


def score(gold: Iterable[Gold], mentions: Iterable[object]) -> Score:
    """Compare linked mentions (exact span and actor), ambiguity reports and new-name proposals."""
    gold = list(gold)
    ms = list(mentions)
    g_linked = {(g.event, g.start, g.end, g.actor) for g in gold if g.actor}
    p_linked = {(m.event, m.start, m.end, m.actor) for m in ms if m.actor}  # type: ignore
    g_amb = {(g.event, g.start, g.end, g.candidates) for g in gold if g.candidates}
    p_amb = {
        (m.event, m.start, m.end, tuple(sorted(m.candidates)))  # type: ignore
        for m in ms
        if m.actor is None and m.candidates
    }  # type: ignore
    g_new = {(g.event, g.start, g.end) for g in gold if g.new}
    p_new = {
        (m.event, m.start, m.end)  # type: ignore
        for m in ms
        if m.actor is None and not m.candidates
    }  # type: ignore
    wrong = sorted(
        [f"false link: {x}" for x in p_linked - g_linked]
        + [f"missed link: {x}" for x in g_linked - p_linked]
        + [f"ambiguity not reported: {x}" for x in g_amb - p_amb]
        + [f"new name missed: {x}" for x in g_new - p_new]
        + [f"not a new name: {x}" for x in p_new - g_new]
    )
    return Score(
        len(g_linked),
        len(p_linked),
        len(g_linked & p_linked),
        len(g_amb),
        len(g_amb & p_amb),
        len(g_new),
        len(p_new),
        len(g_new & p_new),
        tuple(wrong),
    )


def main() -> None:
    from timeline.extract import installed_model
    from timeline.link import extract_mentions

    dataset, gold = load_gold()
    print(f"gold set: {len(gold)} mentions in {len(dataset.events)} texts")  # type: ignore
    modes = ["gazetteer"] + (["model"] if installed_model() else [])
    for mode in modes:
        mentions, pipeline = extract_mentions(dataset, mode)  # type: ignore[arg-type]
        s = score(gold, mentions)
        print(s.report(pipeline))
        if "-v" in sys.argv:
            for w in s.wrong:
                print("   ", w)


if __name__ == "__main__":
    main()
