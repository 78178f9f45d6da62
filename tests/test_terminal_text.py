"""Bold at a terminal: the part of a cited sentence that answers is shown in the terminal's own bold,
and a pipe, a file or a user who set NO_COLOR gets the plain words."""

from __future__ import annotations

import io

import pytest

from bot.adapters.console import chat
from bot.core import CommandCore
from bot.render.text import BOLD, NORMAL, plain, shows_bold
from storage.store import Store
from tests.harness_console import Terminal
from tests.test_chat_contract import seeded_store  # noqa: F401  (the fixture, found by pytest by name)


def test_bold_marks_become_the_terminals_bold_or_are_dropped() -> None:
    cited = "according to **Hashem al-Mosawwi**, one of the group's **commanders**"
    assert plain(cited) == "according to Hashem al-Mosawwi, one of the group's commanders"
    assert plain(cited, bold=True) == (
        f"according to {BOLD}Hashem al-Mosawwi{NORMAL}, one of the group's {BOLD}commanders{NORMAL}"
    )
    assert plain("a stray ** mark", bold=True) == "a stray  mark"  # no pair: no bold left switched on


def test_only_a_terminal_without_no_color_shows_bold(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shows_bold(Terminal()) and not shows_bold(io.StringIO())
    closed = Terminal()
    closed.close()
    assert not shows_bold(closed)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not shows_bold(Terminal())
    monkeypatch.setenv("NO_COLOR", "")  # set but empty does not count (no-color.org)
    assert shows_bold(Terminal())


async def ask_at(stdout: io.StringIO, store: Store) -> str:
    stdin = io.StringIO("ask who commands al-Nujaba?\n")
    await chat(CommandCore(store=store), stdin=stdin, stdout=stdout)
    return stdout.getvalue()


async def test_briefbot_chat_bolds_the_answer_on_a_terminal_only(
    seeded_store: Store,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert f"{BOLD}Hashem al-Mosawwi{NORMAL}" in await ask_at(Terminal(), seeded_store)
    piped = await ask_at(io.StringIO(), seeded_store)
    assert "Hashem al-Mosawwi" in piped and "\x1b" not in piped
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in await ask_at(Terminal(), seeded_store)
