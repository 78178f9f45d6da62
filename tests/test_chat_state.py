"""What chat remembers lives where every instance sees it: Slack's retried events are answered once by
the whole deployment, and ``more`` continues a search on another instance or after a restart, until
it expires. Both databases; Slack driven through signed requests to two Bolt apps (two instances)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core import CommandCore, Incoming, SearchReply, TextReply
from storage import chat_state
from storage.documents import Document
from storage.models import ChatEventRow
from tests.harness_slack import JSON, mention_event, open_harness
from tests.slack_api import BOT_USER_ID
from tests.storage_backends import Clock, database_url
from tests.test_delivery import samples
from tests.test_feed_claims import instance


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


async def test_a_retried_event_reaching_another_instance_is_not_answered_again(url: str) -> None:
    first, second = instance(url), instance(url)
    event = json.dumps(mention_event(f"<@{BOT_USER_ID}> help", event_id="EvShared1"))
    async with open_harness(CommandCore(store=first)) as one, open_harness(CommandCore(store=second)) as two:
        [answer] = await one.answers_to(event, JSON)
        assert "brief" in answer.posted().text  # the help text
        retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = await two.post(event, JSON, headers=retry)  # Slack's retry lands elsewhere
        assert status == 200
        await asyncio.sleep(0.5)  # time for an answer, were one coming
        assert two.core.incoming == [] and two.api.delivered() == []
        # A different event on the second instance is answered as usual.
        new_event = json.dumps(mention_event(f"<@{BOT_USER_ID}> help", event_id="EvNew"))
        [other] = await two.answers_to(new_event, JSON)
        assert other.method == "chat.postEphemeral"  # help is for the asker


def many_stories() -> list[Document]:
    """Twelve stored stories that all match "harbour": more than two pages of search."""
    base = samples()[0].text
    return [
        Document(
            location=f"harbour-{n}",
            title=f"Harbour report {n}",
            text=f"The harbour authority published report {n} on Tuesday. {base}\n\nReport number {n}.",
            url=f"https://news.example/harbour-{n}",
        )
        for n in range(12)
    ]


async def test_more_continues_a_search_on_another_instance_and_forgets_it_after_a_day(url: str) -> None:
    clock = Clock()
    left, right = instance(url, clock), instance(url, clock)
    left.ingest(many_stories())
    asker = Incoming(platform="slack", channel="C1", user="U1", text="search harbour")
    [first] = await CommandCore(store=left).handle(asker)
    assert isinstance(first, SearchReply) and first.page == 1 and first.has_more
    more = Incoming(platform="slack", channel="C1", user="U1", text="more")
    [second] = await CommandCore(store=right).handle(more)  # another instance, or this one restarted
    assert isinstance(second, SearchReply) and second.page == 2
    assert {h.article.id for h in second.hits}.isdisjoint(h.article.id for h in first.hits)
    someone_else = Incoming(platform="slack", channel="C1", user="U2", text="more")
    [nothing] = await CommandCore(store=right).handle(someone_else)
    assert isinstance(nothing, TextReply) and "Nothing to continue" in nothing.text
    clock.now += chat_state.PAGE_TTL + timedelta(minutes=1)
    [expired] = await CommandCore(store=left).handle(more)
    assert isinstance(expired, TextReply) and "Nothing to continue" in expired.text


def test_an_event_is_new_once_per_expiry_and_old_rows_are_cleared(url: str) -> None:
    clock = Clock()
    store = instance(url, clock)
    assert chat_state.first_time(store, "slack:Ev1")
    assert not chat_state.first_time(instance(url, clock), "slack:Ev1")
    clock.now += chat_state.EVENT_TTL + timedelta(seconds=1)
    assert chat_state.first_time(store, "slack:Ev2")  # and Ev1's row is gone with the write
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ChatEventRow)) == 1
