"""How good are the drafts of `timeline extract`, on the gold articles of tests/articles/?

    .venv/bin/python bench/bench_draft.py                 # gazetteer, and the model if installed
    .venv/bin/python bench/bench_draft.py --ner gazetteer --show

For each article (its gold file names the dataset, the publication day and the language), the
draft is made as `timeline extract` makes it, then scored:
- valid: `timeline validate DATASET DRAFT` finds no problem (goal: every draft);
- dates: of the gold events that have a drafted event from the same sentence, how many have
  the same date once resolved (relative dates resolved by the loader), exact day or range;
- kinds: of the gold's new names, how many are drafted as new actors of the same kind (a name
  not drafted counts as wrong);
- types: of the gold events drafted, how many have the gold type;
- duplicates: precision and recall of `duplicate_of` over the drafted events.
The model reads English only: Spanish articles use the blank Spanish pipeline in both modes.
Results go to bench/results/draft.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
sys.path.insert(0, str(ROOT / "src"))

from timeline.dates import PartialDate  # noqa: E402
from timeline.draft import ArticleInfo, draft_yaml, make_draft, read_article  # noqa: E402
from timeline.errors import InvalidDataset  # noqa: E402
from timeline.load import dataset_files, read_dataset, read_files  # noqa: E402
from timeline.names import fold  # noqa: E402


@dataclass
class Score:
    articles: int = 0
    valid: int = 0
    events: int = 0
    drafted: int = 0
    dates: int = 0
    types: int = 0
    names: int = 0
    kinds: int = 0
    dup_gold: int = 0
    dup_found: int = 0
    dup_marked: int = 0
    dup_right: int = 0
    misses: list[str] = field(default_factory=list)

    def ratios(self) -> dict[str, Any]:
        def r(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "articles": self.articles,
            "drafts_valid": r(self.valid, self.articles),
            "events_drafted": r(self.drafted, self.events),
            "dates": r(self.dates, self.drafted),
            "kinds": r(self.kinds, self.names),
            "types": r(self.types, self.drafted),
            "duplicates_precision": r(self.dup_right, self.dup_marked),
            "duplicates_recall": r(self.dup_found, self.dup_gold),
            "counts": {
                "valid": f"{self.valid}/{self.articles}",
                "drafted": f"{self.drafted}/{self.events}",
                "dates": f"{self.dates}/{self.drafted}",
                "kinds": f"{self.kinds}/{self.names}",
                "types": f"{self.types}/{self.drafted}",
                "duplicates": (
                    f"P {self.dup_right}/{self.dup_marked}, R {self.dup_found}/{self.dup_gold}"
                ),
            },
        }


def gold_files() -> list[Path]:
    return sorted(ARTICLES.glob("*.gold.yaml"))


def score_article(gold_path: Path, ner: str, score: Score, show: bool = False) -> str:
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    article = ARTICLES / gold["article"]
    data_path = ROOT / gold["dataset"]
    published = gold["published"]
    if isinstance(published, str):
        published = date.fromisoformat(published)
    info = ArticleInfo(name=article.name, published=published, lang=gold.get("lang", "en"))
    dataset = read_dataset(data_path)
    text = read_article(article)
    draft = make_draft(text, dataset, info, ner=ner)
    rendered = draft_yaml(draft, info)
    score.articles += 1
    try:
        merged = read_files([*dataset_files(data_path), ("draft.yaml", rendered.encode())])
        score.valid += 1
    except InvalidDataset as exc:
        score.misses.append(f"{article.name}: draft invalid: {exc}")
        merged = None
    resolved = {e.id: e for e in merged.events} if merged else {}
    sentences = [(e, text[e.start : e.end]) for e in draft.events]
    for g in gold.get("events") or []:
        score.events += 1
        want_dup = g.get("duplicate_of")
        score.dup_gold += bool(want_dup)
        match = next((e for e, s in sentences if g["clue"] in s), None)
        if match is None:
            score.misses.append(f"{article.name}: no event drafted for “{g['clue']}”")
            continue
        score.drafted += 1
        ev = resolved.get(match.data["id"])
        got = str(ev.when) if ev else None
        gold_when = PartialDate.parse(str(g["date"]))
        want = str(gold_when)
        # the same day or range; a relative date is approximate by design, so "~" aside
        if ev is not None and (ev.when.earliest, ev.when.latest, ev.when.precision) == (
            gold_when.earliest,
            gold_when.latest,
            gold_when.precision,
        ):
            score.dates += 1
        else:
            score.misses.append(f"{article.name}: “{g['clue']}” date {got}, gold {want}")
        if match.data["type"] == g["type"]:
            score.types += 1
        else:
            score.misses.append(
                f"{article.name}: “{g['clue']}” type {match.data['type']}, gold {g['type']}"
            )
        if want_dup and match.data.get("duplicate_of") == want_dup:
            score.dup_found += 1
        elif want_dup:
            score.misses.append(f"{article.name}: “{g['clue']}” not marked duplicate_of {want_dup}")
    gold_clues = [(g["clue"], g.get("duplicate_of")) for g in gold.get("events") or []]
    for e, s in sentences:
        marked = e.data.get("duplicate_of")
        if not marked:
            continue
        score.dup_marked += 1
        wanted = next((d for clue, d in gold_clues if clue in s), None)
        if wanted == marked:
            score.dup_right += 1
        else:
            score.misses.append(f"{article.name}: marked duplicate_of {marked}, gold {wanted}")
    drafted = {fold(a["name"]): a for a in draft.actors}
    for a in gold.get("actors") or []:
        score.names += 1
        got = drafted.get(fold(a["name"]))
        if got is not None and got["kind"] == a["kind"]:
            score.kinds += 1
        else:
            score.misses.append(
                f"{article.name}: {a['name']} kind {got['kind'] if got else 'not drafted'}, "
                f"gold {a['kind']}"
            )
    return rendered if show else ""


def run(ner: str, show: bool = False) -> dict[str, Any]:
    score = Score()
    for path in gold_files():
        out = score_article(path, ner, score, show)
        if show:
            print(f"--- {path.name}\n{out}")
    result = score.ratios()
    result["misses"] = score.misses
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ner", choices=["gazetteer", "model", "both"], default="both")
    parser.add_argument("--show", action="store_true", help="print every draft")
    parser.add_argument("--misses", action="store_true", help="print what was missed")
    args = parser.parse_args()
    from timeline.ner import installed_model

    modes = ["gazetteer", "model"] if args.ner == "both" else [args.ner]
    if "model" in modes and installed_model() is None:
        modes.remove("model")
        print("(the statistical model is not installed: gazetteer only)")
    results = {}
    for mode in modes:
        results[mode] = run(mode, args.show)
        r = results[mode]
        print(f"{mode}: " + ", ".join(f"{k} {v}" for k, v in r["counts"].items()))
        if args.misses:
            print("\n".join(f"  {m}" for m in r["misses"]))
    out = ROOT / "bench" / "results" / "draft.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
