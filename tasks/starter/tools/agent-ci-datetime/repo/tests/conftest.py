import sqlite3
from pathlib import Path

import pytest


@pytest.fixture
def conn():
    db = sqlite3.connect(":memory:")
    db.executescript((Path(__file__).parent / "fixtures" / "tokens.sql").read_text())
    yield db
    db.close()
