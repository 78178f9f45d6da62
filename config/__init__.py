"""Settings for briefbot: defaults < TOML file < ``BRIEFBOT_*`` environment variables.

Everything else receives a :class:`Settings` value through its constructor; nothing reads the
environment or a module global on its own, so tests can build any configuration they need.
"""

from __future__ import annotations

from config.errors import ConfigError
from config.settings import (
    ChatSettings,
    DiscordSettings,
    LoggingSettings,
    Settings,
    SlackSettings,
    StorageSettings,
    SummarizerSettings,
    load_settings,
)

__all__ = [
    "ChatSettings",
    "ConfigError",
    "DiscordSettings",
    "LoggingSettings",
    "Settings",
    "SlackSettings",
    "StorageSettings",
    "SummarizerSettings",
    "load_settings",
]
