"""One exception family: anything else escaping the library is a bug."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, with the place a person can go and fix it."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class TimelineError(Exception):
    """Base class of every error the tool reports to a user (exit status 1, no traceback)."""


class InvalidDataset(TimelineError):
    """The curated data has one or more problems; `problems` lists them all, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ExtractionError(TimelineError):
    """Entity extraction could not run on the given text or pipeline."""


class ExportError(TimelineError):
    """An output could not be written in the requested format."""


class QueryError(TimelineError):
    """A SPARQL query is malformed, unknown, or failed."""


class PushError(TimelineError):
    """Uploading the graph to a remote store failed."""
