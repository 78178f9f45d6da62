"""A file shared in chat, briefed: on Slack in a message mentioning the bot, on Discord ``/brief file:``.

Slack: a really signed ``app_mention`` event carrying ``files`` reaches the real Bolt app, which
downloads the file from the loopback Web API (:mod:`tests.slack_api`) with its bot token and posts
the brief in the message's thread. Discord: the real discord.py client gets an APPLICATION_COMMAND
interaction with an attachment option and reads the attachment from the fake's CDN path. The PDFs
are drawn with reportlab (``tests.test_office_documents``), not by the reader.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest

from bot.adapters.slack_app import download_allowed
from bot.core import CommandCore
from config import StorageSettings
from storage.db import open_database
from storage.store import Store
from summarizer import Summarizer
from tests import discord_api as fake_discord
from tests.discord_api import FakeDiscordAPI
from tests.harness_discord import flatten
from tests.harness_discord import open_harness as open_discord
from tests.harness_slack import JSON, mention_event, open_harness, signed_headers
from tests.slack_api import BOT_USER_ID, DOWNLOAD_METHOD, Call, FakeSlackApi
from tests.test_office_documents import OLD_WORD, TITLE, pdf_bytes

ATTACHMENT = 11  # application command option type
MAX_BYTES = 200_000
WAIT = 20.0

discord_api = fake_discord.discord_api


def report(place: str) -> bytes:
    """A three-page PDF report; ``place`` makes each test's text its own, so none is a duplicate."""
    return pdf_bytes(
        pages=(
            (f"The {place} harbour authority approved a second container berth on Tuesday.",),
            ("Cargo volumes rose by twelve percent last year, driven mostly by grain exports.",),
            ("The authority will publish its environmental monitoring data every quarter.",),
        )
    )


@pytest.fixture
def core(tmp_path: Path) -> CommandCore:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'briefbot.db'}")
    store = Store(engine=engine, sessions=sessions, summarizer=Summarizer())
    return CommandCore(store=store, storage_settings=StorageSettings(max_bytes=MAX_BYTES))


# -- Slack ------------------------------------------------------------------------------------------


@asynccontextmanager
async def slack_app(core: CommandCore) -> AsyncIterator[tuple[FakeSlackApi, str, aiohttp.ClientSession]]:
    """The harness's Bolt app over the fake Web API: the fake, the events URL, a session to post with."""
    async with open_harness(core) as harness:
        yield harness.api, harness.url, harness.session


async def mention_with(
    api: FakeSlackApi, url: str, session: aiohttp.ClientSession, file: dict[str, Any], event_id: str
) -> list[Call]:
    """``@briefbot`` in a message with ``file``, signed as Slack signs; the posts that answered it."""
    body = mention_event(f"<@{BOT_USER_ID}> brief this report", event_id=event_id)
    body["event"]["files"] = [file]
    text = json.dumps(body)
    headers = {"Content-Type": JSON, **signed_headers(text)}
    async with session.post(url, data=text.encode(), headers=headers) as response:
        assert response.status == 200
    await api.until(lambda fake: len(fake.delivered()) >= 1)
    return api.delivered()


async def test_slack_a_pdf_shared_in_a_mention_is_downloaded_with_the_token_and_briefed(
    core: CommandCore,
) -> None:
    async with slack_app(core) as (api, url, session):
        file = api.share_file("report.pdf", report("Slack"), mimetype="application/pdf")
        [brief, *_] = await mention_with(api, url, session, file, "Ev-file-pdf")
        [download] = api.calls(DOWNLOAD_METHOD)
    assert download.body["authorized"] is True  # the bot token went in Authorization
    assert brief.method == "chat.postMessage" and not brief.private
    assert brief.body["thread_ts"]  # in the message's thread
    assert TITLE in brief.posted().text


async def test_slack_a_file_over_the_cap_is_refused_in_one_line_without_a_download(core: CommandCore) -> None:
    async with slack_app(core) as (api, url, session):
        file = api.share_file("big.pdf", report("Big"), mimetype="application/pdf", size=MAX_BYTES + 1)
        [refusal] = await mention_with(api, url, session, file, "Ev-file-big")
        assert api.calls(DOWNLOAD_METHOD) == []
    assert refusal.private
    text = refusal.posted().text
    assert "larger than storage.max_bytes" in text and "\n" not in text


async def test_slack_a_file_url_on_another_host_is_not_fetched(core: CommandCore) -> None:
    async with slack_app(core) as (api, url, session):
        file = api.share_file("report.pdf", report("Forged"), mimetype="application/pdf")
        file["url_private_download"] = "https://files.example.com/steal-the-token/report.pdf"
        [refusal] = await mention_with(api, url, session, file, "Ev-file-forged")
        assert api.calls(DOWNLOAD_METHOD) == []
    assert refusal.private and "not a file on Slack's file host" in refusal.posted().text


async def test_slack_a_file_known_only_by_id_is_looked_up_with_files_info(core: CommandCore) -> None:
    async with slack_app(core) as (api, url, session):
        file = api.share_file("report.pdf", report("Lookup"), mimetype="application/pdf")
        [brief, *_] = await mention_with(
            api, url, session, {"id": file["id"], "file_access": "check_file_info"}, "Ev-file-info"
        )
        assert [c.body["file"] for c in api.calls("files.info")] == [file["id"]]
    assert TITLE in brief.posted().text


def test_the_token_goes_only_to_slack_hosts_over_https_or_the_api_origin() -> None:
    api = "http://127.0.0.1:8123/api/"
    assert download_allowed("https://files.slack.com/files-pri/T1-F1/download/a.pdf", api)
    assert download_allowed("http://127.0.0.1:8123/files-pri/T1-F1/download/a.pdf", api)
    assert not download_allowed("http://files.slack.com/files-pri/a.pdf", api)  # plain http
    assert not download_allowed("https://files.slack.com.evil.example/a.pdf", api)
    assert not download_allowed("https://evilslack.com/a.pdf", api)
    assert not download_allowed("http://127.0.0.1:9999/a.pdf", api)  # another port
    assert not download_allowed("https://user@files.slack.com/a.pdf", api)


# -- Discord ----------------------------------------------------------------------------------------


async def discord_brief_file(
    core: CommandCore, api: FakeDiscordAPI, filename: str, data: bytes, content_type: str
) -> list[str]:
    """``/brief file:<filename>`` as Discord sends it; each message shown, its visibility and text."""
    async with open_discord(core, api=api) as harness:
        attachment = api.attachment(filename, data, content_type=content_type)
        payload = cast(dict[str, Any], harness.payload("brief"))
        payload["data"]["options"] = [{"type": ATTACHMENT, "name": "file", "value": attachment["id"]}]
        payload["data"]["resolved"] = {"attachments": {attachment["id"]: attachment}}
        shown = await harness.run(cast(Any, payload))
    return [("private: " if s.private else "") + flatten(s) for s in shown]


async def test_discord_brief_with_an_attached_pdf_posts_its_brief(
    core: CommandCore, discord_api: FakeDiscordAPI
) -> None:
    [brief, *_] = await discord_brief_file(
        core, discord_api, "report.pdf", report("Discord"), "application/pdf"
    )
    assert not brief.startswith("private: ") and TITLE in brief


async def test_discord_an_html_file_named_pdf_gets_the_one_line_refusal(
    core: CommandCore, discord_api: FakeDiscordAPI
) -> None:
    page = b"<!DOCTYPE html><html><body><p>Not a report at all.</p></body></html>"
    [refusal] = await discord_brief_file(core, discord_api, "report.pdf", page, "application/pdf")
    assert refusal == "private: Could not read that file: report.pdf: named .pdf but looks like an HTML page"


async def test_discord_an_old_word_file_gets_the_one_line_refusal_saying_what_to_share(
    core: CommandCore, discord_api: FakeDiscordAPI
) -> None:
    [refusal] = await discord_brief_file(core, discord_api, "minutes.doc", OLD_WORD, "application/msword")
    assert refusal == (
        "private: Could not read that file: minutes.doc: an old Word 97-2003 (.doc) file: not read; "
        "save it as .docx or PDF"
    )
