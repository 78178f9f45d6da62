"""slack-app-manifest.yml against the Bolt app ``build_app`` makes: the same command, events and scopes.

A user creates the Slack app by pasting the manifest, so a listener the manifest lacks never fires
(Slack sends nothing for it) and a scope it lacks fails at the call. Each side is checked against the
other: every request the manifest lets Slack send must reach one of the app's listeners, and every
listener must be reached by one of those requests (or, for a button, by a click on a button the
bot renders), so a listener added without its manifest line fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_app import COMMAND, FILES_SCOPE, SLACK_SCOPES, build_app, share_button
from bot.core import CommandCore
from bot.core.commands import BY_NAME
from bot.render.blocks import actor_buttons
from bot.secrets import Secrets
from config import SlackSettings

MANIFEST = Path(__file__).resolve().parent.parent / "slack-app-manifest.yml"
TEAM = "T0BRIEF"
# What an event type asks of the bot token before Slack delivers it (Slack's event reference).
EVENT_SCOPES = {"app_mention": "app_mentions:read"}

Body = dict[str, Any]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text("utf-8"))
    return loaded


@pytest.fixture
def app() -> AsyncApp:
    core = CommandCore.__new__(CommandCore)  # never called: only the listeners' matchers are read
    secrets = Secrets(slack_bot_token="xoxb-test-token", slack_app_token="xapp-test-token")
    return build_app(
        core, settings=SlackSettings(), secrets=secrets, client=AsyncWebClient(token="xoxb-test-token")
    )


def slash_command(command: str) -> Body:
    return {"command": command, "text": "help", "team_id": TEAM, "channel_id": "C1", "user_id": "U1"}


def event(event_type: str) -> Body:
    return {
        "type": "event_callback",
        "team_id": TEAM,
        "event_id": "Ev1",
        "event": {"type": event_type, "user": "U1", "channel": "C1", "text": "hi", "ts": "1.2"},
    }


def shortcut(entry: dict[str, Any]) -> Body:
    kind = "message_action" if entry.get("type") == "message" else "shortcut"
    return {"type": kind, "callback_id": entry["callback_id"], "team": {"id": TEAM}, "user": {"id": "U1"}}


def click(element: dict[str, Any], block_id: str) -> Body:
    """A ``block_actions`` payload as Slack sends it for a click on ``element``."""
    action = {"action_id": element["action_id"], "block_id": block_id, "type": element["type"]}
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "actions": [{**action, "value": element.get("value", "")}],
    }


def rendered_clicks() -> list[Body]:
    """A click on every interactive element the bot renders (a digest's actor buttons, and the
    "Share in channel" button under a brief answered to a "Brief this" shortcut)."""
    actors = actor_buttons(("Bashar al-Assad", "Hezbollah"))
    assert actors is not None
    blocks = (actors, share_button(7))
    return [click(element, block["block_id"]) for block in blocks for element in block["elements"]]


async def reached(app: AsyncApp, body: Body) -> list[int]:
    """Which of the app's listeners (by place) a request with ``body`` reaches."""
    request = AsyncBoltRequest(body=body, mode="socket_mode")
    response = BoltResponse(status=200)
    return [
        number
        for number, listener in enumerate(app._async_listeners)
        if await listener.async_matches(req=request, resp=response)
    ]


def manifest_requests(manifest: dict[str, Any]) -> dict[str, Body]:
    """Every kind of request the manifest lets Slack send, by a readable name."""
    features, settings = manifest["features"], manifest["settings"]
    requests = {f"command {c['command']}": slash_command(c["command"]) for c in features["slash_commands"]}
    requests |= {f"event {e}": event(e) for e in settings["event_subscriptions"]["bot_events"]}
    requests |= {f"shortcut {s['callback_id']}": shortcut(s) for s in features.get("shortcuts", [])}
    return requests


async def test_every_request_the_manifest_allows_reaches_a_listener(
    app: AsyncApp, manifest: dict[str, Any]
) -> None:
    requests = manifest_requests(manifest)
    assert {"command /briefbot", "event app_mention"} <= set(requests)
    unanswered = [name for name, body in requests.items() if not await reached(app, body)]
    assert unanswered == []


async def test_every_listener_is_reached_by_the_manifest_or_a_rendered_button(
    app: AsyncApp, manifest: dict[str, Any]
) -> None:
    hit: set[int] = set()
    for body in manifest_requests(manifest).values():
        hit.update(await reached(app, body))
    for body in rendered_clicks():
        hit.update(await reached(app, body))
    assert app._async_listeners  # /briefbot, app_mention, the actor buttons, Brief this, sharing
    assert hit == set(range(len(app._async_listeners)))


async def test_interactivity_is_on_exactly_when_a_listener_answers_clicks(
    app: AsyncApp, manifest: dict[str, Any]
) -> None:
    clicked = [await reached(app, body) for body in rendered_clicks()]
    assert clicked and all(clicked)  # each button the bot renders is answered
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    stray = click({"action_id": "someone_elses_button", "type": "button"}, "other")
    assert await reached(app, stray) == []


async def test_a_command_or_event_left_out_of_the_manifest_is_not_answered(app: AsyncApp) -> None:
    """The matchers are specific: the cross-checks above would miss nothing they do not match."""
    assert await reached(app, slash_command("/other")) == []
    assert await reached(app, event("message")) == []
    assert await reached(app, slash_command(COMMAND)) != []


def test_the_scopes_are_those_the_code_lists_and_cover_its_events(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == set(SLACK_SCOPES)
    assert FILES_SCOPE in scopes and "chat:write" in scopes
    assert "commands" in scopes  # a slash command is installed only with it
    for name in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert EVENT_SCOPES[name] in scopes, name
    assert "user" not in manifest["oauth_config"]["scopes"]  # briefbot acts as its bot alone


def test_the_slash_command_is_the_codes_with_a_hint_of_real_commands(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["description"] and len(command["description"]) <= 100
    hinted = [part.split()[0] for part in command["usage_hint"].split("|")]
    assert hinted and all(word in BY_NAME for word in hinted), hinted
    assert "url" not in command  # Socket Mode: a URL here is HTTP mode's, and the comment says so
    assert "bot_user" in manifest["features"]


def test_socket_mode_by_default_and_the_http_lines_named_with_the_configured_path(
    manifest: dict[str, Any],
) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is (SlackSettings().mode == "socket")
    assert settings["org_deploy_enabled"] is False and settings["token_rotation_enabled"] is False
    assert "request_url" not in settings["event_subscriptions"]
    comments = "\n".join(line for line in MANIFEST.read_text("utf-8").splitlines() if line.startswith("#"))
    url = f"https://YOUR_HOST{SlackSettings().path}"
    assert "socket_mode_enabled: false" in comments
    assert len(re.findall(rf"(?:url|request_url): {re.escape(url)}", comments)) == 3


def test_the_readme_names_every_scope_and_the_manifest() -> None:
    readme = (MANIFEST.parent / "README.md").read_text("utf-8")
    section = readme.split("## Connect a Slack app", 1)[1].split("\n## ", 1)[0]
    assert "From an app manifest" in section and MANIFEST.name in section
    for scope in SLACK_SCOPES:
        assert f"`{scope}`" in section, scope
