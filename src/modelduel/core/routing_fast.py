"""A whole results CSV's routing columns read with numpy, for the files nothing is wrong with.

`load_route_table` (in `core.routing_rows`) first offers each file to `fast_file_part`:
the file's bytes are split into records and cells by byte scans (quotes, commas and
newlines found with numpy, a newline inside a quoted cell told apart by the number of
quotes before it), and only the columns routing reads are cut out, as fixed-width byte
arrays, converted and coded without a Python string per cell. It gives up (returns
None) on anything it is not sure the csv module and `chunk_part` would read as plainly
valid, and the caller then reads that file the row-checked way (`read_column_chunks`
and `chunk_part`), which gives every message and notice. So this module never makes an
error message of its own: a file it takes reads to the very rows the other path reads,
and any other file goes there.

It gives up on: a file that is not UTF-8 or has a NUL, a header with a quote, a quote
that is not a whole quoted cell's (the only shape the strict csv reader takes), a CR
other than before a LF, a row with another number of cells than the header (a torn or
bad row), a quoted cell or a leading apostrophe in a column routing reads, a number that
is not plain digits (a blank, "nan", "inf", a negative, a score above 5), an empty task
type or model, and with `check_timestamp` a timestamp `iso_week` refuses.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from modelduel.core.counted import CANCELLED
from modelduel.core.routing import iso_week
from modelduel.core.routing_chunk import ChunkPart, Codes
from modelduel.errors import CsvError
from modelduel.storage.csvparse import _BOM, _check_header_cells

__all__ = ["fast_file_part"]

# Records cut at a time: bounds the comma positions and the gathered cells held at once.
BLOCK_RECORDS = 4096
_SCAN_BYTES = 1 << 20
# A cell routing reads longer than this sends the file the other way (gather width).
MAX_CELL_BYTES = 256

_QUOTE, _COMMA, _LF, _CR, _APOSTROPHE = 34, 44, 10, 13, 39
_NUMBER_BYTES = b"0123456789.eE+-"
_CODED = ("task_type", "model", "timestamp", "duel_id", "rank")


class _GiveUp(Exception):
    """This file goes the row-checked way."""


def _positions(np: Any, arr: Any, byte: int, start: int) -> Any:
    """Where `byte` is in arr[start:], scanned a MB at a time (no file-sized temporary)."""
    found = [
        np.flatnonzero(arr[low : low + _SCAN_BYTES] == byte) + low
        for low in range(start, len(arr), _SCAN_BYTES)
    ]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _cells(np: Any, arr: Any, start: Any, end: Any) -> tuple[Any, Any]:
    """The cells [start, end) as an S array (and their byte lengths)."""
    lens = end - start
    width = max(int(lens.max()), 1)
    if width > MAX_CELL_BYTES:
        raise _GiveUp
    first = int(start[0])
    lead = arr[np.minimum(start, len(arr) - 1)]  # an empty last cell may start at the end
    if (((lead == _QUOTE) | (lead == _APOSTROPHE)) & (lens > 0)).any():
        raise _GiveUp  # a quoted cell, or one `decode_cell` may change
    stop = int(start[-1]) + width
    if stop <= len(arr):
        base = arr[first:stop]
    else:  # the file's last cells: padded
        base = np.zeros(stop - first, dtype=np.uint8)
        base[: len(arr) - first] = arr[first:]
    gathered = np.lib.stride_tricks.sliding_window_view(base, width)[start - first]
    gathered[np.arange(width) >= lens[:, None]] = 0
    return gathered.view(f"S{width}").ravel(), lens


def _numbers(np: Any, cells: Any, lens: Any, allowed: Any) -> Any:
    """Plain numbers as float64, NaN for an empty cell; anything else gives up."""
    raw = cells.view(np.uint8).reshape(len(cells), -1)
    if not allowed[raw].all():
        raise _GiveUp
    empty = lens == 0
    # numpy reads bytes to float64 as `float` does (a test holds it to that)
    filled = np.where(empty, np.bytes_(b"nan"), cells) if empty.any() else cells
    try:
        values = filled.astype(np.float64)
    except ValueError:
        raise _GiveUp from None
    if np.isinf(values).any() or int(np.isnan(values).sum()) != int(empty.sum()):
        raise _GiveUp
    return values


def _column(
    np: Any, arr: Any, at: int | None, width: int, grid: Any, starts: Any, ends: Any
) -> tuple[Any, Any] | None:
    """Column `at` of a block of records (None: the file has no such column)."""
    if at is None:
        return None
    start = starts if at == 0 else grid[:, at - 1] + 1
    end = ends if at == width - 1 else grid[:, at]
    return _cells(np, arr, start, end)


def _records(np: Any, arr: Any, body: int) -> tuple[Any, Any, Any]:
    """Start and end of each record after the header (CR of CRLF left out, blank lines
    dropped), and the positions of the quotes."""
    quotes = _positions(np, arr, _QUOTE, body)
    if len(quotes) % 2:
        raise _GiveUp  # a quoted cell left open: a torn last row
    if len(quotes):
        opens, closes = quotes[0::2], quotes[1::2]
        before = arr[opens - 1]
        joined = np.zeros(len(opens), dtype=bool)
        joined[1:] = opens[1:] - 1 == closes[:-1]  # "" inside a quoted cell
        if not ((before == _COMMA) | (before == _LF) | joined).all():
            raise _GiveUp
        after = arr[np.minimum(closes + 1, len(arr) - 1)]
        at_end = closes + 1 == len(arr)
        rejoined = np.zeros(len(closes), dtype=bool)
        rejoined[:-1] = closes[:-1] + 1 == opens[1:]
        ok = (after == _COMMA) | (after == _LF) | (after == _CR) | at_end | rejoined
        if not ok.all():
            raise _GiveUp
    newlines = _positions(np, arr, _LF, body)
    ends_record = np.searchsorted(quotes, newlines) % 2 == 0
    breaks = newlines[ends_record]
    starts = np.concatenate([[body], breaks + 1]).astype(np.int64)
    ends = np.concatenate([breaks, [len(arr)]]).astype(np.int64)
    nonempty = ends > starts
    cr = np.zeros(len(ends), dtype=bool)
    cr[nonempty] = arr[ends[nonempty] - 1] == _CR
    ends = ends - cr
    keep = ends > starts  # a blank line (or a lone CRLF) is no row, as csv reads it
    return starts[keep], ends[keep], quotes


def fast_file_part(
    np: Any,
    path: Path,
    task_types: Codes,
    models: Codes,
    timestamps: Codes,
    check_timestamp: bool,
    duels: Codes,
    ranks: Codes,
) -> ChunkPart | None:
    """The whole file as one `ChunkPart` (no problems), or None: read it the other way.

    The codes learn the file's names only when the whole file was taken.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _part(np, path, data, task_types, models, timestamps, check_timestamp, duels, ranks)
    except _GiveUp:
        return None


def _part(
    np: Any,
    path: Path,
    data: bytes,
    task_types: Codes,
    models: Codes,
    timestamps: Codes,
    check_timestamp: bool,
    duels: Codes,
    ranks: Codes,
) -> ChunkPart:
    if b"\x00" in data:
        raise _GiveUp
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise _GiveUp from None
    first = len(_BOM) if data.startswith(_BOM) else 0
    header_end = data.find(b"\n", first)
    if header_end < 0 or b'"' in data[first:header_end]:
        raise _GiveUp
    try:
        header = next(csv.reader([data[first : header_end + 1].decode()], strict=True))
        _check_header_cells(path, header)
    except (StopIteration, csv.Error, CsvError):
        raise _GiveUp from None
    width = len(header)
    if width < 2:
        raise _GiveUp
    index = {name: i for i, name in enumerate(header)}  # a repeated unknown name: the last
    arr = np.frombuffer(data, dtype=np.uint8)
    returns = _positions(np, arr, _CR, 0)
    if len(returns) and (returns[-1] + 1 == len(arr) or (arr[returns + 1] != _LF).any()):
        raise _GiveUp  # a CR not before a LF (the csv reader splits or refuses there)
    starts, ends, quotes = _records(np, arr, header_end + 1)
    n = len(starts)
    if n == 0:
        raise _GiveUp
    allowed = np.zeros(256, dtype=bool)
    allowed[list(_NUMBER_BYTES)] = True
    allowed[0] = True  # the padding of a shorter cell

    numbers: dict[str, list[Any]] = {"score": [], "time_to_first_useful_s": [], "cost_usd": []}
    coded: dict[str, list[tuple[Any, Any, Any]]] = {name: [] for name in _CODED}
    simulated: list[Any] = []
    run_ids: list[Any] = []
    judge_cells: list[Any] = []
    cancelled: list[Any] = []
    for low in range(0, n, BLOCK_RECORDS):
        high = min(low + BLOCK_RECORDS, n)
        first_byte, last_byte = int(starts[low]), int(ends[high - 1])
        commas = np.flatnonzero(arr[first_byte:last_byte] == _COMMA) + first_byte
        inside = quotes[np.searchsorted(quotes, first_byte) : np.searchsorted(quotes, last_byte)]
        if len(inside):  # leave out the commas within quoted cells
            at_open = np.searchsorted(commas, inside[0::2])
            at_close = np.searchsorted(commas, inside[1::2])
            depth = np.bincount(at_open, minlength=len(commas) + 1)
            depth -= np.bincount(at_close, minlength=len(commas) + 1)
            commas = commas[np.cumsum(depth[:-1]) == 0]
        if len(commas) != (high - low) * (width - 1):
            raise _GiveUp  # some row has another number of cells than the header
        grid = commas.reshape(high - low, width - 1)
        block_starts, block_ends = starts[low:high], ends[low:high]
        if (grid[:, 0] < block_starts).any() or (grid[:, -1] >= block_ends).any():
            raise _GiveUp

        def column(name: str, cut: Any = (grid, block_starts, block_ends)) -> Any:
            return _column(np, arr, index.get(name), width, *cut)

        for name, values in numbers.items():
            got = column(name)
            if got is None:
                raise _GiveUp
            values.append(_numbers(np, got[0], got[1], allowed))
        for name, parts in coded.items():
            got = column(name)
            if got is None:
                parts.append(
                    (np.array([b""]), np.zeros(1, np.int64), np.zeros(high - low, np.int64))
                )
                continue
            parts.append(np.unique(got[0], return_index=True, return_inverse=True))
        got = column("simulated")
        simulated.append(got[0] == b"true" if got is not None else np.zeros(high - low, bool))
        got = column("run_id")
        run_ids.append(got[0] if got is not None else np.zeros(high - low, dtype="S1"))
        got = column("judge_model")
        if got is not None:
            judge_cells.append(np.unique(got[0]))
        got = column("finish_reason")
        if got is not None:
            cancelled.append(np.char.strip(got[0]) == CANCELLED.encode())

    arrays: dict[str, Any] = {}
    for name, values in numbers.items():
        arrays[name] = np.concatenate(values) if values else np.zeros(0, np.float64)
    score = arrays["score"]
    if (score > 5).any() or (score < 0).any():
        raise _GiveUp
    if cancelled:  # a cancelled run's score reads as not scored, as `chunk_part` does
        score[np.concatenate(cancelled)] = np.nan
    if (arrays["time_to_first_useful_s"] < 0).any() or (arrays["cost_usd"] < 0).any():
        raise _GiveUp
    # every check passed but the names': decode each distinct cell once, first seen first
    names: dict[str, list[tuple[list[str], Any]]] = {}
    for name, parts in coded.items():
        names[name] = []
        for uniques, first_at, inverse in parts:
            order = np.argsort(first_at, kind="stable")
            cells = [cell.decode() for cell in uniques[order].tolist()]
            rank_of = np.empty(len(order), dtype=np.int64)
            rank_of[order] = np.arange(len(order))
            names[name].append((cells, rank_of[inverse]))
    for name in ("task_type", "model"):
        if any(not cell.strip() for cells, _ in names[name] for cell in cells):
            raise _GiveUp
    if check_timestamp:
        for cells, _ in names["timestamp"]:
            for cell in cells:
                try:
                    iso_week(cell.strip())
                except ValueError:
                    raise _GiveUp from None
    # taken: only now do the codes learn this file's names
    for name, codes in (
        ("task_type", task_types),
        ("model", models),
        ("timestamp", timestamps),
        ("duel_id", duels),
        ("rank", ranks),
    ):
        blocks = [codes.array_of(np, cells)[local] for cells, local in names[name]]
        arrays[name] = np.concatenate(blocks) if blocks else np.zeros(0, np.int64)
    if cancelled:  # ... and its rank reads as empty
        arrays["rank"][np.concatenate(cancelled)] = ranks.array_of(np, [""])[0]
    if check_timestamp:
        timestamps.checked = len(timestamps.names)
    arrays["simulated"] = np.concatenate(simulated) if simulated else np.zeros(0, bool)
    ids = [cell for block in run_ids for cell in _run_ids(np, block)]
    judged = any(
        not cell.decode().isspace() for block in judge_cells for cell in block.tolist() if cell
    )
    return ChunkPart(arrays, ids, [], judged)


# What `str.strip` takes off an ASCII cell.
_ASCII_SPACE = bytes([9, 10, 11, 12, 13, 28, 29, 30, 31, 32])


def _run_ids(np: Any, cells: Any) -> list[str]:
    """Each cell as `str.strip` of its text (decoded by numpy when plain ASCII)."""
    raw = cells.view(np.uint8).reshape(len(cells), -1)
    if (raw < 128).all():
        lens = (raw != 0).sum(axis=1)
        last = raw[np.arange(len(cells)), np.maximum(lens - 1, 0)]
        edges = np.isin(raw[:, 0], list(_ASCII_SPACE)) | np.isin(last, list(_ASCII_SPACE))
        if not edges.any():
            texts: list[str] = cells.astype(str).tolist()
            return texts
    return [cell.decode().strip() for cell in cells.tolist()]
