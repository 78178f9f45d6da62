from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.settings import describe_settings, unknown_variables


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


def test_a_variable_that_names_no_setting_is_named_with_the_closest_real_one() -> None:
    lines = unknown_variables(
        {"BRIEFBOT_STORAGE_DATABASE_URL": "postgres://db/briefbot", "BRIEFBOT_SLAK_MODE": "http"}
    )
    assert lines == [
        "BRIEFBOT_SLAK_MODE names no briefbot setting and is ignored; did you mean BRIEFBOT_SLACK_MODE?",
        "BRIEFBOT_STORAGE_DATABASE_URL names no briefbot setting and is ignored; "
        "did you mean BRIEFBOT_DATABASE_URL?",
    ]
    assert "README" in unknown_variables({"BRIEFBOT_ZZZ": "1"})[0]


def test_variables_read_on_purpose_and_real_settings_are_not_warned_about() -> None:
    on_purpose = {name: "x" for name in ("BRIEFBOT_CONFIG", "BRIEFBOT_VENV", "BRIEFBOT_SHARED_DATA")}
    settings = {variable: "x" for _key, variable, _default, _help in describe_settings()}
    assert unknown_variables({**on_purpose, **settings, "PATH": "/bin", "SLACK_BOT_TOKEN": "x"}) == []


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        (
            '[storage]\nallow_hosts = ["127.0.0.1", "10.0.0.0/33"]\n',
            {},
            "storage.allow_hosts: '10.0.0.0/33' is not a host name, IP address or network",
        ),
        (
            "",
            {"BRIEFBOT_STORAGE_ALLOW_HOSTS": "intranet,fe80::1/200"},
            "BRIEFBOT_STORAGE_ALLOW_HOSTS: 'fe80::1/200'",
        ),
        ('[discord]\nguilds = ["123", "my-server"]\n', {}, "discord.guilds: must be numbers (guild ids)"),
        (
            "",
            {"BRIEFBOT_DISCORD_GUILDS": "123,45x"},
            "BRIEFBOT_DISCORD_GUILDS: must be numbers (guild ids), and '45x'",
        ),
    ],
)
def test_hosts_and_guild_ids_are_checked_when_the_settings_are_loaded(
    tmp_path: Path, toml: str, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, toml), env=env)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_good_hosts_and_guild_ids_load() -> None:
    env = {
        "BRIEFBOT_STORAGE_ALLOW_HOSTS": "wiki.internal,10.0.0.0/8,[::1]",
        "BRIEFBOT_DISCORD_GUILDS": "12, 34",
    }
    settings = load_settings(env=env)
    assert settings.storage.allow_hosts == ("wiki.internal", "10.0.0.0/8", "[::1]")
    assert settings.discord.guilds == ("12", "34")


def test_log_level_and_format_and_slack_host_are_settings(tmp_path: Path) -> None:
    defaults = load_settings(env={})
    assert (defaults.logging.level, defaults.logging.format, defaults.slack.host) == (
        "INFO",
        "text",
        "0.0.0.0",
    )
    path = write(tmp_path, '[logging]\nlevel = "debug"\nformat = "json"\n[slack]\nhost = "127.0.0.1"\n')
    chosen = load_settings(path, env={"BRIEFBOT_LOGGING_LEVEL": "WARNING"})
    assert (chosen.logging.level, chosen.logging.format, chosen.slack.host) == (
        "WARNING",
        "json",
        "127.0.0.1",
    )
    with pytest.raises(ConfigError, match="BRIEFBOT_LOGGING_FORMAT: must be one of text, json"):
        load_settings(env={"BRIEFBOT_LOGGING_FORMAT": "xml"})
