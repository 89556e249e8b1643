"""One exception family: anything else escaping the library is a bug."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, with the place a person can go and fix it."""

    file: str
    line: int
    column: int
    message: str
    place: str = field(default="", compare=False)
    """Where, when a line and column would not say it (a sheet's "row 7, column Month"); `line`
    and `column` then only order the problems (the row, the column's position)."""

    def __str__(self) -> str:
        if self.place:
            return f"{self.file}: {self.place}: {self.message}"
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
