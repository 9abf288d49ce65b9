"""Every protocol the simulator serves has all of its writers in `simulator.protocols`: a
protocol added with a route but no in-stream error writer would otherwise fall through to
another provider's shape."""

from __future__ import annotations

from modelduel.simulator import protocols


def test_every_served_protocol_has_a_parser_and_every_writer() -> None:
    served = {*protocols.ROUTES.values(), "gemini"}
    assert set(protocols.KEY_PREFIX) == served
    for table in (protocols.PARSERS, protocols.STREAMS, protocols.BODIES, protocols.ERROR_FRAMES):
        assert set(table) == served
