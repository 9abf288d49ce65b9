"""The ASGI plumbing under `SimulatorApp`: reading a body, plain replies, lifespan, the log filter.

No protocol knowledge here: the app decides what to answer, this module moves the bytes.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from modelduel.simulator.errors import mask_key

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_MAX_BODY = 32 * 1024 * 1024


class _AbortConnection(Exception):
    """Raised after a response started to make uvicorn close the socket mid-body."""


class _QuietAborts(logging.Filter):
    """Drops uvicorn's traceback for the connections the simulator drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, _AbortConnection)


_filter_lock = threading.Lock()
_filter_installed = False


def install_log_filter() -> None:
    """Keep deliberate connection drops out of uvicorn's error log (idempotent)."""
    global _filter_installed
    with _filter_lock:
        if not _filter_installed:
            logging.getLogger("uvicorn.error").addFilter(_QuietAborts())
            _filter_installed = True


_SECRET_HEADERS = ("authorization", "x-api-key", "x-goog-api-key")


def _masked(headers: Mapping[str, str]) -> dict[str, str]:
    """Request headers as ground truth keeps them: every key masked as OpenAI masks one."""
    out = dict(headers)
    for name in _SECRET_HEADERS:
        if name in out:
            scheme, sep, token = out[name].partition(" ")
            out[name] = f"{scheme} {mask_key(token)}" if sep else mask_key(out[name])
    return out


def _json_or_none(body: bytes | None) -> Any:
    try:
        return json.loads(body) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= _MAX_BODY:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks) if size <= _MAX_BODY else None


async def _plain(
    send: Send, status: int, body: bytes, extra: list[tuple[str, str]] | None = None
) -> None:
    headers = [("content-type", "text/plain; charset=utf-8"), ("content-length", str(len(body)))]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _encode(headers + (extra or [])),
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _not_found_route(send: Send, method: str, path: str) -> None:
    # OpenAI's wording for an unknown route: the usual mistake is a base URL without /v1.
    err = {
        "message": f"Invalid URL ({method} {path})",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    body = json.dumps({"error": err}).encode()
    headers = [("content-type", "application/json"), ("content-length", str(len(body)))]
    await send({"type": "http.response.start", "status": 404, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
