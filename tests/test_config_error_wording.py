"""Config errors name every bad key, and show numbers as they were written.

`retries = 11` and `timeout_s = 0` together said "(and 1 more)" without naming the other
key; `answer_tokens = 99999999999` in a `[simulator]` profile was shown as
`99999999999.0` (and its range as `1..1e+06`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelduel.config import ConfigError, load_config


def message(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value).replace(str(path), "FILE")


def test_every_bad_key_is_named(tmp_path: Path) -> None:
    got = message(tmp_path, "retries = 11\ntimeout_s = 0\nmax_output_tokens = 2.0\nbogus = 1\n")
    assert got.startswith("FILE: key 'timeout_s': Input should be greater than 0 (and 3 more: ")
    assert "'max_output_tokens'" in got and "'retries'" in got and "'bogus'" in got
    assert "\n" not in got


def test_an_unknown_key_first_still_names_the_others(tmp_path: Path) -> None:
    got = message(tmp_path, "timout_s = 5\n")
    assert got.startswith("FILE: unknown key 'timout_s'") and "more" not in got
    got = message(tmp_path, "timout_s = 5\nretries = 'x'\n")
    want = "FILE: key 'retries': Input should be a valid integer"
    assert got == want + " (and 1 more: unknown key 'timout_s')"


def test_a_long_list_names_the_first_few_and_counts_the_rest(tmp_path: Path) -> None:
    got = message(tmp_path, "".join(f"bogus{i} = 1\n" for i in range(9)))
    assert "(and 8 more: " in got and "'bogus5'" in got and "'bogus8'" not in got
    assert got.endswith(", and 3 others)")


def test_a_follow_on_error_of_the_same_key_is_not_counted(tmp_path: Path) -> None:
    # pydantic adds "Tuple should have at least 1 item" for default_models itself
    got = message(tmp_path, "default_models = [1]\n")
    assert got == "FILE: key 'default_models.0': Input should be a valid string"


def test_a_simulator_number_is_shown_as_written(tmp_path: Path) -> None:
    got = message(tmp_path, "[simulator.'gpt-5.5']\nanswer_tokens = 99999999999\n")
    assert "answer_tokens = 99999999999 is not" in got and "1..1000000" in got, got
    assert "99999999999.0" not in got and "e+06" not in got
    got = message(tmp_path, "[simulator.'gpt-5.5']\nanswer_tokens = 2.5\n")
    assert "answer_tokens = 2.5 is not a whole number in 1..1000000" in got, got
    got = message(tmp_path, "[simulator.'gpt-5.5']\nttft_ms = -3\n")
    assert "ttft_ms = -3 is not a number in 0..600000" in got, got


def test_a_task_files_number_error_shows_the_number_and_no_empty_hint(tmp_path: Path) -> None:
    from modelduel.errors import TaskFileError
    from modelduel.tasks import load_task

    path = tmp_path / "t1.toml"
    head = 'id = "t1"\ntype = "coding"\ntitle = "T"\nprompt = "hi"\ncriteria = ["a"]\n'
    path.write_text(head + 'output_format = "text"\nmax_output_tokens = 2.5\n', encoding="utf-8")
    with pytest.raises(TaskFileError) as info:
        load_task(path)
    got = str(info.value)
    assert got.endswith("field 'max_output_tokens': input should be a valid integer, got a number "
                        "with a fractional part: 2.5"), got  # fmt: skip


def test_an_empty_model_list_says_to_list_one(tmp_path: Path) -> None:
    # it said pydantic's "Tuple should have at least 1 item after validation, not 0"
    assert message(tmp_path, "default_models = []\n") == (
        "FILE: key 'default_models': list at least one model "
        '(e.g. default_models = ["openai/gpt-5.5"])'
    )
