"""The pipeline a build uses is chosen, never found: `--ner`, else the dataset's `dataset.ner`,
else gazetteer. The tests install the statistical model; a build must not change because of it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.cli import app
from timeline.ner import installed_model

pytestmark = pytest.mark.skipif(
    installed_model() is None, reason="the tests install the model (extra 'ner')"
)

# a build in a process where no statistical model is installed (as on a user's machine)
WITHOUT_MODEL = (
    "import sys, timeline.ner as n; n.installed_model = lambda: None; "
    "from timeline.cli import main; sys.argv = ['timeline', *sys.argv[1:]]; main()"
)


def with_ner(source: Path, target: Path, ner: str | None) -> Path:
    """A copy of a dataset whose `dataset` section names `ner` (or names none)."""
    text = source.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("  ner:")]
    text = "\n".join(lines) + "\n"
    if ner is not None:
        assert "\ndataset:\n" in text
        text = text.replace("\ndataset:\n", f"\ndataset:\n  ner: {ner}\n", 1)
    target.write_text(text, encoding="utf-8")
    return target


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def build(runner, data: Path, out: Path, *options: str):
    result = runner.invoke(app, ["build", str(data), "-o", str(out), "--no-cache", *options])
    assert result.exit_code == 0, result.output
    return result


def test_without_a_choice_the_build_uses_the_gazetteer(runner, shipped_path, tmp_path):
    data = with_ner(shipped_path, tmp_path / "events.yaml", None)
    build(runner, data, tmp_path / "out")
    m = manifest(tmp_path / "out")
    assert m["ner"] == "gazetteer"
    assert m["pipeline"].endswith("/gazetteer") or "gazetteer" in m["pipeline"]
    assert "core_web" not in m["pipeline"]


def test_the_dataset_names_its_pipeline_and_the_command_line_overrides_it(
    runner, shipped_path, tmp_path
):
    data = with_ner(shipped_path, tmp_path / "events.yaml", "model")
    build(runner, data, tmp_path / "model")
    assert manifest(tmp_path / "model")["ner"] == "model"
    assert installed_model() in manifest(tmp_path / "model")["pipeline"]
    build(runner, data, tmp_path / "gaz", "--ner", "gazetteer")
    assert manifest(tmp_path / "gaz")["ner"] == "gazetteer"
    assert "core_web" not in manifest(tmp_path / "gaz")["pipeline"]


def test_the_same_bytes_with_and_without_the_model_installed(runner, shipped_path, tmp_path):
    """The shipped data names `ner: gazetteer`: installing the model changes nothing."""
    build(runner, shipped_path, tmp_path / "with")
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_MODEL, "build", str(shipped_path), "-o", "without"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for name in ("graph.ttl", "view.html", "manifest.json"):
        assert (tmp_path / "with" / name).read_bytes() == (
            tmp_path / "without" / name
        ).read_bytes(), name


def test_auto_says_when_it_chose_otherwise_than_the_previous_build(runner, shipped_path, tmp_path):
    out = tmp_path / "out"
    build(runner, shipped_path, out, "--ner", "gazetteer")
    before = manifest(out)["pipeline"]
    result = build(runner, shipped_path, out, "--ner", "auto")
    after = manifest(out)["pipeline"]
    assert before != after and manifest(out)["ner"] == "auto"
    assert (
        f"warning: --ner auto chose {after}; the previous build used {before}, so mentions "
        "and links differ: name the pipeline (--ner, or ner: in the dataset section) to build "
        "the same way everywhere\n"
    ) in result.stderr
    again = build(runner, shipped_path, out, "--ner", "auto")  # the same choice: no warning
    assert "warning" not in again.stderr


def test_an_unknown_pipeline_lists_every_choice(runner, mini_path, tmp_path):
    result = runner.invoke(app, ["build", str(mini_path), "-o", str(tmp_path), "--ner", "spacy"])
    assert result.exit_code == 1
    assert "unknown NER mode 'spacy'; choose one of gazetteer, model, none, auto" in (result.output)
    assert not (tmp_path / "manifest.json").exists()
