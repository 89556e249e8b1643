"""The CLI: exact output, exit codes, and nothing written when the input is bad."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from timeline.cli import app


def test_validate_ok(runner, mini_path):
    result = runner.invoke(app, ["validate", str(mini_path)])
    assert result.exit_code == 0
    assert result.stdout == (
        f"{mini_path}: valid: 3 events, 5 actors, 1 source, 1 claim, 1 relation\n"
    )


def test_validate_reports_every_problem_and_exits_1(runner, tmp_path):
    bad = tmp_path / "events.yaml"
    bad.write_text(
        "events:\n  - id: x\n    title: t\n    date: '2026-02-30'\n"
        "    type: arest\n    summary: s\n    sources: [wire]\n"
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{bad}:4:11: event 'x': date '2026-02-30' is not a real day: February 2026 has 28 days\n"
        f"{bad}:5:11: event 'x': type 'arest' is not one of: military-operation, arrest, "
        "transfer, political-transition, prisoner-release, statement, diplomacy, "
        "security-warning, protest, legal-action, economic-measure, sanctions, trial, "
        "humanitarian, theft, attack, investigation, election, accident, other (did you mean "
        "'arrest' or 'protest'?); or declare it under dataset: event_types\n"
        f"{bad}:7:15: event 'x': unknown source id 'wire'; add it under 'sources:' first\n"
        "3 problems found; nothing was written\n"
    )


def test_validate_reads_stdin(runner, mini_path):
    result = runner.invoke(app, ["validate", "-"], input=mini_path.read_bytes())
    assert result.exit_code == 0
    assert result.stdout.startswith("-: valid: 3 events")


def test_build_writes_turtle(runner, mini_path, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(mini_path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{mini_path}: built 3 events, 5 actors, 1 source, 1 claim, 1 relation"
    )
    first, second = (out / "graph.ttl").read_text().splitlines()[:2]
    assert re.fullmatch(r"# timeline build [0-9a-f]{20}", first)
    assert second.startswith("@prefix")


def test_failed_build_leaves_previous_output_untouched(runner, mini_path, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["build", str(mini_path), "-o", str(out)]).exit_code == 0
    before = snapshot(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text(mini_path.read_text().replace('"2026-01-03"', '"2026-01-32"'))
    result = runner.invoke(app, ["build", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "is not a real day: January 2026 has 31 days" in result.stderr
    assert snapshot(out) == before


def snapshot(folder):
    """Every file and link under `folder`, with its bytes or target and its inode."""
    return {
        str(p.relative_to(folder)): (
            os.readlink(p) if p.is_symlink() else p.read_bytes(),
            p.lstat().st_ino,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


def test_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert (
        result.stderr == f"{tmp_path / 'nope.yaml'}:1:1: no such file\n"
        "1 problem found; nothing was written\n"
    )


def test_every_command_has_help_with_an_example(runner):
    import typer.main

    group = typer.main.get_group(app)
    for name in group.list_commands(None):  # type: ignore[arg-type]
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.stdout, f"'timeline {name} --help' shows no example"


def test_help_and_validate_do_not_import_heavy_libraries(mini_path):
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from timeline.cli import app\n"
        "r = CliRunner()\n"
        "assert r.invoke(app, ['--help']).exit_code == 0\n"
        f"assert r.invoke(app, ['validate', {str(mini_path)!r}]).exit_code == 0\n"
        "heavy = sorted(m for m in ('spacy', 'rdflib', 'pyvis', 'pyoxigraph', 'networkx')"
        " if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    assert result.stdout.strip() == ""


def test_relative_base_iri_is_refused_before_anything_is_written(runner, mini_path, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["build", str(mini_path), "-o", str(out), "--base", "foo", "--ner", "none"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "error: base IRI 'foo/' has no scheme, so the graph's IRIs would "
        "be relative; write one like https://example.org/timeline/\n"
    )
    assert not out.exists()


def test_version(runner):
    from timeline import __version__

    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, f"timeline {__version__}\n")


def test_json_numbers_are_numbers_and_every_output_ends_a_line(runner, mini_path):
    import json

    result = runner.invoke(app, ["actors", str(mini_path), "--format", "json"])
    first = json.loads(result.output)[0]
    assert isinstance(first["events"], int) and isinstance(first["degree"], float)
    for fmt in ("json", "xml", "csv", "tsv"):
        result = runner.invoke(app, ["query", str(mini_path), "actors", "--format", fmt])
        assert result.exit_code == 0 and result.output.endswith("\n"), fmt
    result = runner.invoke(app, ["query", str(mini_path), "-e", "ASK {}", "--format", "json"])
    assert result.output == '{"head":{},"boolean":true}\n'


def test_the_timelinejs_export_is_named_timeline_json(runner, mini_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["export", str(mini_path), "-f", "timelinejs"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "timeline.json").is_file()
