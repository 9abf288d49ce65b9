import time

from tokensvc.ratelimit import RateLimiter


def test_window_resets_after_interval():
    limiter = RateLimiter(limit=1, window_s=0.05)
    assert limiter.allow()
    assert not limiter.allow()
    started = time.monotonic()
    time.sleep(0.05)
    assert time.monotonic() - started < 0.1  # timing-sensitive: flaky on a loaded runner
    assert limiter.allow()
