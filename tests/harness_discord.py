"""The Discord adapter driven as Discord drives it: typed interaction payloads in, HTTP calls out.

The real client logs in against the loopback fake of Discord's API (``tests/discord_api.py``) but never
opens the gateway. A command line such as ``subscribe 07:30 Europe/Berlin`` becomes the payload
Discord would send for ``/subscribe time:07:30 timezone:Europe/Berlin`` (an APPLICATION_COMMAND
interaction, type 2, with the member's permissions in the channel), and is handed to
``ConnectionState.parse_interaction_create``, the method the gateway calls for INTERACTION_CREATE.
``send`` returns once discord.py reports the command complete (``app_command_completion``), by
which time every response and followup has reached the fake, and reads back what the channel shows.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from bot.adapters.discord_bot import BriefbotClient, DiscordPoster, build_client
from bot.core import CommandCore
from config import DiscordSettings
from tests.chat_harness import Posted
from tests.discord_api import FakeDiscordAPI, Shown, serve_discord_api

if TYPE_CHECKING:
    from discord.types.interactions import (
        ApplicationCommandInteraction,
        ApplicationCommandInteractionDataOption,
    )

GUILD_ID = 1_300_000_000_000_000_001
CHANNEL_ID = 1_300_000_000_000_000_002
USER_ID = 1_300_000_000_000_000_003
STRING, BOOLEAN = 3, 5  # application command option types
APPLICATION_COMMAND, AUTOCOMPLETE = 2, 4  # interaction types
VIEW_CHANNEL, SEND_MESSAGES, MANAGE_CHANNELS = 1 << 10, 1 << 11, 1 << 4
MEMBER = VIEW_CHANNEL | SEND_MESSAGES
TIMEOUT = 30.0
TOKEN = "harness-bot-token"

_tokens = itertools.count(1)


def slash_command(text: str) -> tuple[str, dict[str, str | bool]]:
    """The slash command and options a user fills in to mean ``text`` (the core's command line)."""
    name, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if name in {"help", "more", "unsubscribe"}:
        return name, {}
    if name in {"brief", "search", "ask"}:
        option = {"brief": "article", "search": "query", "ask": "question"}[name]
        return name, {option: rest} if rest else {}
    if name == "digest":
        return name, {"now": True} if rest == "now" else {}
    if name == "subscribe":
        options: dict[str, str | bool] = {}
        for part in rest.split():
            if part.lower() in {"quiet", "quiet:on", "quiet:off"}:
                options["quiet"] = part.lower() != "quiet:off"
            elif part.lower().startswith("chart:"):
                options["chart"] = part.lower().removeprefix("chart:")
            else:
                options["time" if part[0].isdigit() else "timezone"] = part
        return name, options
    if name == "actor":
        words = [w for w in rest.split() if not w.startswith(("since:", "until:"))]
        when = {
            w.split(":", 1)[0]: w.split(":", 1)[1] for w in rest.split() if w.startswith(("since:", "until:"))
        }
        return name, {**({"name": " ".join(words)} if words else {}), **when}
    if name == "trending":
        return name, {"period": rest} if rest else {}
    if name == "sources":
        action, _, target = rest.partition(" ")
        return name, {"action": action or "list", **({"target": target.strip()} if target.strip() else {})}
    raise ValueError(f"no slash command for {text!r}")


def interaction_payload(
    name: str,
    options: dict[str, str | bool],
    *,
    manager: bool = False,
    kind: int = APPLICATION_COMMAND,
    focused: str | None = None,
    interaction_id: int,
    application_id: int,
) -> ApplicationCommandInteraction:
    """An INTERACTION_CREATE payload as Discord sends it for a slash command in a guild text channel.

    ``member.permissions`` is the member's resolved permission set in the channel, a bitfield as a
    string; Manage Channels (1 << 4) is what makes the asker a manager.
    """
    if focused is not None and focused not in options:
        options = {**options, focused: ""}  # the field the user has started on, still empty
    data_options: list[ApplicationCommandInteractionDataOption] = []
    for option, value in options.items():
        entry: dict[str, Any] = {
            "type": BOOLEAN if isinstance(value, bool) else STRING,
            "name": option,
            "value": value,
        }
        if option == focused:
            entry["focused"] = True
        data_options.append(entry)  # type: ignore[arg-type]
    permissions = MEMBER | (MANAGE_CHANNELS if manager else 0)
    return {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": kind,  # type: ignore[typeddict-item]
        "token": f"interaction-token-{next(_tokens)}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
        "channel_id": str(CHANNEL_ID),
        "channel": {
            "id": str(CHANNEL_ID),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": "newsroom",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        },
        "member": {
            "user": {
                "id": str(USER_ID),
                "username": "reader",
                "discriminator": "0",
                "global_name": "Reader",
                "avatar": None,
            },
            "roles": [],
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        },
        "app_permissions": str(MEMBER | (1 << 14)),  # and Embed Links
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
        "data": {
            "id": str(interaction_id + 1),
            "name": name,
            "type": 1,
            "options": data_options,
        },
    }


def flatten(shown: Shown) -> str:
    """A message's visible text: its content, then each embed's title, description, fields and footer."""
    parts = [shown.content] if shown.content else []
    for embed in shown.embeds:
        parts.extend(embed[key] for key in ("title", "description") if embed.get(key))
        parts.extend(f"{f['name']}: {f['value']}" for f in embed.get("fields", []))
        if embed.get("footer"):
            parts.append(embed["footer"]["text"])
    return "\n".join(parts)


class DiscordHarness:
    platform = "discord"

    def __init__(self, client: BriefbotClient, api: FakeDiscordAPI) -> None:
        self.client = client
        self.api = api
        self.posters: list[DiscordPoster] = []

    def poster(self) -> DiscordPoster:
        """The scheduler's real Discord poster on the fake API, as ``briefbot run`` gives the deliverer;
        what it posts to the channel while a command is answered is part of that command's answer."""
        self.posters.append(DiscordPoster(TOKEN))
        return self.posters[-1]

    def payload(
        self, text: str, *, manager: bool = False, kind: int = APPLICATION_COMMAND, focused: str | None = None
    ) -> ApplicationCommandInteraction:
        name, options = slash_command(text)
        return interaction_payload(
            name,
            options,
            manager=manager,
            kind=kind,
            focused=focused,
            interaction_id=self.api.next_id(),
            application_id=self.api.application_id,
        )

    def dispatch(self, payload: ApplicationCommandInteraction) -> None:
        """Deliver the payload as the gateway does for an INTERACTION_CREATE event."""
        self.client._connection.parse_interaction_create(payload)

    async def run(self, payload: ApplicationCommandInteraction) -> list[Shown]:
        """Dispatch a command and wait until discord.py reports it complete."""
        interaction_id = int(payload["id"])
        done = asyncio.ensure_future(
            self.client.wait_for(
                "app_command_completion",
                check=lambda interaction, command: interaction.id == interaction_id,
                timeout=TIMEOUT,
            )
        )
        await asyncio.sleep(0)  # let the listener register before the command can complete
        self.dispatch(payload)
        try:
            await done
        except TimeoutError:
            raise AssertionError(
                f"/{payload['data']['name']} did not complete; the fake saw {self.api.calls()}"
            ) from None
        return self.api.shown(payload["token"])

    def link(self, url: str) -> str:
        return f"<{url}>"  # how a Discord user posts a link without its preview

    async def send(self, text: str, *, manager: bool = False) -> list[Posted]:
        before = len(self.api.posted(CHANNEL_ID))
        answered = await self.run(self.payload(text, manager=manager))
        posted = [
            Shown(
                content=call.body.get("content") or "",
                embeds=tuple(call.body.get("embeds") or ()),
                private=False,
            )
            for call in self.api.posted(CHANNEL_ID)[before:]
        ]
        shown = posted + answered
        return [
            Posted(text=flatten(s), private=s.private, bold=tuple(re.findall(r"\*\*(.+?)\*\*", flatten(s))))
            for s in shown
        ]


@asynccontextmanager
async def open_harness(
    core: CommandCore, *, api: FakeDiscordAPI | None = None, settings: DiscordSettings | None = None
) -> AsyncIterator[DiscordHarness]:
    """A logged-in client (REST only, no gateway) against the fake API; one is started unless given."""
    async with AsyncExitStack() as stack:
        if api is None:
            api = stack.enter_context(serve_discord_api())
        client = build_client(core, settings=settings or DiscordSettings())
        await stack.enter_async_context(client)
        await client.login(TOKEN)
        harness = DiscordHarness(client, api)
        try:
            yield harness
        finally:
            for poster in harness.posters:
                await poster.close()
