"""More commands than an instance can answer at once (``chat.max_pending``): the one more is told at
once that nothing was done, the ones already taken are answered, and the next command after them is
served as usual."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.core import CommandCore, Incoming, TextReply
from bot.core.commands import BUSY
from config import StorageSettings
from storage.db import open_database
from storage.store import Store
from tests import loopback
from tests.test_delivery import samples

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name


def incoming(text: str, user: str = "U1") -> Incoming:
    return Incoming(platform="console", channel="C1", user=user, text=text)


def test_past_max_pending_a_command_is_answered_busy_at_once(
    tmp_path: Path,
    loopback_server: loopback.LoopbackServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'b.db'}")
    store = Store(engine=engine, sessions=sessions)
    [stored] = store.ingest([samples()[0]])
    assert stored.article is not None
    slow = loopback_server.reply("/slow", "<html><p>Late.</p></html>", delay=30)  # until released
    core = CommandCore(
        store=store, storage_settings=StorageSettings(allow_hosts=("127.0.0.1",)), max_pending=2
    )

    async def scenario() -> tuple[list[list[str]], list[str], list[str]]:
        held = [asyncio.ensure_future(core.handle(incoming(f"brief {slow}", f"U{n}"))) for n in (1, 2)]
        while loopback_server.count("/slow") < 2:  # both taken and waiting on the page
            await asyncio.sleep(0.01)
        with caplog.at_level(logging.WARNING, logger="briefbot.commands"):
            turned_away = await asyncio.wait_for(core.handle(incoming("search aleppo", "U3")), 5)
        loopback_server.released.set()
        answered = await asyncio.gather(*held)
        after = await core.handle(incoming("search aleppo", "U4"))
        return (
            [[r.text for r in replies if isinstance(r, TextReply)] for replies in answered],
            [r.text for r in turned_away if isinstance(r, TextReply)],
            [type(r).__name__ for r in after],
        )

    answered, turned_away, after = asyncio.run(scenario())
    assert turned_away == [BUSY]
    assert all(BUSY not in texts for texts in answered)  # the two taken were answered, not turned away
    assert after == ["SearchReply"]
    assert '1 command(s) answered "busy": 2 already being answered (chat.max_pending)' in caplog.text
