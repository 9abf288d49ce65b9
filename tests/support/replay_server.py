"""A tiny HTTP/1.1 server on 127.0.0.1 that replays scripted responses with known timing.

Each request gets the next `Script` (or the one a route picks): status, headers and a
list of (delay_s, bytes) chunks written with chunked transfer encoding on a keep-alive
connection. The server records, with `time.monotonic_ns()` (the client's clock too),
when each request was fully received and when each chunk was handed to the kernel —
the ground truth a timing test compares the client's figures with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

__all__ = ["Received", "ReplayServer", "Script", "running_server", "sse"]


def sse(*events: tuple[str | None, object], crlf: bool = False) -> list[bytes]:
    """SSE frames for (event name or None, JSON-able data or raw str) pairs, one per chunk."""
    nl = "\r\n" if crlf else "\n"
    frames = []
    for name, data in events:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        head = f"event: {name}{nl}" if name else ""
        frames.append(f"{head}data: {text}{nl}{nl}".encode())
    return frames


@dataclass
class Script:
    """One scripted response.

    Attributes:
        chunks: (delay before writing, bytes) pairs.
        status: HTTP status.
        headers: extra response headers.
        content_type: the Content-Type.
        drop_after: close the socket without finishing after this many chunks.
    """

    chunks: list[tuple[float, bytes]]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/event-stream"
    drop_after: int | None = None


@dataclass
class Received:
    """What the server saw of one request and when it wrote each chunk."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_ns: int
    written_ns: list[int] = field(default_factory=list)

    def json(self) -> object:
        """The request body as JSON."""
        return json.loads(self.body)


class ReplayServer:
    """Serves scripts in order (or via `route(path) -> Script`) and records every request."""

    def __init__(self, route: Callable[[Received], Script]) -> None:
        self._route = route
        self.requests: list[Received] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self.connections = 0

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        """Stop listening and close connections."""
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                got = Received(method, path, headers, body, time.monotonic_ns())
                self.requests.append(got)
                script = self._route(got)
                if not await self._respond(writer, script, got):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _respond(self, writer: asyncio.StreamWriter, s: Script, got: Received) -> bool:
        reason = {200: "OK"}.get(s.status, "Error")
        head = [f"HTTP/1.1 {s.status} {reason}", f"content-type: {s.content_type}"]
        head += ["transfer-encoding: chunked", "connection: keep-alive"]
        head += [f"{k}: {v}" for k, v in s.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        for i, (delay, data) in enumerate(s.chunks):
            if s.drop_after is not None and i >= s.drop_after:
                writer.transport.abort()
                return False
            if delay:
                await asyncio.sleep(delay)
            writer.write(b"%x\r\n%s\r\n" % (len(data), data))
            got.written_ns.append(time.monotonic_ns())
            await writer.drain()
        if s.drop_after is not None and s.drop_after >= len(s.chunks):
            writer.transport.abort()
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


@contextlib.asynccontextmanager
async def running_server(route: Callable[[Received], Script]) -> AsyncIterator[ReplayServer]:
    """A started ReplayServer, stopped on exit."""
    server = ReplayServer(route)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
