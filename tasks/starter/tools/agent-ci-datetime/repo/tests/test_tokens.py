from tokensvc.tokens import is_expired, load_token


def test_expired_token_rejected(conn):
    assert is_expired(load_token(conn, "tok-expired"))


def test_valid_token_accepted(conn):
    assert not is_expired(load_token(conn, "tok-valid"))


def test_unknown_token_is_none(conn):
    assert load_token(conn, "nope") is None
