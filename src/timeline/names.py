"""Names as people type them: one folding of names to ids, one "did you mean" for unknown ones."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """'Nicolás Maduro' -> 'nicolas-maduro': accents, case and punctuation folded away."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def did_you_mean(
    value: str, known: Iterable[str], n: int = 3, cutoff: float = 0.6, containing: bool = False
) -> str:
    """' (did you mean 'a' or 'b'?)' with the known names closest to `value`, or ''; with
    `containing`, names that contain it ("maduro" in "nicolas-maduro") make up the `n`."""
    choices = list(known)
    close = difflib.get_close_matches(value, choices, n=n, cutoff=cutoff)
    if containing:
        close += [k for k in sorted(choices) if value in k and k not in close][: n - len(close)]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
