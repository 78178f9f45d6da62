"""Discord payloads with missing or odd fields, through the real discord.py client and the adapter.

Each INTERACTION_CREATE is a well-formed slash command (``tests/harness_discord.py``) that hypothesis
then damages: options left out, of the wrong type, huge or in any script; unknown command names;
member, user, guild or channel missing; fields Discord always sends removed or given odd values. It
is handed to the client's gateway parser, as ``DiscordWebSocket.received_message`` hands it, and
whatever the adapter answers must be one line; then a well-formed ``/help`` must still get its
answer, so the adapter never died. The client logs in against the loopback fake of Discord's API
(``tests/discord_api.py``); the store is an empty SQLite one (every answer is then short), checked
for integrity afterwards.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from bot.core import CommandCore
from storage.store import Store
from tests.discord_api import FakeDiscordAPI, serve_discord_api
from tests.harness_discord import DiscordHarness, flatten, open_harness
from tests.storage_backends import assert_intact, stores

COMMANDS = ["brief", "search", "more", "ask", "digest", "subscribe", "unsubscribe", "sources", "help"]
OPTIONS = ["article", "query", "question", "now", "time", "timezone", "quiet", "action", "target"]
SETTLE = 20.0  # seconds the commands of one payload may take before the test gives up on them
HUGE = "x" * 100_000

odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            HUGE,
            "ブリーフ 日本語",
            "\u202e\u0000\ufeff",
            "@everyone <@1> <#2> <@&3>",
            "```" * 50,
            "9" * 400,
            "since:99999999y",
            "07:30",
            "Etc/GMT+99",
            "http://127.0.0.1:9/feed.xml",  # refused by the network guard: nothing leaves the machine
        ]
    ),
)
odd_values = st.one_of(
    odd_text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
option_types = st.one_of(st.integers(min_value=-1, max_value=12), st.sampled_from([99, "3", None, 3.5]))


@st.composite
def odd_option(draw: st.DrawFn) -> Any:
    option: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        option["name"] = draw(st.one_of(st.sampled_from(OPTIONS), st.sampled_from(OPTIONS), odd_text))
    if draw(st.integers(0, 9)):
        option["type"] = draw(st.one_of(st.sampled_from([3, 5]), option_types))
    if draw(st.integers(0, 9)):
        option["value"] = draw(odd_values)
    if draw(st.integers(0, 3)) == 0:
        option["focused"] = draw(st.one_of(st.booleans(), odd_values))
    if draw(st.integers(0, 5)) == 0:
        option["options"] = draw(st.lists(st.builds(dict), max_size=2))
    return draw(st.one_of(st.just(option), st.just(option), odd_values))


@st.composite
def damaged(draw: st.DrawFn) -> dict[str, Any]:
    """How to damage a slash command's payload: fields to drop, to replace, and its command data."""
    top = ["id", "application_id", "type", "token", "version", "guild_id", "guild", "channel_id"]
    top += ["channel", "member", "app_permissions", "locale", "guild_locale", "data", "context"]
    top += ["entitlements", "authorizing_integration_owners", "attachment_size_limit"]
    member = ["user", "roles", "joined_at", "permissions", "flags", "deaf", "mute"]
    # Mostly one thing wrong with an otherwise real slash command, so that most reach a command.
    few = st.integers(0, 3).map(lambda n: max(0, n - 1))  # 0 most of the time
    commands = st.sampled_from(COMMANDS)
    options = st.lists(odd_option(), max_size=4)
    return {
        "name": draw(st.one_of(commands, commands, st.sampled_from(["nope", "", "help " * 30]), odd_text)),
        "options": draw(st.one_of(options, options, odd_values)),
        "drop": draw(st.lists(st.sampled_from(top), max_size=draw(few), unique=True)),
        "drop_member": draw(st.lists(st.sampled_from(member), max_size=draw(few), unique=True)),
        "replace": draw(st.dictionaries(st.sampled_from(top), odd_values, max_size=draw(few))),
        "permissions": draw(
            st.one_of(st.none(), st.none(), st.sampled_from(["abc", "-1", "9" * 30, "", "16"]))
        ),
        "user_instead_of_member": draw(st.integers(0, 5)) == 0,
        "kind": draw(st.sampled_from([2, 2, 2, 2, 2, 2, 4, 1, 3, 5, 99])),
    }


# No damage at all: the examples below change one thing of it.
INTACT: dict[str, Any] = {
    "name": "help",
    "options": [],
    "drop": [],
    "drop_member": [],
    "replace": {},
    "permissions": None,
    "user_instead_of_member": False,
    "kind": 2,
}


def build(harness: DiscordHarness, damage: dict[str, Any]) -> dict[str, Any]:
    """A well-formed ``/help`` payload (fresh id and token), damaged as ``damage`` says."""
    payload: dict[str, Any] = copy.deepcopy(dict(harness.payload("help")))
    payload["type"] = damage["kind"]
    payload["data"]["name"] = damage["name"]
    payload["data"]["options"] = damage["options"]
    member = payload["member"]
    for key in damage["drop_member"]:
        member.pop(key, None)
    if damage["permissions"] is not None:
        member["permissions"] = damage["permissions"]
    if damage["user_instead_of_member"]:
        payload["user"] = payload.pop("member").get("user")  # as in a DM, or half of it
    for key in damage["drop"]:
        payload.pop(key, None)
    payload.update(damage["replace"])
    return payload


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Each database: PostgreSQL refuses what SQLite stores (a NUL in a text)."""
    for store in stores(request.param, tmp_path_factory.mktemp(f"fuzz-discord-{request.param}")):
        yield store
        assert_intact(store)


@pytest.fixture(scope="module")
def api() -> Iterator[FakeDiscordAPI]:
    with serve_discord_api() as fake:
        yield fake


@pytest.fixture
async def harness(store: Store, api: FakeDiscordAPI) -> AsyncIterator[DiscordHarness]:
    async with open_harness(CommandCore(store=store), api=api) as opened:
        yield opened


async def settle() -> list[asyncio.Task[Any]]:
    """Wait until the commands the client started have finished; they are returned."""
    started: list[asyncio.Task[Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE
    while True:
        pending = [t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker" and not t.done()]
        started += [t for t in pending if t not in started]
        if not pending:
            return started
        left = deadline - loop.time()
        assert left > 0, f"commands still running after {SETTLE} s: {pending}"
        await asyncio.wait(pending, timeout=left)


def one_line(shown_text: str) -> bool:
    """An answer of one line; or the help, the one answer of many lines (a line for each command)."""
    return shown_text.startswith("Commands:\n") or (bool(shown_text.strip()) and "\n" not in shown_text)


async def deliver(harness: DiscordHarness, payload: dict[str, Any]) -> list[BaseException]:
    """Hand the payload to the client as its gateway does for an INTERACTION_CREATE event; the errors
    of the commands it started that discord.py could not even dispatch are returned."""
    harness.client._connection.parsers["INTERACTION_CREATE"](payload)
    return [error for task in await settle() if not task.cancelled() and (error := task.exception())]


# Tried on every run besides the random ones: the two payloads that stopped the adapter (no id;
# permissions that are no number), and one of each kind of damage.
@example(damage={**INTACT, "name": "brief", "drop": ["id"]})
@example(damage={**INTACT, "name": "digest", "permissions": "abc"})
@example(damage=INTACT)
@example(damage={**INTACT, "name": "nope"})
@example(damage={**INTACT, "name": "brief", "drop": ["member"]})
@example(damage={**INTACT, "name": "search", "options": [{"name": "query", "type": 3, "value": 12}]})
@example(damage={**INTACT, "name": "ask", "options": [{"name": "question", "type": 3, "value": HUGE}]})
@example(damage={**INTACT, "name": "digest", "options": [{"name": "now", "type": 5, "value": "yes"}]})
@example(damage={**INTACT, "name": "subscribe", "user_instead_of_member": True, "drop": ["guild_id"]})
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=damaged())
async def test_odd_interactions_never_stop_the_adapter_and_any_answer_is_one_line(
    harness: DiscordHarness, damage: dict[str, Any]
) -> None:
    payload = build(harness, damage)
    undispatched = await deliver(harness, payload)
    token = payload.get("token")
    shown = harness.api.shown(token) if isinstance(token, str) else []
    for message in shown:
        assert one_line(flatten(message)), (json.dumps(damage, default=str)[:500], flatten(message)[:500])
    event("answered" if shown else "not answered")
    for error in undispatched:  # discord.py gave up on it before any command of ours ran
        event(f"not dispatched: {type(error).__name__}")
    # The adapter lives on: the next well-formed command gets its answer.
    answer = await harness.run(harness.payload("help"))
    assert answer and flatten(answer[0]).startswith("Commands:")


async def test_an_interaction_discord_py_cannot_read_is_dropped_with_a_log_line(
    harness: DiscordHarness, caplog: pytest.LogCaptureFixture
) -> None:
    payload = build(harness, {**INTACT, "name": "search", "drop": ["id"]})
    await deliver(harness, payload)  # before: KeyError out of the gateway's parser, ending connect()
    [record] = [r for r in caplog.records if r.name == "bot.adapters.discord_bot"]
    assert record.levelname == "WARNING"
    assert record.getMessage() == "ignored an interaction discord.py could not read (KeyError: 'id')"
    assert harness.api.shown(payload["token"]) == []
    answer = await harness.run(harness.payload("search anything"))
    assert [flatten(a) for a in answer] == ["Nothing stored matches “anything”."]
