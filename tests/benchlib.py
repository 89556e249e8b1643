"""The benchmark's dataset generator (bench/synth.py), loaded once for the tests that use it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SYNTH = Path(__file__).resolve().parent.parent / "bench" / "synth.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("timeline_bench_synth", SYNTH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["timeline_bench_synth"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


synth = _load()
