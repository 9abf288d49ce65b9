# ruff: noqa: E501  (the recorded messages are kept whole, one per line, to compare exactly)
"""Every bad-config message is worded as when the config classes were pydantic models.

The classes are plain dataclasses now (no pydantic before the first frame when there is
no config file); a file is validated by pydantic through them. These messages were
recorded from the tree before that change (main at 2232739), one per kind of mistake;
since then numbers are strict (a string, a flag or a fraction where an integer goes says
only "Input should be a valid integer") and a lone string where an array goes shows the
array to write; "(and N more)" names the other bad keys (a follow-on error of the same
key is not counted).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.config import ConfigError, load_config

# (the file, the message with its path written FILE)
CASES = [
    (
        "timout_s = 5\n",
        "FILE: unknown key 'timout_s' (known keys: default_models, system_prompt, theme, csv_path, timeout_s, connect_timeout_s, stall_timeout_s, max_output_tokens, effort, openai_verified_organization, retries, providers, models, keymap, simulator, judge)",
    ),
    (
        "retries = 'two'\n",
        "FILE: key 'retries': Input should be a valid integer",
    ),
    ("retries = 11\n", "FILE: key 'retries': Input should be less than or equal to 10"),
    ("retries = -1\n", "FILE: key 'retries': Input should be greater than or equal to 0"),
    ("timeout_s = 0\n", "FILE: key 'timeout_s': Input should be greater than 0"),
    ("connect_timeout_s = -1\n", "FILE: key 'connect_timeout_s': Input should be greater than 0"),
    (
        "stall_timeout_s = 'x'\n",
        "FILE: key 'stall_timeout_s': Input should be a valid number",
    ),
    ("max_output_tokens = 0\n", "FILE: key 'max_output_tokens': Input should be greater than 0"),
    (
        "max_output_tokens = 1.5\n",
        "FILE: key 'max_output_tokens': Input should be a valid integer",
    ),
    (
        "default_models = []\n",
        "FILE: key 'default_models': list at least one model "
        '(e.g. default_models = ["openai/gpt-5.5"])',
    ),
    (
        "default_models = 'openai/gpt-5.5'\n",
        'FILE: key \'default_models\': Input should be an array, e.g. default_models = ["a", "b"]',
    ),
    (
        "default_models = [1]\n",
        "FILE: key 'default_models.0': Input should be a valid string",
    ),
    ("effort = 'huge'\n", "FILE: key 'effort': Input should be 'low', 'medium', 'high' or 'max'"),
    ("theme = 3\n", "FILE: key 'theme': Input should be a valid string"),
    ("csv_path = []\n", "FILE: key 'csv_path': Input should be a valid string"),
    ("system_prompt = 1\n", "FILE: key 'system_prompt': Input should be a valid string"),
    (
        "openai_verified_organization = 'maybe'\n",
        "FILE: key 'openai_verified_organization': Input should be a valid boolean, unable to interpret input",
    ),
    ("keymap = 3\n", "FILE: key 'keymap': Input should be a valid dictionary"),
    ("keymap = {a = 1}\n", "FILE: key 'keymap.a': Input should be a valid string"),
    ("providers = 3\n", "FILE: key 'providers': Input should be a valid dictionary"),
    (
        "[providers.local]\nkind = 'grpc'\n",
        "FILE: key 'providers.local.kind': must be one of openai, openai-chat, anthropic, gemini",
    ),
    (
        "[providers.local]\nkind = 'openai-chat'\n",
        "FILE: key 'providers.local.base_url' is required for a provider that is not built in (e.g. base_url = \"http://localhost:11434/v1\")",
    ),
    (
        "[providers.local]\nbase_url = 'http://x'\n",
        "FILE: key 'providers.local.kind': Field required",
    ),
    (
        "[providers.local]\nkind = 'openai'\nbase_urll = 'http://x'\n",
        "FILE: unknown key 'providers.local.base_urll' (known keys: kind, base_url, api_key_env, free)",
    ),
    (
        "[providers]\nlocal = 3\n",
        "FILE: key 'providers.local': Input should be a valid dictionary or instance of ProviderConfig",
    ),
    ("models = 3\n", "FILE: key 'models': Input should be a valid dictionary"),
    (
        "[models]\n'openai/gpt-5.5' = 3\n",
        "FILE: key 'models.openai/gpt-5.5': Input should be a valid dictionary or instance of ModelOptions",
    ),
    (
        "[models.'openai/gpt-5.5']\ntemprature = 1\n",
        "FILE: unknown key 'models.openai/gpt-5.5.temprature' (known keys: max_output_tokens, reasoning_effort, temperature, show_reasoning, capabilities, price, free)",
    ),
    (
        "[models.'openai/gpt-5.5']\ntemperature = 3\n",
        "FILE: key 'models.openai/gpt-5.5.temperature': Input should be less than or equal to 2",
    ),
    (
        "[models.'openai/gpt-5.5']\ntemperature = -1\n",
        "FILE: key 'models.openai/gpt-5.5.temperature': Input should be greater than or equal to 0",
    ),
    (
        "[models.'openai/gpt-5.5']\nmax_output_tokens = 0\n",
        "FILE: key 'models.openai/gpt-5.5.max_output_tokens': Input should be greater than 0",
    ),
    (
        "[models.'openai/gpt-5.5']\nfree = 2\n",
        "FILE: key 'models.openai/gpt-5.5.free': Input should be a valid boolean, unable to interpret input",
    ),
    (
        "[models.'openai/gpt-5.5']\nreasoning_effort = 3\n",
        "FILE: key 'models.openai/gpt-5.5.reasoning_effort': Input should be a valid string",
    ),
    (
        "[models.'openai/gpt-5.5'.price]\ninput_per_mtok = 1\n",
        "FILE: key 'models.openai/gpt-5.5.price.output_per_mtok': Field required",
    ),
    (
        "[models.'openai/gpt-5.5'.price]\ninput_per_mtok = -1\noutput_per_mtok = 1\n",
        "FILE: key 'models.openai/gpt-5.5.price.input_per_mtok': Input should be greater than or equal to 0",
    ),
    (
        "[models.'openai/gpt-5.5'.price]\ninput_per_mtok = 1\noutput_per_mtok = 1\nbogus = 2\n",
        "FILE: unknown key 'models.openai/gpt-5.5.price.bogus' (known keys: input_per_mtok, output_per_mtok, cached_input_per_mtok, cache_write_per_mtok)",
    ),
    (
        "[models.'openai/gpt-5.5'.price]\ninput_per_mtok = 1\noutput_per_mtok = 1\ncached_input_per_mtok = -2\n",
        "FILE: key 'models.openai/gpt-5.5.price.cached_input_per_mtok': Input should be greater than or equal to 0",
    ),
    (
        "[models.'openai/gpt-5.5']\nprice = 3\n",
        "FILE: key 'models.openai/gpt-5.5.price': Input should be a valid dictionary or instance of PriceOverride",
    ),
    (
        "[models.'openai/gpt-5.5'.capabilities]\nbogus = 1\n",
        "FILE: unknown key 'models.openai/gpt-5.5.capabilities.bogus' (known keys: reasoning, thinking, efforts, effort_map, temperature, images, top_p, max_output_tokens, context_window, chat_max_tokens)",
    ),
    (
        "[models.'openai/gpt-5.5'.capabilities]\nmax_output_tokens = 'x'\n",
        "FILE: key 'models.openai/gpt-5.5.capabilities.max_output_tokens': Input should be a valid integer",
    ),
    (
        "[models.'openai/gpt-5.5'.capabilities]\nmax_output_tokens = -5\n",
        "FILE: key 'models.openai/gpt-5.5.capabilities.max_output_tokens': Input should be greater than 0",
    ),
    (
        "[models.'openai/gpt-5.5']\ncapabilities = 3\n",
        "FILE: key 'models.openai/gpt-5.5.capabilities': Input should be a valid dictionary or instance of CapabilityOverride",
    ),
    ("[judge]\nrubric = 'x'\n", "FILE: key 'judge.model': Field required"),
    (
        "[judge]\nmodel = 'nope'\n",
        "FILE: key 'judge.model': 'nope' is not a model; write PROVIDER/MODEL_ID, e.g. model = \"anthropic/claude-opus-4-7\" (providers: openai, openai-chat, anthropic, gemini)",
    ),
    (
        "[judge]\nmodel = 'zz/m'\n",
        "FILE: key 'judge.model': 'zz/m' is not a configured model: unknown provider 'zz' (known: openai, openai-chat, anthropic, gemini; add it as [providers.zz])",
    ),
    (
        "[judge]\nmodel = 'openai/gpt-5.5'\nrubric = '  '\n",
        "FILE: key 'judge.rubric': is blank; write the rubric prompt or remove the key for the default rubric",
    ),
    (
        "[judge]\nmodel = 'openai/gpt-5.5'\nbogus = 1\n",
        "FILE: unknown key 'judge.bogus' (known keys: model, rubric, allow_self, enabled)",
    ),
    (
        "[judge]\nmodel = 'openai/gpt-5.5'\nenabled = 'x'\n",
        "FILE: key 'judge.enabled': Input should be a valid boolean, unable to interpret input",
    ),
    (
        "judge = 3\n",
        "FILE: key 'judge': Input should be a valid dictionary or instance of JudgeConfig",
    ),
    (
        "[simulator.'gpt-5.5']\nttft = 1\n",
        "FILE: key 'simulator': simulator profile 'gpt-5.5': unknown field 'ttft' (ttfb_ms, ttft_ms, reasoning_ms, tps, jitter, answer_tokens, silent_think_ms, rate_limit_requests, rate_limit_tokens, unverified_org, no_usage, shape, faults, tools)",
    ),
    (
        "[simulator.'gpt-5.5']\nttft_ms = 'soon'\n",
        "FILE: key 'simulator': simulator profile 'gpt-5.5': ttft_ms = 'soon' is not a number in 0..600000",
    ),
    ("simulator = 3\n", "FILE: key 'simulator': Input should be a valid dictionary"),
    ("[simulator]\nx = 3\n", "FILE: key 'simulator.x': Input should be a valid dictionary"),
    (
        "timout_s = 5\nretries = 'x'\n",
        "FILE: key 'retries': Input should be a valid integer (and 1 more: unknown key 'timout_s')",
    ),
    (
        "retries = 'x'\ntimeout_s = 'y'\n",
        "FILE: key 'timeout_s': Input should be a valid number (and 1 more: key 'retries')",
    ),
]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_a_bad_config_says_what_it_said_before(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).replace(str(path), "FILE") == message


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_simulator_number_that_is_not_finite_is_one_key_not_four(
    tmp_path: Path, value: str
) -> None:
    # the value's type is a union: pydantic refuses it once per member, each key tagged
    # with the member (`tps.int`, `tps.float`, ...), which named one bad value as four keys
    path = tmp_path / "config.toml"
    path.write_text(f'[simulator."gpt-5.5"]\ntps = {value}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: key 'simulator.gpt-5.5.tps': Input should be a finite number"
    )
