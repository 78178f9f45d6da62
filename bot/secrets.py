"""Chat tokens, read from the environment only (never from the settings file, never logged)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

SLACK_BOT_TOKEN = "SLACK_BOT_TOKEN"  # xoxb-..., OAuth & Permissions
SLACK_APP_TOKEN = "SLACK_APP_TOKEN"  # xapp-..., Socket Mode (connections:write)
SLACK_SIGNING_SECRET = "SLACK_SIGNING_SECRET"  # Basic Information; verifies HTTP-mode requests
DISCORD_BOT_TOKEN = "DISCORD_BOT_TOKEN"  # Bot page of the Discord application


@dataclass(frozen=True, slots=True, kw_only=True)
class Secrets:
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    discord_bot_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            slack_bot_token=get(SLACK_BOT_TOKEN),
            slack_app_token=get(SLACK_APP_TOKEN),
            slack_signing_secret=get(SLACK_SIGNING_SECRET),
            discord_bot_token=get(DISCORD_BOT_TOKEN),
        )

    def slack_missing(self, mode: str) -> list[str]:
        """The variables Slack still needs in ``mode`` (socket or http)."""
        needed = {SLACK_BOT_TOKEN: self.slack_bot_token}
        if mode == "socket":
            needed[SLACK_APP_TOKEN] = self.slack_app_token
        else:
            needed[SLACK_SIGNING_SECRET] = self.slack_signing_secret
        return [name for name, value in needed.items() if not value]
