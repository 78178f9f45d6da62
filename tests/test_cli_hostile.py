"""The command lines given what a user can type, on both databases: each answers in one line and
exits, none raises. Run in-process (``bot.cli.main``), as the module the ``briefbot`` script calls, so
that a hundred lines cost seconds; ``tests/test_cli.py`` runs the real processes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from bot.cli import main, samples_dir
from tests.storage_backends import database_url

HUGE = "9" * 30  # past any database's integers
HOSTILE = [
    ("brief", HUGE),
    ("brief", "²"),  # a digit to str.isdigit, no number to int
    ("brief", "#0"),
    ("brief", "x" * 5000),  # a name too long for the file system
    ("brief", "a\x00b"),
    ("search", "--limit", HUGE, "strike"),
    ("search", "--limit", "0", "strike"),
    ("search", "--limit", "-3", "strike"),
    ("search", "--page", HUGE, "strike"),
    ("search", "--page", "²", "strike"),
    ("search", "strike", f"since:{HUGE}d"),
    ("articles", "--limit", HUGE),
    ("articles", "--since", f"{HUGE}d"),
    ("actors", "list", "--limit", HUGE),
    ("actors", "show", HUGE),
    ("actor", "IDU", "since:٣d"),
    ("feeds", "remove", "https://[::1"),  # an unclosed IPv6 address
    ("feeds", "remove", "https://example.com:99999/feed"),  # a port out of range
    ("feeds", "remove", HUGE),
    ("ask", "\x00" * 10),
    ("trending", HUGE + "d"),
]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stored(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A store holding the sample articles: the variables that name it."""
    folder = tmp_path_factory.mktemp(request.param)
    for url in database_url(request.param, folder):
        variables = {"BRIEFBOT_DATABASE_URL": url, "BRIEFBOT_DATA_DIR": str(folder)}
        with pytest.MonkeyPatch.context() as env:
            for name, value in variables.items():
                env.setenv(name, value)
            assert main(["ingest", str(samples_dir())]) == 0
        yield variables


@pytest.fixture
def env(stored: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The store named for this test (the suite clears every BRIEFBOT_* variable before each)."""
    for name, value in stored.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("argv", HOSTILE, ids=lambda argv: " ".join(argv)[:40])
@pytest.mark.usefixtures("env")
def test_what_a_user_can_type_gets_one_line_and_an_exit_code(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    status: int | str | None
    try:
        status = main(list(argv))
    except SystemExit as exit:  # argparse's usage error
        status = exit.code
    out, err = capsys.readouterr()
    assert status in (0, 1, 2)
    assert "Traceback" not in err
    if status:  # said why: on stderr, or as the chat command's own answer on stdout
        assert err.strip() or out.strip()
        assert not err.strip() or err.strip().splitlines()[-1].startswith("briefbot"), err


@pytest.mark.usefixtures("env")
def test_the_store_is_untouched_by_them(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in HOSTILE:
        with contextlib.suppress(SystemExit):
            main(list(argv))
    capsys.readouterr()
    assert main(["articles", "--limit", "50"]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") >= len(list(samples_dir().glob("*.txt"))), (out, err)
