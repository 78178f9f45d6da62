"""Tokens and signing secrets never appear in what briefbot writes: a whole session with known fake
secrets in the environment, at DEBUG, through the CLI (``--json`` included), the console chat and
``briefbot run`` serving signed and forged Slack requests against the loopback Web API; then every
byte written (stdout, stderr, the store's file) is searched for them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.cli import samples_dir
from tests.harness_slack import command_body, signed_headers
from tests.slack_api import fake_slack_api

BOT = [sys.executable, "-m", "bot.cli"]
SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-KNOWN-bot-token-4f1c9a",
    "SLACK_SIGNING_SECRET": "KNOWNsigningsecret77e1",
    "SLACK_APP_TOKEN": "xapp-KNOWN-app-token-93b2",
    "DISCORD_BOT_TOKEN": "KNOWN.discord.token.5e8d0c",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_no_secret_is_written_anywhere_in_a_whole_session(tmp_path: Path) -> None:
    written: list[str] = []
    with fake_slack_api() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))}
        env.update(
            SECRETS,
            BRIEFBOT_DATA_DIR=str(tmp_path),
            BRIEFBOT_LOGGING_LEVEL="DEBUG",
            BRIEFBOT_SLACK_API_URL=api.base_url,
        )
        without_discord = {k: v for k, v in env.items() if k != "DISCORD_BOT_TOKEN"}

        def run(*args: str, stdin: str | None = None, environment: dict[str, str] = env) -> None:
            done = subprocess.run(
                [*BOT, *args], env=environment, input=stdin, capture_output=True, text=True, timeout=300
            )
            written.extend((done.stdout, done.stderr))

        run("ingest", str(samples_dir()), "--json")
        run("search", "port strike", "--json")
        run("ask", "Who leads the dockworkers?", "--json")
        run("articles", "--json")
        run(
            "chat",
            stdin="help\nbrief 1\nsubscribe 07:30 Nowhere/Zone\ndigest now\nsearch x since:999999999d\n",
        )
        run("run", "--once", environment={**without_discord, "BRIEFBOT_SLACK_MODE": "http"})

        port = free_port()
        serving = subprocess.Popen(
            [*BOT, "run"],
            env={**without_discord, "BRIEFBOT_SLACK_MODE": "http", "BRIEFBOT_SLACK_PORT": str(port)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and serving.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.2)
            body = command_body("help")
            form = {"Content-Type": "application/x-www-form-urlencoded"}
            signed = signed_headers(body, secret=SECRETS["SLACK_SIGNING_SECRET"])
            assert post(url, body, {**form, **signed}) == 200
            assert post(url, body, {**form, **signed_headers(body, secret="forged")}) == 401
            assert api.wait_for(lambda fake: bool(fake.calls("chat.postEphemeral")), 30)
        finally:
            serving.send_signal(signal.SIGTERM)
            out, err = serving.communicate(timeout=60)
            written.extend((out, err))
    written.extend(path.read_bytes().decode("latin-1") for path in tmp_path.rglob("*") if path.is_file())
    assert any("briefbot: running slack" in text for text in written), "the bot did serve"
    assert any(" DEBUG slack_sdk" in text for text in written), "and the libraries logged at DEBUG"
    for name, secret in SECRETS.items():
        leaks = [
            text[max(0, text.find(secret) - 80) : text.find(secret) + 40]
            for text in written
            if secret in text
        ]
        assert leaks == [], f"{name} was written: {leaks[:1]}"
