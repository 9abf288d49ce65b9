"""Capability data: the shipped file, matching, overrides, and the bodies they produce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modelduel import cli
from modelduel.capabilities import (
    DUEL_EFFORTS,
    CapabilityError,
    family_for,
    load_families,
    shipped_families,
)
from modelduel.config import Config, DuelSettings, ModelOptions, parse_config, resolve_model
from modelduel.errors import ConfigError
from modelduel.providers.registry import get_adapter

SRC = Path(__file__).resolve().parents[1] / "src" / "modelduel"


def body(spec: str, config: Config | None = None, **duel: object) -> dict:
    model = resolve_model(spec, config or Config(), {}, DuelSettings(**duel))  # type: ignore[arg-type]
    return get_adapter(model.kind).build_payload(model.to_request("hi", None))


def test_shipped_file_is_valid_and_every_provider_has_a_catch_all() -> None:
    families = shipped_families()
    assert len(families) > 10
    for kind in ("openai", "anthropic", "gemini", "openai-chat"):
        assert family_for(kind, "no-such-model-xyz").name != "unknown", kind


@pytest.mark.parametrize(
    ("kind", "model_id", "family"),
    [
        ("openai", "gpt-5.5", "gpt-5.5"),
        ("openai", "gpt-5.5-2026-04-23", "gpt-5.5"),
        ("openai", "gpt-5.6-mini", "gpt-future"),
        ("openai", "gpt-6-pro", "gpt-future"),
        ("openai", "gpt-5.10", "gpt-future"),
        ("openai", "gpt-5", "gpt-5"),
        ("openai", "gpt-5.5-chat-latest", "gpt-5-chat"),
        ("openai", "gpt-4.1", "openai-other"),
        ("anthropic", "claude-opus-4-7", "claude-opus-4-7"),
        ("anthropic", "claude-opus-4-8", "claude-future"),
        ("anthropic", "claude-opus-5", "claude-future"),
        ("anthropic", "claude-opus-5-5", "claude-future"),
        ("anthropic", "claude-sonnet-5", "claude-future"),
        ("anthropic", "claude-haiku-5-5", "claude-future"),
        ("anthropic", "claude-sonnet-4-5-20250929", "claude-4.5"),
        ("anthropic", "claude-opus-4-1", "claude-older"),
        ("openai", "gpt-5.1", "gpt-5.1"),
        ("openai", "gpt-5.4-mini", "gpt-5.2-5.4"),
        ("gemini", "gemini-3.1-pro-preview", "gemini-3.1-pro"),
        ("gemini", "gemini-3.5-pro", "gemini-future"),
        ("gemini", "gemini-2.5-flash", "gemini-2"),
        ("openai-chat", "gpt-5.5", "gpt-5.5"),
        ("openai-chat", "qwen3:8b", "chat-server"),
        ("openai-chat", "openai/gpt-6", "gpt-future"),  # OpenRouter's vendor prefix
    ],
)
def test_families_match_newest_first(kind: str, model_id: str, family: str) -> None:
    assert family_for(kind, model_id).name == family


@pytest.mark.parametrize("model_id", ["claude-opus-4-8", "claude-opus-5", "claude-sonnet-5"])
def test_newer_claude_ids_get_adaptive_thinking_and_no_temperature(model_id: str) -> None:
    config = Config(models={f"anthropic/{model_id}": ModelOptions(temperature=0.2)})
    sent = body(f"anthropic/{model_id}", config, effort="max")
    assert sent["thinking"] == {"type": "adaptive", "display": "summarized"}
    assert sent["output_config"] == {"effort": "max"}
    assert "temperature" not in sent


@pytest.mark.parametrize("model_id", ["gpt-5.6-mini", "gpt-6-pro"])
def test_newer_gpt_ids_get_reasoning_and_no_temperature(model_id: str) -> None:
    config = Config(models={f"openai/{model_id}": ModelOptions(temperature=0.2)})
    sent = body(f"openai/{model_id}", config, effort="max")
    assert sent["reasoning"] == {"effort": "xhigh", "summary": "auto"}
    assert "temperature" not in sent


def test_a_bad_entry_names_file_pattern_and_field() -> None:
    text = """
[[family]]
name = "x"
kinds = ["anthropic"]
patterns = ["claude-zeta-*"]
thinking = "telepathy"
"""
    with pytest.raises(CapabilityError) as exc:
        load_families(text, "caps.toml")
    message = str(exc.value)
    assert message.startswith("caps.toml: pattern 'claude-zeta-*': field 'thinking':")
    text2 = text.replace('thinking = "telepathy"', 'efforts = ["low"]\neffort_map = {max = "max"}')
    with pytest.raises(CapabilityError, match=r"field '\(entry\)'|effort_map.max"):
        load_families(text2, "caps.toml")
    with pytest.raises(CapabilityError, match="field 'colour': unknown field"):
        load_families(text.replace('thinking = "telepathy"', 'colour = "red"'), "caps.toml")


def test_a_bad_override_in_the_config_names_file_model_and_field() -> None:
    data = {"models": {"anthropic/claude-opus-5": {"capabilities": {"thinking": "telepathy"}}}}
    with pytest.raises(ConfigError) as exc:
        parse_config(data, "my.toml")
    assert "my.toml: key 'models.anthropic/claude-opus-5.capabilities.thinking'" in str(exc.value)


def test_a_config_override_changes_what_is_sent() -> None:
    data = {
        "models": {
            "anthropic/claude-opus-5": {
                "capabilities": {"max_output_tokens": 32000, "thinking": "none"}
            }
        }
    }
    sent = body("anthropic/claude-opus-5", parse_config(data, "my.toml"))
    assert sent["max_tokens"] == 32000
    assert "thinking" not in sent


def test_a_config_override_can_say_a_model_takes_no_images() -> None:
    data = {"models": {"openai/my-text-model": {"capabilities": {"images": False}}}}
    model = resolve_model("openai/my-text-model", parse_config(data, "my.toml"), {}, DuelSettings())
    assert model.caps.images is False
    assert resolve_model("openai/my-text-model", Config(), {}, DuelSettings()).caps.images


def test_the_family_its_schema_and_the_override_name_the_same_fields_and_defaults() -> None:
    # Family (plain dataclass, read by the runner child) and its pydantic schema are two
    # spellings of one record: a field added to one only would be dropped or refused
    import dataclasses

    from modelduel.capabilities import FIELDS, Family
    from modelduel.capability_schema import CapabilityOverride, FamilySchema

    assert set(FamilySchema.model_fields) == set(FIELDS)
    for f in dataclasses.fields(Family):
        schema_default = FamilySchema.model_fields[f.name].get_default(call_default_factory=True)
        if f.default is not dataclasses.MISSING:
            assert schema_default == f.default, f.name
        elif f.default_factory is not dataclasses.MISSING:
            assert schema_default == f.default_factory(), f.name
    identity = {"name", "kinds", "patterns"}
    assert set(CapabilityOverride.model_fields) == set(FIELDS) - identity


def test_show_reasoning_off_only_hides() -> None:
    hide = {
        "models": {
            spec: {"show_reasoning": False}
            for spec in (
                "openai/gpt-5.5",
                "anthropic/claude-opus-4-7",
                "gemini/gemini-3.1-pro-preview",
            )
        }
    }
    config = parse_config(hide, "t")
    claude = body("anthropic/claude-opus-4-7", config, effort="high")
    assert claude["thinking"] == {"type": "adaptive", "display": "omitted"}
    assert claude["output_config"] == {"effort": "high"}
    gpt = body("openai/gpt-5.5", config, effort="high")
    assert gpt["reasoning"] == {"effort": "high"}
    gemini = body("gemini/gemini-3.1-pro-preview", config, effort="high")
    assert gemini["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "high"}


@pytest.mark.parametrize(
    ("effort", "gpt", "claude", "gemini"),
    [
        ("low", "low", "low", "low"),
        ("medium", "medium", "medium", "medium"),
        ("high", "high", "high", "high"),
        ("max", "xhigh", "max", "high"),
    ],
)
def test_one_duel_effort_maps_onto_each_providers_words(
    effort: str, gpt: str, claude: str, gemini: str
) -> None:
    assert body("openai/gpt-5.5", effort=effort)["reasoning"]["effort"] == gpt
    assert body("anthropic/claude-opus-4-7", effort=effort)["output_config"]["effort"] == claude
    level = body("gemini/gemini-3.1-pro-preview", effort=effort)["generationConfig"]
    assert level["thinkingConfig"]["thinkingLevel"] == gemini


def test_per_model_effort_wins_and_a_bad_one_lists_the_accepted_words() -> None:
    config = Config(models={"openai/gpt-5.5": ModelOptions(reasoning_effort="none")})
    assert body("openai/gpt-5.5", config, effort="max")["reasoning"] == {"effort": "none"}
    bad = Config(models={"anthropic/claude-opus-4-7": ModelOptions(reasoning_effort="huge")})
    with pytest.raises(ConfigError) as exc:
        resolve_model("anthropic/claude-opus-4-7", bad, {})
    assert "'huge'" in str(exc.value)
    assert "low, medium, high, xhigh, max" in str(exc.value)


def test_bad_effort_on_the_command_line_lists_the_valid_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.build_parser().parse_args(["ask", "hi", "--effort", "huge"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'huge'" in err and "'low', 'medium', 'high', 'max'" in err
    assert cli.DUEL_EFFORTS == DUEL_EFFORTS


def test_a_model_that_takes_no_effort_is_sent_none_with_a_notice() -> None:
    model = resolve_model("openai/gpt-4.1", Config(), {}, DuelSettings(effort="high"))
    request, notices = model.plan_request("hi", None)
    assert request.reasoning_effort is None
    assert "openai/gpt-4.1 takes no effort setting: effort high not sent" in notices


def test_every_model_gets_the_same_default_budget_and_no_16000() -> None:
    assert body("anthropic/claude-opus-4-7")["max_tokens"] == 64000
    assert body("openai/gpt-5.5")["max_output_tokens"] == 64000
    assert body("gemini/gemini-3.1-pro-preview")["generationConfig"]["maxOutputTokens"] == 64000
    for path in (SRC / "providers" / "anthropic").rglob("*.py"):
        assert "16000" not in path.read_text(), path.name


def test_a_budget_above_a_models_maximum_is_clamped_with_a_notice() -> None:
    model = resolve_model(
        "gemini/gemini-3.1-pro-preview", Config(), {}, DuelSettings(max_output_tokens=100000)
    )
    request, notices = model.plan_request("hi", None)
    assert request.max_output_tokens == 65536
    assert notices == (
        "max_output_tokens 100,000 is above gemini-3.1-pro-preview's maximum of 65,536: "
        "sent 65,536",
    )
    # the command line wins over a task file's budget, which wins over the config's
    config = Config(max_output_tokens=20000)
    plain = resolve_model("openai/gpt-5.5", config, {})
    assert plain.to_request("hi", None).max_output_tokens == 20000
    assert plain.to_request("hi", None, 30000).max_output_tokens == 30000
    cli_wins = resolve_model("openai/gpt-5.5", config, {}, DuelSettings(max_output_tokens=1000))
    assert cli_wins.to_request("hi", None, 30000).max_output_tokens == 1000


def test_no_model_prefix_tests_are_left_in_the_adapters() -> None:
    for path in (SRC / "providers").rglob("*.py"):  # the protocol packages included
        text = path.read_text()
        assert not re.search(r"model(_id)?\.(lower\(\)\.)?startswith\(", text), path.name
        assert "_ADAPTIVE_MODELS" not in text and "_REASONING_PREFIXES" not in text


def test_config_sets_an_unverified_openai_org_up_front() -> None:
    config = Config(openai_verified_organization=False)
    assert body("openai/gpt-5.5", config, effort="high")["reasoning"] == {"effort": "high"}
    assert "thinking" in body("anthropic/claude-opus-4-7", config)  # others untouched


def test_the_default_config_file_pins_no_small_budget_and_stays_valid() -> None:
    from modelduel.config import default_config_toml

    text = default_config_toml()
    assert "16000" not in text and "stall_timeout_s = 300.0" in text


def test_models_command_lists_families_and_explains_a_model(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODELDUEL_CONFIG", raising=False)
    monkeypatch.setattr("modelduel.locations.config_path", lambda: Path("/nonexistent/c.toml"))
    with pytest.raises(SystemExit) as exc:
        cli.main(["models"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "claude-future  [anthropic]  *" in out and "genai-prices" in out
    with pytest.raises(SystemExit):
        cli.main(["models", "-m", "anthropic/claude-opus-4-8", "--effort", "max"])
    out = capsys.readouterr().out
    assert "family claude-future" in out
    assert '"effort": "max"' in out and '"type": "adaptive"' in out


def test_every_duel_command_takes_effort() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["--effort", "low"]).effort == "low"
    assert parser.parse_args(["ask", "x", "--effort", "max"]).effort == "max"
    assert (
        parser.parse_args(["run", "tasks", "--csv", "x.csv", "--effort", "high"]).effort == "high"
    )
    assert parser.parse_args(["--max-output-tokens", "5"]).max_output_tokens == 5


def test_an_override_inconsistent_with_the_family_names_file_model_and_field() -> None:
    data = {
        "models": {"anthropic/claude-opus-5": {"capabilities": {"effort_map": {"max": "ultra"}}}}
    }
    with pytest.raises(ConfigError) as exc:
        parse_config(data, "my.toml")
    message = str(exc.value)
    assert message.startswith("my.toml: key 'models.anthropic/claude-opus-5.capabilities':")
    assert "effort_map.max = 'ultra' is not one of efforts" in message


@pytest.mark.parametrize(
    ("kind", "model_id"),
    [
        ("openai", m)
        for m in (
            "gpt-5.5",
            "gpt-5.6-mini",
            "gpt-6",
            "gpt-5.4",
            "gpt-5.1",
            "gpt-5",
            "o3",
            "o4-mini",
        )
    ]
    + [
        ("anthropic", m)
        for m in (
            "claude-opus-4-7",
            "claude-opus-4-8",
            "claude-opus-5",
            "claude-sonnet-5",
            "claude-haiku-5-5",
            "claude-opus-4-6",
            "claude-sonnet-4-6",
        )
    ]
    + [
        ("gemini", m)
        for m in ("gemini-3.1-pro-preview", "gemini-3-pro-preview", "gemini-3-flash-preview")
    ],
)
def test_every_mapped_effort_is_one_the_simulators_own_table_accepts(
    kind: str, model_id: str
) -> None:
    # the simulator's rules are written apart from the client's data: they must agree
    from modelduel.simulator import families as sim

    accepted = {
        "openai": sim.openai_efforts,
        "anthropic": sim.claude_efforts,
        "gemini": sim.gemini_levels,
    }[kind](model_id)
    family = family_for(kind, model_id)
    for duel_effort in DUEL_EFFORTS:
        word = family.map_effort(duel_effort)
        assert word in accepted, (model_id, duel_effort, word, accepted)
    assert set(family.efforts) <= set(accepted), (model_id, family.efforts, accepted)
