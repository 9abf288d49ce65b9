"""API tokens: issue, load and check expiry."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_TTL = timedelta(days=30)


@dataclass(frozen=True)
class Token:
    id: str
    user_id: int
    expires_at: datetime


def issue_token(conn: sqlite3.Connection, user_id: int, ttl: timedelta = DEFAULT_TTL) -> Token:
    token = Token(secrets.token_urlsafe(24), user_id, datetime.now(UTC) + ttl)
    conn.execute(
        "INSERT INTO tokens (id, user_id, expires_at) VALUES (?, ?, ?)",
        (token.id, token.user_id, token.expires_at.isoformat()),
    )
    return token


def load_token(conn: sqlite3.Connection, token_id: str) -> Token | None:
    row = conn.execute(
        "SELECT id, user_id, expires_at FROM tokens WHERE id = ?", (token_id,)
    ).fetchone()
    if row is None:
        return None
    return Token(row[0], row[1], datetime.fromisoformat(row[2]))


def is_expired(token: Token, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return token.expires_at <= now
