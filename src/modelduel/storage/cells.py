"""How one value becomes one CSV cell, and back.

Numbers are written as plain numbers so a spreadsheet sums them; text that a
spreadsheet would run as a formula gets a leading apostrophe (the OWASP advice
for CSV injection). Reading strips that apostrophe again, so what the app wrote
is exactly what it reads back; the file itself keeps the neutralised form.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

__all__ = ["decode_cell", "encode_cell"]

# Characters a spreadsheet treats as the start of a formula (OWASP CSV injection).
FORMULA_TRIGGERS = "=+-@\t\r"

# Text that needs the apostrophe: a trigger, possibly after apostrophes of its own. Including
# "'=x" makes the encoding a bijection: "'=x" is written "''=x" and read back as "'=x".
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")

# NUL cannot be read back by most CSV readers (and our reader rejects it as a sign of a
# damaged file); lone surrogates cannot be encoded as UTF-8. Both become U+FFFD.
_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def _format_float(value: float) -> str:
    """A float as a plain decimal number: repr's digits, without an exponent when sensible."""
    text = repr(value)
    if not math.isfinite(value) or "e" not in text:
        return text
    # repr switches to 1.5e-05 below 1e-4 and at 1e16; spreadsheets and humans read costs like
    # 0.000015 more reliably, and Decimal keeps exactly repr's shortest round-tripping digits.
    if 1e-20 <= abs(value) < 1e21:
        return format(Decimal(text), "f")
    return text


def encode_cell(value: object) -> str:
    """Turn one row value into the text of its CSV cell.

    Args:
        value: None, a bool, a number or text (anything else is written as ``str(value)``).

    Returns:
        The cell text: ``""`` for None, ``true``/``false`` for bools, a plain number for
        numbers, and text with a leading ``'`` when it would otherwise start a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    text = value if isinstance(value, str) else str(value)
    text = _UNWRITABLE.sub("\ufffd", text)
    if _NEEDS_QUOTE.match(text):
        return "'" + text
    return text


def decode_cell(cell: str) -> str:
    """Undo the formula neutralisation of one cell (the inverse of `encode_cell` for text).

    Args:
        cell: The cell text as stored in the file.

    Returns:
        The text with one leading ``'`` removed when the rest starts like a formula.
    """
    if _QUOTED.match(cell):
        return cell[1:]
    return cell
