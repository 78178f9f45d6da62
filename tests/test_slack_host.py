"""Slack's HTTP mode listens where ``slack.host`` says: behind a proxy on the same machine, only there."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import cast

from bot.adapters.slack_app import run_slack
from bot.core import CommandCore
from bot.secrets import Secrets
from config import SlackSettings
from tests.slack_api import fake_slack_api


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def answers(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def test_http_mode_listens_on_the_configured_address_only() -> None:
    port = free_port()
    settings = SlackSettings(mode="http", host="127.0.0.1", port=port)
    secrets = Secrets(slack_bot_token="xoxb-test-token", slack_signing_secret="s3cret")
    core = cast(CommandCore, object())  # never asked: no request is sent
    with fake_slack_api() as api:
        serving = asyncio.ensure_future(run_slack(core, settings, secrets, client=api.client()))
        try:
            for _ in range(200):  # until the server is up (it starts within milliseconds)
                if await answers("127.0.0.1", port) or serving.done():
                    break
                await asyncio.sleep(0.05)
            assert await answers("127.0.0.1", port)
            # Linux routes all of 127.0.0.0/8 to loopback: a server on every address would answer here.
            assert not await answers("127.0.0.2", port)
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await serving
