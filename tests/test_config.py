from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.settings import describe_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefbot.toml"
    path.write_text(text, "utf-8")
    return path


def test_defaults() -> None:
    settings = load_settings(env={})
    assert settings.summarizer.algorithm == "news"
    assert settings.summarizer.sentences == 3
    assert settings.summarizer.spacy_model == "en_core_web_sm"


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[summarizer]\nsentences = 5\nalgorithm = "lexrank"\n')
    settings = load_settings(path, env={"BRIEFBOT_SUMMARIZER_SENTENCES": "2"})
    assert settings.summarizer.sentences == 2
    assert settings.summarizer.algorithm == "lexrank"


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[summarizer]\nfigures = 4\n")
    assert load_settings(env={"BRIEFBOT_CONFIG": str(path)}).summarizer.figures == 4


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[summarizer]\nsentences = 0\n", {}, "summarizer.sentences: must be greater than 0, got 0"),
        (
            "",
            {"BRIEFBOT_SUMMARIZER_SENTENCES": "three"},
            "BRIEFBOT_SUMMARIZER_SENTENCES: expected a whole number, got 'three'",
        ),
        ('[summarizer]\nalgorithm = "magic"\n', {}, "summarizer.algorithm: must be one of news, lead"),
        ("[summarizer]\nsentense = 2\n", {}, "unknown setting summarizer.sentense"),
        ("[summariser]\n", {}, "unknown section [summariser]"),
        ("[summarizer\n", {}, "not valid TOML"),
        ('[summarizer]\nsentences = "5"\n', {}, "summarizer.sentences: expected a whole number"),
    ],
)
def test_bad_values_give_one_line_naming_the_setting(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, toml), env=env)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for key, variable, _default, help_text in describe_settings():
        assert help_text
        assert f"`{key}`" in readme and f"`{variable}`" in readme, key
