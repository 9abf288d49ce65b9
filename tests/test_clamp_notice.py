"""The notice of a clamped output budget says whose maximum it is: the model's own (from
the capability table), one the config declares, or a guess for a model not in the table."""

from __future__ import annotations

import tomllib

import pytest

from modelduel.config import Config, parse_config, resolve_model


def notices_for(spec: str, config: Config | None = None) -> tuple[int, tuple[str, ...]]:
    request, notices = resolve_model(spec, config or Config(), {}).plan_request("hi", None)
    return request.max_output_tokens or 0, notices


def declared(limit: int) -> Config:
    """A config declaring gpt-4.9-turbo's limit, as a user writes it."""
    text = f'[models."openai/gpt-4.9-turbo".capabilities]\nmax_output_tokens = {limit}\n'
    return parse_config(tomllib.loads(text), "t.toml")


@pytest.mark.parametrize(
    ("spec", "assumed"),
    [("openai/gpt-4.9-turbo", "32,768"), ("openai/acme-model", "32,768")],
)
def test_an_unknown_model_is_not_told_the_guess_is_its_own_maximum(spec: str, assumed: str) -> None:
    sent, notices = notices_for(spec)  # the default budget, 64,000, is above the guess
    model_id = spec.split("/", 1)[1]
    assert sent == 32768
    (notice,) = notices
    assert f"{model_id}'s maximum" not in notice  # not presented as the model's own figure
    assert f"{model_id} is not in modelduel's capability table" in notice
    assert f"{assumed} is the limit assumed for an unknown openai model" in notice
    # and how to raise it: the config key that declares a model's limit
    assert f'[models."{spec}".capabilities] max_output_tokens = N' in notice


def test_the_config_key_the_notice_names_is_the_one_that_raises_the_limit() -> None:
    config = declared(50000)
    sent, notices = notices_for("openai/gpt-4.9-turbo", config)
    assert sent == 50000
    assert notices == (
        "max_output_tokens 64,000 is above the maximum of 50,000 the config declares for "
        'gpt-4.9-turbo ([models."openai/gpt-4.9-turbo".capabilities] max_output_tokens): '
        "sent 50,000",
    )
    config = declared(100000)
    assert notices_for("openai/gpt-4.9-turbo", config) == (64000, ())


def test_a_model_in_the_table_still_gets_its_own_maximum() -> None:
    config = Config(max_output_tokens=100000)
    sent, notices = notices_for("gemini/gemini-3.1-pro-preview", config)
    assert sent == 65536
    assert notices == (
        "max_output_tokens 100,000 is above gemini-3.1-pro-preview's maximum of 65,536: "
        "sent 65,536",
    )
