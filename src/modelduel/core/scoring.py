"""The score of one run: the 0–5 rubric, or a number typed directly.

The rubric scores each run 0 to 5 as quality 0–2 + correctness 0–1 + format
compliance 0–1 + rework 0–1 (1 = no rework needed). Quick sessions type the
total directly instead. A `Score` holds either the rubric parts or the direct
total, never both, so the total shown, the total written to the CSV and the
parts beside it always agree. A rubric is a score only once every part is set,
or once it is confirmed (`confirm()`, key `enter`: the parts left unset count 0 in
the total but stay unset, so the CSV never shows a 0 nobody gave): one `q` is not a
score that routing would count.

The first press of every part's key gives the part's best value (quality 2, the
others 1: most answers scored pass, so that is one keystroke); each further press goes
one lower, and from 0 back to the best.

Every change returns a new `Score` (keystrokes map one-to-one onto methods),
which the caller writes to the run's CSV row at once via `csv_changes()`.
Pure: no I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

__all__ = ["MAX_SCORE", "RUBRIC_MAX", "Score"]

MAX_SCORE = 5
"""The highest total score of a run."""

# Upper bound of each rubric part; the bounds sum to MAX_SCORE.
_PART_MAX: dict[str, int] = {"quality": 2, "correctness": 1, "format": 1, "rework": 1}
RUBRIC_MAX: Mapping[str, int] = MappingProxyType(_PART_MAX)
"""Each rubric part's top value, in the rubric's order (read-only)."""
_PART_LETTER: dict[str, str] = {"quality": "Q", "correctness": "C", "format": "F", "rework": "R"}


@dataclass(frozen=True)
class Score:
    """The score of one run.

    Either the rubric parts are used (any of them set; unset ones count 0) or
    `direct` is, never both. All None means unscored.

    Attributes:
        quality: Rubric quality, 0 to 2.
        correctness: Rubric correctness, 0 or 1.
        format: Rubric format compliance, 0 or 1.
        rework: Rubric rework, 0 or 1 (1 = no rework needed).
        direct: A total typed directly, 0 to 5.
        manual_corrections: How many times the user had to correct the answer.
        note: The user's free-text note.
        confirmed: A rubric accepted with parts unset (`enter`): those count 0.
    """

    quality: int | None = None
    correctness: int | None = None
    format: int | None = None
    rework: int | None = None
    direct: int | None = None
    manual_corrections: int = 0
    note: str = ""
    confirmed: bool = False

    def __post_init__(self) -> None:
        # Every constructor path (keys, from_row, tests) goes through here, so an
        # out-of-range value can never reach the CSV.
        for part, top in _PART_MAX.items():
            value = getattr(self, part)
            if value is not None and not 0 <= value <= top:
                raise ValueError(f"{part} must be 0 to {top}, not {value}")
        if self.direct is not None:
            if not 0 <= self.direct <= MAX_SCORE:
                raise ValueError(f"a score must be 0 to {MAX_SCORE}, not {self.direct}")
            if self._has_rubric():
                raise ValueError("a score is either direct or rubric parts, not both")
        if self.manual_corrections < 0:
            raise ValueError(f"manual_corrections cannot be negative ({self.manual_corrections})")

    def _has_rubric(self) -> bool:
        return any(getattr(self, part) is not None for part in _PART_MAX)

    @property
    def total(self) -> int | None:
        """The score 0 to 5, or None when unscored.

        The direct score if set; otherwise the sum of the rubric parts once every
        part is set, or once the rubric is confirmed (unset parts count 0);
        otherwise None (unscored, or a rubric still being filled in).
        """
        if self.direct is not None:
            return self.direct
        values = [self.quality, self.correctness, self.format, self.rework]
        if not self.confirmed and None in values:
            return None
        if not self._has_rubric():
            return None
        return sum(value or 0 for value in values)

    @property
    def is_scored(self) -> bool:
        """Whether a score has been given (direct, or a rubric with every part set)."""
        return self.total is not None

    @property
    def is_partial(self) -> bool:
        """A rubric with some parts set and others not: not a score yet."""
        return self.direct is None and self._has_rubric() and self.total is None

    def confirm(self) -> Score:
        """Accept a partial rubric as it is (key `enter`): unset parts count 0 in the
        total and stay unset (their CSV cells empty: nobody gave them).

        Returns:
            The new score (unchanged unless it was a partial rubric).
        """
        if not self.is_partial:
            return self
        return replace(self, confirmed=True)

    def cleared(self) -> Score:
        """Back to unscored (key `backspace`); corrections and the note stay.

        Returns:
            The new score.
        """
        return replace(
            self,
            quality=None,
            correctness=None,
            format=None,
            rework=None,
            direct=None,
            confirmed=False,
        )

    def set_direct(self, n: int) -> Score:
        """Set the total directly (keys `0`–`5`), clearing the rubric parts.

        Args:
            n: The score, 0 to 5.

        Returns:
            The new score.

        Raises:
            ValueError: If `n` is outside 0 to 5.
        """
        return replace(self.cleared(), direct=n)

    def cycle_quality(self) -> Score:
        """Cycle quality 2 → 1 → 0 → 2 (key `q`); the first press gives 2, the best,
        as the first press of every part's key gives its best value.

        Switching from a direct score starts the rubric afresh: the direct
        total is dropped rather than guessed apart into parts.

        Returns:
            The new score.
        """
        current = self.quality
        return replace(self, direct=None, quality=2 if not current else current - 1)

    def toggle_correctness(self) -> Score:
        """Toggle correctness (key `c`): unset → 1 → 0 → 1.

        Returns:
            The new score.
        """
        return replace(self, direct=None, correctness=_toggled(self.correctness))

    def toggle_format(self) -> Score:
        """Toggle format compliance (key `f`): unset → 1 → 0 → 1.

        Returns:
            The new score.
        """
        return replace(self, direct=None, format=_toggled(self.format))

    def toggle_rework(self) -> Score:
        """Toggle "no rework needed" (key `w`): unset → 1 → 0 → 1.

        Returns:
            The new score.
        """
        return replace(self, direct=None, rework=_toggled(self.rework))

    def add_correction(self, delta: int) -> Score:
        """Count manual corrections up or down (keys `+`/`-`), never below 0.

        Args:
            delta: The change, usually 1 or -1.

        Returns:
            The new score.
        """
        return replace(self, manual_corrections=max(0, self.manual_corrections + delta))

    def with_note(self, note: str) -> Score:
        """Replace the note (key `n`).

        Args:
            note: The new note; surrounding whitespace is dropped.

        Returns:
            The new score.
        """
        return replace(self, note=note.strip())

    def csv_changes(self) -> dict[str, object]:
        """The CSV columns this score sets, for updating the run's row.

        Returns:
            Column name to value; None means an empty cell.
        """
        return {
            "score": self.total,
            "quality": self.quality,
            "correctness": self.correctness,
            "format": self.format,
            "rework": self.rework,
            "manual_corrections": self.manual_corrections,
            "notes": self.note or None,
        }

    def describe(self) -> str:
        """A short text for a pane's stats line.

        Returns:
            "Q2 C1 F1 R0 = 4/5" for a rubric score, "Q2 C- F- R- unscored" for a
            rubric still being filled in (`-` marks an unset part), "4/5" for a
            direct one, "unscored" otherwise.
        """
        total = self.total
        if self.direct is not None:
            return f"{total}/{MAX_SCORE}"
        if not self._has_rubric():
            return "unscored"
        parts = " ".join(
            f"{_PART_LETTER[part]}{'-' if (value := getattr(self, part)) is None else value}"
            for part in _PART_MAX
        )
        return f"{parts} unscored" if total is None else f"{parts} = {total}/{MAX_SCORE}"

    @classmethod
    def from_row(cls, row: Mapping[str, str]) -> Score:
        """Rebuild a score from a CSV row's strings, to re-score a past run.

        Lenient on purpose: the CSV may have been edited in a spreadsheet, and
        re-opening it must not fail. A cell that is empty, not a whole number or
        out of range counts as unset. When the `score` column disagrees with
        the rubric parts beside it, the score column wins (as a direct score):
        it is the core column, the one reports and teammates read.

        Args:
            row: Column name to cell text; missing columns count as empty.

        Returns:
            The score the row records.
        """
        parts = {part: _cell_int(row.get(part), top) for part, top in _PART_MAX.items()}
        score = _cell_int(row.get("score"), MAX_SCORE)
        corrections = _cell_int(row.get("manual_corrections"), None) or 0
        note = (row.get("notes") or "").strip()
        rubric = cls(
            quality=parts["quality"],
            correctness=parts["correctness"],
            format=parts["format"],
            rework=parts["rework"],
            manual_corrections=corrections,
            note=note,
        )
        if score is None or score == rubric.total:
            return rubric
        confirmed = replace(rubric, confirmed=True)  # `enter` on a half-set rubric
        if rubric.is_partial and score == confirmed.total:
            return confirmed
        return cls(direct=score, manual_corrections=corrections, note=note)


def _toggled(value: int | None) -> int:
    # The first press means "yes, it is correct/compliant/fine": most answers
    # being scored pass, so that is one keystroke, and failing is two.
    return 0 if value == 1 else 1


def _cell_int(text: str | None, top: int | None) -> int | None:
    """A CSV cell as a whole number within 0..top (no upper bound if top is None), else None."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)  # spreadsheets rewrite 4 as "4.0"
    except ValueError:
        return None
    if not number.is_integer() or number < 0 or (top is not None and number > top):
        return None
    return int(number)
