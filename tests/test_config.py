"""Config files, model specs and prices."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from modelduel.config import (
    DEMO_ENV,
    Config,
    default_config_toml,
    effective_config_view,
    load_config,
    resolve_model,
    write_config_file,
)
from modelduel.core.pricing import PriceOverride, price_run
from modelduel.errors import ConfigError, SpecError
from modelduel.events import Usage


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELDUEL_CONFIG", raising=False)
    monkeypatch.setattr("modelduel.locations.config_dir", lambda: tmp_path / "none")
    config = load_config()
    assert config.default_models[0] == "openai/gpt-5.5"
    assert config.retries == 0


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("timout_s = 5\n", r"unknown key 'timout_s' \(known keys: .*timeout_s"),
        ("[providers.local]\nkind = 'grpc'\n", r"providers.local.kind': must be one of"),
        ("[providers.local]\nkind = 'openai-chat'\n", r"providers.local.base_url' is required"),
        ("[models.'openai/gpt-5.5']\ntemprature = 1\n", r"unknown key 'models.openai/gpt-5.5"),
        ("retries = 'two'\n", r"key 'retries'"),
        ("retries = [\n", r"not valid TOML"),
        # TOML has real types: a flag or an infinity where a number goes is a mistake,
        # not 1 or a timeout that never fires
        ("retries = true\n", r"key 'retries': Input should be a valid integer"),
        ("timeout_s = true\n", r"key 'timeout_s': Input should be a valid number"),
        ("timeout_s = inf\n", r"key 'timeout_s': Input should be a finite number"),
        ("stall_timeout_s = nan\n", r"key 'stall_timeout_s': Input should be a finite number"),
        ("[models.'openai/gpt-5.5']\nmax_output_tokens = true\n", r"max_output_tokens'"),
        (
            "[models.'openai/gpt-5.5'.price]\ninput_per_mtok = true\noutput_per_mtok = 1\n",
            r"input_per_mtok'",
        ),
        (
            "[models.'openai/gpt-5.5'.capabilities]\nmax_output_tokens = true\n",
            r"max_output_tokens'",
        ),
        ("default_models = 'openai/gpt-5.5'\n", r"should be an array, e.g. default_models = \["),
    ],
)
def test_bad_files_name_file_and_key(tmp_path: Path, text: str, match: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_whole_numbers_stay_good_for_seconds_and_prices(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "timeout_s = 5\n[models.'openai/gpt-5.5'.price]\n"
            "input_per_mtok = 1\noutput_per_mtok = 2\n",
        )
    )
    assert config.timeout_s == 5.0


def test_init_template_is_valid_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    write_config_file(path, default_config_toml())
    config = load_config(path)
    assert config.providers["ollama"].free
    with pytest.raises(ConfigError, match="already exists"):
        write_config_file(path, "x = 1")
    assert tomllib.loads(path.read_text())["retries"] == 0


def test_spec_splits_at_first_slash_and_reads_keys_from_env() -> None:
    env = {"OPENAI_API_KEY": "sk-test-123", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}
    model = resolve_model("openai-chat/anthropic/claude-sonnet-4.5", Config(), env)
    assert (model.provider, model.model_id) == ("openai-chat", "anthropic/claude-sonnet-4.5")
    assert model.base_url == "http://127.0.0.1:9/v1"
    assert model.api_key is not None and "sk-test" not in repr(model)


def test_gemini_prefers_google_api_key_like_the_sdk() -> None:
    both = resolve_model("gemini/g", Config(), {"GEMINI_API_KEY": "a", "GOOGLE_API_KEY": "b"})
    assert both.key_env == "GOOGLE_API_KEY"
    neither = resolve_model("gemini/g", Config(), {})
    assert neither.key_env == "GEMINI_API_KEY" and neither.api_key is None


def test_unknown_provider_lists_known_ones() -> None:
    with pytest.raises(SpecError, match="known: openai, openai-chat, anthropic, gemini"):
        resolve_model("mistral/large", Config(), {})
    with pytest.raises(SpecError, match="PROVIDER/MODEL_ID"):
        resolve_model("gpt-5.5", Config(), {})


def test_custom_local_provider_needs_no_key_and_is_free() -> None:
    config = Config.model_validate(
        {"providers": {"ollama": {"kind": "openai-chat", "base_url": "http://x/v1", "free": True}}}
    )
    model = resolve_model("ollama/qwen3:8b", config, {})
    assert not model.key_required and model.options.free
    assert price_run(model.kind, model.model_id, Usage(10, 0, 10), None, True).usd == 0.0


def test_demo_env_wins_over_configured_base_url() -> None:
    config = Config.model_validate({"providers": {"openai": {"kind": "openai", "base_url": "x"}}})
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:1/v1", DEMO_ENV: "1"}
    assert resolve_model("openai/gpt-5.5", config, env).base_url == "http://127.0.0.1:1/v1"
    env.pop(DEMO_ENV)
    assert resolve_model("openai/gpt-5.5", config, env).base_url == "x"


def test_config_show_masks_keys() -> None:
    view = effective_config_view(Config(), {"ANTHROPIC_API_KEY": "sk-ant-secret-value"})
    assert view["endpoints"]["anthropic"]["key"] == "set (hidden)"
    assert "sk-ant-secret-value" not in repr(view)


def test_prices_from_library_and_override() -> None:
    # list prices from the brief: $5 / $30 per 1M for GPT-5.5, cache read $0.50
    # (100K input stays below the long-context price tiers)
    cost = price_run("openai", "gpt-5.5", Usage(100_000, 0, 100_000))
    assert cost.usd == pytest.approx(3.5)
    cached = price_run("openai", "gpt-5.5", Usage(100_000, 100_000, 0))
    assert cached.usd == pytest.approx(0.05)
    assert price_run("anthropic", "claude-opus-4-7", Usage(100_000, 0, 100_000)).usd == (
        pytest.approx(3.0)
    )
    assert price_run("gemini", "gemini-3.1-pro-preview", Usage(100_000, 0, 100_000)).usd == (
        pytest.approx(1.4)
    )
    # past GPT-5.5's ~272K input tier the price is higher, as the brief says
    assert price_run("openai", "gpt-5.5", Usage(1_000_000, 0, 0)).usd > 5.0
    override = PriceOverride(input_per_mtok=1, output_per_mtok=2)
    assert price_run("openai", "x", Usage(1_000_000, 0, 1_000_000), override).usd == 3.0
    unknown = price_run("openai-chat", "my-local-model", Usage(5, 0, 5))
    assert unknown.usd is None and "unknown" in unknown.source


def test_simulator_profile_overrides_are_checked(tmp_path: Path) -> None:
    good = load_config(write(tmp_path, "[simulator.'gpt-5.5']\nttft_ms = 2000\n"))
    assert good.simulator == {"gpt-5.5": {"ttft_ms": 2000}}
    with pytest.raises(ConfigError, match="unknown field 'ttft'"):
        load_config(write(tmp_path, "[simulator.'gpt-5.5']\nttft = 2000\n"))
