"""``briefbot discord invite``: the URL a server admin opens, with exactly the permissions the bot needs."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.adapters.discord_bot import DISCORD_PERMISSIONS
from bot.cli import main

APP_ID = "1187654321098765432"


def bot_token(user_id: str) -> str:
    """A token shaped as Discord's: base64 of the bot's id, a timestamp part, an HMAC part."""
    return base64.b64encode(user_id.encode()).decode().rstrip("=") + ".GaBcDe.x9Yz-secret_part_0123456789"


def invite(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["discord", "invite", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_discord_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    monkeypatch.delenv("DISCORD_APPLICATION_ID", raising=False)


def test_the_url_asks_for_the_bot_and_its_commands_with_exactly_the_named_permissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = invite(capsys, "--application-id", APP_ID)
    assert code == 0
    url, *listed = out.splitlines()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    assert "scope=bot+applications.commands" in parts.query
    query = parse_qs(parts.query)
    assert query["client_id"] == [APP_ID]
    assert query["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    bits = [discord.Permissions(**{name: True}).value for name in DISCORD_PERMISSIONS]
    assert all(bit.bit_count() == 1 for bit in bits) and len(set(bits)) == len(bits)
    assert granted.value == sum(bits)  # the named permissions, each once, and no other
    # What the bot does needs these (digests, embeds, the chart); nothing lets it moderate or read.
    assert granted >= discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True, attach_files=True
    )
    assert not (granted.administrator or granted.manage_messages or granted.read_message_history)
    shown = {line.split()[0] for line in listed[1:]}
    assert shown == set(DISCORD_PERMISSIONS)  # each permission named beside the URL
    assert str(granted.value) in listed[0]


def test_the_id_is_read_from_the_bot_token_when_not_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = bot_token(APP_ID)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", token)
    code, out, _ = invite(capsys)
    assert code == 0
    assert parse_qs(urlsplit(out.splitlines()[0]).query)["client_id"] == [APP_ID]
    assert token.split(".", 1)[1] not in out  # only the id part is read, the secret never shown


def test_the_option_wins_over_the_environment_and_the_variable_over_the_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", bot_token("111111111111111111"))
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "222222222222222222")
    _, out, _ = invite(capsys)
    assert "client_id=222222222222222222&" in out
    _, out, _ = invite(capsys, "--application-id", "333333333333333333")
    assert "client_id=333333333333333333&" in out


def test_without_an_id_or_a_token_one_line_says_what_to_give(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invite(capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "--application-id" in err and "DISCORD_BOT_TOKEN" in err and "DISCORD_APPLICATION_ID" in err


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("DISCORD_BOT_TOKEN", "not-a-token", "DISCORD_BOT_TOKEN"),
        ("DISCORD_BOT_TOKEN", bot_token("abc"), "DISCORD_BOT_TOKEN"),
        ("DISCORD_APPLICATION_ID", "my-app", "DISCORD_APPLICATION_ID"),
    ],
)
def test_a_value_that_holds_no_id_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    monkeypatch.setenv(variable, value)
    code, out, err = invite(capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and named in err


def test_the_readme_shows_the_permissions_integer_the_command_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = invite(capsys, "--application-id", APP_ID)
    value = parse_qs(urlsplit(out.splitlines()[0]).query)["permissions"][0]
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## Connect a Discord bot", 1)[1].split("\n## ", 1)[0]
    assert "briefbot discord invite" in section
    assert f"permissions={value}" in section and f"`{value}`" in section
