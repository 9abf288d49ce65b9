"""The provider registry is the only list of protocols, and adding one needs nothing else."""

from __future__ import annotations

import asyncio
import json
import sys
import types
from collections.abc import Iterator, Mapping
from typing import Any

import httpx2 as httpx
import pytest

from modelduel.config import Config, any_key_set, resolve_model
from modelduel.core.routing_export import _litellm_params
from modelduel.events import ErrorInfo, Event, Finished, TextDelta
from modelduel.providers import registry
from modelduel.providers.base import ModelRequest, SSEEvent, StreamTarget
from modelduel.providers.http import stream_events
from modelduel.simulator import protocols as simulator_protocols
from modelduel.simulator.handle import env_for


class _FakeParser:
    def feed(self, sse: SSEEvent) -> list[Event]:
        data = json.loads(sse.data)
        if data.get("done"):
            return [Finished(reason="stop")]
        return [TextDelta(text=data["text"])]

    def close(self) -> list[Event]:
        return []


class _FakeAdapter:
    kind = "fake"

    def url(self, base_url: str, model_id: str) -> str:
        return f"{base_url}/fake/{model_id}"

    def headers(self, api_key: str | None) -> dict[str, str]:
        return {"x-fake-key": api_key or ""}

    def build_payload(self, request: ModelRequest) -> dict[str, Any]:
        return {"say": request.prompt}

    def new_parser(self) -> _FakeParser:
        return _FakeParser()

    def parse_error(
        self, status: int, body: bytes, headers: Mapping[str, str], provider: str | None = None
    ) -> ErrorInfo:
        return ErrorInfo(kind="provider_error", message=f"fake {status}", status=status)

    def optional_params(self, request: ModelRequest) -> frozenset[str]:
        return frozenset()


@pytest.fixture
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> Iterator[registry.ProviderSpec]:
    module = types.ModuleType("fake_protocol_adapter")
    module.ADAPTER = _FakeAdapter()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_protocol_adapter", module)
    spec = registry.ProviderSpec(
        kind="fake",
        display_name="Fake",
        adapter_module="fake_protocol_adapter",
        key_envs=("FAKE_KEY",),
        key_env_named="FAKE_KEY",
        base_url_env="FAKE_BASE_URL",
        default_base_url="http://127.0.0.1:9",
        price_provider_id=None,
        litellm_prefix="fakellm",
        litellm_key_env="FAKE_KEY",
        litellm_base_url_env=None,
        simulator_route="/fake/{model}",
        simulator_key_prefix="fk-",
        builtin=False,
    )
    registry.register(spec)
    yield spec
    registry.unregister("fake")


def test_a_protocol_registered_alone_is_configured_resolved_and_streamed(
    fake_kind: registry.ProviderSpec,
) -> None:
    config = Config.model_validate(
        {"providers": {"x": {"kind": "fake", "base_url": "http://fake.test", "api_key_env": "XK"}}}
    )
    model = resolve_model("x/m1", config, {"XK": "fk-secret"})
    assert (model.kind, model.base_url, model.key_env) == ("fake", "http://fake.test", "XK")
    assert any_key_set(config, {"XK": "fk-secret"})
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = b'data: {"text": "hi"}\n\ndata: {"done": true}\n\n'
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    target = StreamTarget(
        kind=model.kind,
        base_url=model.base_url,
        api_key=lambda: "fk-secret",
        key_env=model.key_env,
        name="x",
    )

    async def run() -> list[Event]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            request = ModelRequest(model_id="m1", prompt="hello")
            return [s.event async for s in stream_events(client, target, request)]

    events = asyncio.run(run())
    assert str(seen[0].url) == "http://fake.test/fake/m1"
    assert json.loads(seen[0].content) == {"say": "hello"}
    assert [e for e in events if isinstance(e, TextDelta)] == [TextDelta(text="hi")]
    assert isinstance(events[-1], Finished)


def test_a_kind_the_registry_lacks_is_one_clear_config_error(tmp_path: Any) -> None:
    from modelduel.config import load_config
    from modelduel.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text('[providers.x]\nkind = "fake"\nbase_url = "http://x"\n')
    with pytest.raises(ConfigError, match=r"providers\.x\.kind.*must be one of openai"):
        load_config(path)


def test_builtin_providers_and_key_variables_come_from_the_registry() -> None:
    assert registry.builtin_providers() == ("openai", "openai-chat", "anthropic", "gemini")
    model = resolve_model("gemini/gemini-3.1-pro-preview", Config(), {})
    assert model.key_env == "GEMINI_API_KEY"
    model = resolve_model("gemini/gemini-3.1-pro-preview", Config(), {"GOOGLE_API_KEY": "AIzaX"})
    assert model.key_env == "GOOGLE_API_KEY"
    assert _litellm_params("openai-chat/m")[0] == {
        "model": "openai/m",
        "api_key": "os.environ/OPENAI_API_KEY",
        "api_base": "os.environ/OPENAI_BASE_URL",
    }


def test_the_registry_simulator_routes_are_the_paths_the_simulator_serves() -> None:
    # the simulator never imports providers/: this test is where the two must agree
    served = dict(simulator_protocols.ROUTES)
    for kind in registry.kinds():
        spec = registry.spec_for(kind)
        path = spec.simulator_route.replace("{model}", "some-model")
        gemini = simulator_protocols.GEMINI_PATH.match(path)
        assert ("gemini" if gemini else served.get(path)) == kind, kind
        assert simulator_protocols.KEY_PREFIX[kind] == spec.simulator_key_prefix
    routed = {*served.values(), "gemini"}
    assert routed == set(registry.kinds())


def test_the_demo_environment_points_every_builtin_at_the_simulator() -> None:
    env = env_for("http://127.0.0.1:1")
    for kind in registry.builtin_providers():
        spec = registry.spec_for(kind)
        assert env[spec.base_url_env].startswith("http://127.0.0.1:1"), kind
        for name in spec.key_envs:
            assert env[name].startswith(spec.simulator_key_prefix), (kind, name)
