"""The result of one automatic check of one answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from modelduel.redact import redact_secrets

__all__ = ["CheckResult", "CheckStatus", "failed_to_run"]

CheckStatus = Literal["pass", "fail", "error"]
_MARK: dict[str, str] = {"pass": "✓", "fail": "✗", "error": "⚠"}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict on one answer.

    Attributes:
        name: the check's name from the task file.
        kind: the kind of check (`json_schema`, `python_tests`, ...).
        part: the rubric part it informs.
        status: "pass" or "fail" is a verdict on the answer; "error" means the check
            itself could not run (crashed, timed out) and says nothing about the answer.
        reason: one line: why it passed or failed, or "check failed to run: ...".
        detail: more (the first failing test's traceback, every schema error), may be "".
        passed: tests passed (`python_tests`), else None.
        total: tests run (`python_tests`), else None.
    """

    name: str
    kind: str
    part: str
    status: CheckStatus
    reason: str
    detail: str = ""
    passed: int | None = None
    total: int | None = None

    def __post_init__(self) -> None:
        # A check's output is the answer's code talking: it may have printed what it could
        # read (an environment, a file). Nothing key-like leaves as a verdict.
        object.__setattr__(self, "reason", redact_secrets(self.reason))
        object.__setattr__(self, "detail", redact_secrets(self.detail))

    @property
    def label(self) -> str:
        """A short pane label: `✓ schema`, `✗ tests 3/5`, `⚠ tests` (failed to run)."""
        counts = f" {self.passed}/{self.total}" if self.total is not None else ""
        return f"{_MARK[self.status]} {self.name}{counts}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the transcript's form)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "part": self.part,
            "status": self.status,
            "reason": self.reason,
            "detail": self.detail,
            "passed": self.passed,
            "total": self.total,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """Rebuild a result from `as_dict()`'s form (a transcript record)."""
        status = data.get("status")
        if status not in _MARK:
            raise ValueError(f"unknown check status {status!r}")
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            part=str(data["part"]),
            status=status,
            reason=str(data.get("reason", "")),
            detail=str(data.get("detail") or ""),
            passed=data.get("passed"),
            total=data.get("total"),
        )


class _Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def part(self) -> str: ...


def failed_to_run(check: _Named, reason: str, detail: str = "") -> CheckResult:
    """The result of a check that could not run: never a pass or a fail of the answer."""
    return CheckResult(
        check.name, check.kind, check.part, "error", f"check failed to run: {reason}", detail
    )
