"""One shape for every data error: file:line:col: kind 'id': field: message."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"


@dataclass(frozen=True)
class DataError:
    """A problem in a data file, located precisely enough for an editor to fix it."""

    file: str
    line: int
    column: int
    message: str
    entry: str = ""
    field: str = ""
    severity: str = SEVERITY_ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        parts = [where]
        if self.entry:
            parts.append(self.entry)
        if self.field:
            parts.append(self.field)
        prefix = ": ".join(parts)
        tag = "warning: " if self.severity == SEVERITY_WARNING else ""
        return f"{prefix}: {tag}{self.message}"

    def github_annotation(self) -> str:
        """The same error as a GitHub Actions workflow command."""
        level = "warning" if self.severity == SEVERITY_WARNING else "error"
        text = self.message if not self.field else f"{self.field}: {self.message}"
        if self.entry:
            text = f"{self.entry}: {text}"
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} file={self.file},line={self.line},col={self.column}::{text}"


class DataErrors(Exception):
    """Raised once, carrying every error found in a run."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line, e.column, e.message))
        super().__init__(self.report())

    def report(self, *, outcome: str = "") -> str:
        """All errors, one per line, then a count and what the command did about them (`outcome`)."""
        lines = [str(e) for e in self.errors]
        n = len(self.errors)
        lines.append(f"{n} data error{'s' if n != 1 else ''} found" + (f"; {outcome}" if outcome else "."))
        return "\n".join(lines)


def did_you_mean(value: object, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or '' when nothing is close."""
    if not isinstance(value, str):
        return ""
    if len(choices) > 500:
        # get_close_matches is linear in the choices with a costly inner loop; keep big lists cheap.
        choices = [c for c in choices if c[:2].lower() == value[:2].lower()] or list(choices)[:500]
    lowered = {c.lower(): c for c in choices}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return f" (did you mean '{lowered[value.lower()]}'?)"
    match = get_close_matches(value, list(choices), n=1, cutoff=0.6)
    if not match:
        match = [lowered[m] for m in get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)]
    return f" (did you mean '{match[0]}'?)" if match else ""


def describe(value: object) -> str:
    """A short quoted rendering of a value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f"'{text}'"
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
