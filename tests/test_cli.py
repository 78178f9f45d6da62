"""The command lines, run as a user runs them: in a subprocess, reading real files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import samples_dir
from tests import loopback

SAMPLE = samples_dir() / "iraqi-militias-aleppo.txt"
loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {
        "empty": folder / "empty.txt",
        "binary": folder / "image.txt",
        "latin1": folder / "latin1.txt",
        "furniture": folder / "furniture.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    files["latin1"].write_bytes("Caf\u00e9 owners in Montr\u00e9al said sales fell.".encode("latin-1"))
    files["furniture"].write_text("• Print Friendly, PDF & Email\n• Send to Kindle\n", "utf-8")
    return files


def test_json_contract(tmp_path: Path) -> None:
    result = run("-m", "summarizer", "--json", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    brief = json.loads(lines[0])
    assert brief["file"] == str(SAMPLE)
    assert brief["title"].startswith("Iran-Backed Iraqi Militias")
    assert isinstance(brief["summary"], list) and len(brief["summary"]) == 3
    for key in ("name", "kind", "mentions", "aliases"):
        assert all(key in a for a in brief["actors"])
    for key in ("text", "value", "unit", "sentence"):
        assert all(key in f for f in brief["figures"])
    assert brief["figures"][0]["text"] == "some 1,000 troops"


def test_sentences_option_and_plain_output() -> None:
    result = run("-m", "summarizer", "--sentences", "2", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n  • ") == 2
    assert "Actors: " in result.stdout and "Figures: " in result.stdout


def test_bad_files_get_one_line_each_and_the_good_file_is_still_briefed(bad_files: dict[str, Path]) -> None:
    missing = bad_files["empty"].parent / "missing.txt"
    paths = [
        str(bad_files["empty"]),
        str(SAMPLE),
        str(bad_files["binary"]),
        str(bad_files["latin1"]),
        str(bad_files["furniture"]),
        str(missing),
        str(bad_files["empty"].parent),
    ]
    result = run("-m", "summarizer", "--json", *paths)
    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 6, result.stderr
    assert "Traceback" not in result.stderr
    joined = "\n".join(errors)
    assert "empty.txt: empty" in joined
    assert "image.txt: binary data" in joined
    assert "latin1.txt: not UTF-8 text" in joined
    assert "furniture.txt: nothing but page furniture" in joined
    assert "missing.txt: no such file" in joined
    assert "is a folder" in joined
    briefs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [b["file"] for b in briefs] == [str(SAMPLE)]


def test_briefbot_brief_json_is_the_same_object() -> None:
    via_module = run("-m", "summarizer", "--json", str(SAMPLE))
    via_bot = run("-m", "bot.cli", "brief", "--json", str(SAMPLE))
    assert via_bot.returncode == 0, via_bot.stderr
    assert json.loads(via_bot.stdout) == json.loads(via_module.stdout)


def test_bad_option_values_get_one_clear_line() -> None:
    result = run("-m", "summarizer", "--sentences", "0", str(SAMPLE))
    assert result.returncode == 2
    assert result.stderr.strip() == "python -m summarizer: --sentences: must be greater than 0, got 0"


def test_help_describes_the_options() -> None:
    result = run("-m", "summarizer", "--help")
    assert result.returncode == 0
    for option in ("--sentences", "--json", "--chars", "--algorithm", "--markdown"):
        assert option in result.stdout


def test_demo_stores_the_samples_once_and_shows_briefs_search_and_answers(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path)}
    first = run("-m", "bot.cli", "demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "== 7 new, 0 already stored; the store holds 7 articles" in first.stdout
    for path in samples_dir().glob("*.txt"):
        title = path.read_text("utf-8").split("\n", 1)[0]
        if "Print Friendly" not in title:
            assert title in first.stdout
    assert "**Hezbollah**" in first.stdout
    assert "Hashem al-Mosawwi" in first.stdout.split("== ask: who commands al-Nujaba?")[1]
    assert (tmp_path / "briefbot-demo.db").exists() and not (tmp_path / "briefbot.db").exists()
    second = run("-m", "bot.cli", "demo", env=env)
    assert "== 0 new, 7 already stored; the store holds 7 articles" in second.stdout


def test_store_commands_end_to_end(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path)}
    ingest = run("-m", "bot.cli", "ingest", "--json", str(samples_dir()), str(tmp_path / "nope.txt"), env=env)
    assert ingest.returncode == 1
    assert "nope.txt: no such file or folder" in ingest.stderr and "Traceback" not in ingest.stderr
    rows = [json.loads(line) for line in ingest.stdout.splitlines()]
    assert len(rows) == 7 and all(r["created"] for r in rows)
    militias = next(r["id"] for r in rows if "iraqi" in r["location"])
    brief = run("-m", "bot.cli", "brief", "--json", str(militias), env=env)
    assert brief.returncode == 0, brief.stderr
    assert json.loads(brief.stdout)["title"].startswith("Iran-Backed Iraqi Militias")
    assert json.loads(brief.stdout)["same_story"] == []
    strike = run("-m", "bot.cli", "brief", "--json", "dockworkers", "walk", env=env)
    assert [a["title"][:19] for a in json.loads(strike.stdout)["same_story"]] == ["Halvern Port Strike"]
    by_title = run("-m", "bot.cli", "brief", "--json", "light", "rail", env=env)
    assert json.loads(by_title.stdout)["title"].startswith("Marlow Council Approves")
    nothing = run("-m", "bot.cli", "brief", "zeppelin", "armada", env=env)
    assert (
        nothing.returncode == 1 and "no file, id or stored title matches 'zeppelin armada'" in nothing.stderr
    )
    unknown = run("-m", "bot.cli", "brief", "9999", env=env)
    assert unknown.returncode == 1 and "no stored article #9999" in unknown.stderr
    found = run("-m", "bot.cli", "search", "--json", "hezbollah", env=env)
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [militias]
    bad = run("-m", "bot.cli", "search", "x", "since:soon", env=env)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("briefbot: since:soon is not a date")
    answer = run("-m", "bot.cli", "ask", "--json", "who", "commands", "al-Nujaba?", env=env)
    assert json.loads(answer.stdout)["citations"][0]["article_id"] == militias
    listing = run("-m", "bot.cli", "articles", "--since", "1d", env=env)
    assert len(listing.stdout.splitlines()) == 7
    upgrade = run("-m", "bot.cli", "db", "upgrade", env=env)
    assert upgrade.returncode == 0 and "is up to date" in upgrade.stdout
    current = run("-m", "bot.cli", "db", "rebrief", env=env)
    assert current.returncode == 0 and current.stdout.strip() == "0 rebriefed"
    # briefs of an older summarizer (as after an upgrade of briefbot) are written again
    older = [militias, *(r["id"] for r in rows if r["id"] != militias)][:3]
    with sqlite3.connect(tmp_path / "briefbot.db") as db:
        db.executemany(
            "UPDATE briefs SET version = '0', data = '{}' WHERE article_id = ?", [(i,) for i in older]
        )
    rebrief = run("-m", "bot.cli", "db", "rebrief", env=env)
    assert rebrief.returncode == 0 and rebrief.stdout.strip() == "3 rebriefed", rebrief.stderr
    again = run("-m", "bot.cli", "brief", "--json", str(militias), env=env)
    assert json.loads(again.stdout)["figures"][0]["text"] == "some 1,000 troops"


def test_long_ingest_reports_progress_and_bad_files_do_not_stop_it(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(24):
        (folder / f"note-{i:02d}.txt").write_text(
            f"Harbour Report {i}\n\nThe harbour of Port {i} handled {1000 + i} containers on Monday, "
            f"officials said. Crane operator number {i} worked a double shift as ships waited.",
            "utf-8",
        )
    (folder / "broken.txt").write_bytes(b"\xff\xfe\x00binary")
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path / "data")}
    result = run("-m", "bot.cli", "ingest", str(folder), env=env)
    assert result.returncode == 1
    assert "broken.txt: binary data, not text" in result.stderr
    progress = [line for line in result.stderr.splitlines() if ": ingesting: " in line]
    assert progress[-1].endswith("ingesting: 24/24") and len(progress) >= 5
    assert "24 new, 0 already stored, 1 failed" in result.stdout


def test_feeds_commands_end_to_end(tmp_path: Path, loopback_server: loopback.LoopbackServer) -> None:
    import os

    pages = {
        "strike": "Dockworkers Strike Again\n\nSome 3,200 dockworkers walked off the job on Monday, union "
        "leaders said. The port authority said 41 ships were waiting offshore.",
        "budget": "Council Passes Budget\n\nThe city council approved a $310 million budget on Tuesday. "
        "Seven members voted in favour and four against, the clerk said.",
    }
    items = ""
    for name, text in pages.items():
        title, body = text.split("\n\n")
        link = loopback_server.reply(
            f"/{name}.html",
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{body}</p></article></body></html>",
            content_type="text/html",
        )
        items += f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid></item>"
    url = loopback_server.reply(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>City Desk</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_STORAGE_ALLOW_HOSTS": "127.0.0.1"}
    added = run("-m", "bot.cli", "feeds", "add", url, env=env)
    assert added.returncode == 0 and "feed #1" in added.stdout, added.stderr
    polled = run("-m", "bot.cli", "feeds", "poll", env=env)
    assert polled.returncode == 0 and f"{url}: 2 new, 0 already stored" in polled.stdout, polled.stderr
    again = run("-m", "bot.cli", "feeds", "poll", "--json", env=env)
    assert json.loads(again.stdout)["new"] == 0
    listed = run("-m", "bot.cli", "feeds", "list", env=env)
    assert "#1 City Desk — 2 articles, ok" in listed.stdout
    found = run("-m", "bot.cli", "search", "--json", "dockworkers", env=env)
    assert [json.loads(line)["title"] for line in found.stdout.splitlines()] == ["Dockworkers Strike Again"]
    removed = run("-m", "bot.cli", "feeds", "remove", "1", env=env)
    assert removed.returncode == 0
    assert "no feeds yet" in run("-m", "bot.cli", "feeds", "list", env=env).stdout


def test_demo_leaves_the_real_store_untouched_unless_asked(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_DATABASE_URL": f"sqlite:///{real}"}
    ingested = run("-m", "bot.cli", "ingest", "--json", str(SAMPLE), env=env)
    assert ingested.returncode == 0, ingested.stderr
    demo = run("-m", "bot.cli", "demo", env=env)
    assert demo.returncode == 0, demo.stderr
    first = demo.stdout.splitlines()[0]
    assert first.startswith("== demo store: sqlite:///") and "briefbot-demo.db" in first
    assert "--real-store" in first
    listed = run("-m", "bot.cli", "articles", "--json", env=env)
    assert len(listed.stdout.splitlines()) == 1  # the real store holds what the user put there, only
    into_real = run("-m", "bot.cli", "demo", "--real-store", env=env)
    assert "== 6 new, 1 already stored; the store holds 7 articles" in into_real.stdout, into_real.stderr
    assert str(real) in into_real.stdout.splitlines()[0]


def test_config_works_before_or_after_the_command(tmp_path: Path) -> None:
    data = tmp_path / "from-config"
    config = tmp_path / "briefbot.toml"
    config.write_text(f'[summarizer]\nsentences = 1\n[storage]\ndata_dir = "{data}"\n', "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    for args in (["--config", str(config), "brief"], ["brief", "--config", str(config)]):
        briefed = run("-m", "bot.cli", *args, "--json", str(SAMPLE), env=env)
        assert briefed.returncode == 0, briefed.stderr
        assert len(json.loads(briefed.stdout)["summary"]) == 1, args
    once = run("-m", "bot.cli", "run", "--once", "--console", "--config", str(config), env=env)
    assert once.returncode == 0, once.stderr
    assert (data / "briefbot.db").exists()  # the file's store, so the file was read
    for args in (["feeds", "--config", str(config), "list"], ["--config", str(config), "feeds", "list"]):
        listed = run("-m", "bot.cli", *args, env=env)
        assert listed.returncode == 0 and "no feeds yet" in listed.stdout, listed.stderr
    missing = run("-m", "bot.cli", "--config", str(config), "feeds", "list", "--config", "nope.toml", env=env)
    assert missing.returncode == 2 and missing.stderr.strip() == "briefbot: config file nope.toml: not found"


def test_a_variable_naming_no_setting_is_warned_about_in_the_configured_log(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BRIEFBOT_DATA_DIR": str(tmp_path),
        "BRIEFBOT_STORAGE_DATABASE_URL": "postgres://db/briefbot",
        "BRIEFBOT_LOGGING_FORMAT": "json",
    }
    listed = run("-m", "bot.cli", "articles", env=env)
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stderr.splitlines()
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["message"].startswith("BRIEFBOT_STORAGE_DATABASE_URL names no briefbot setting")
    assert record["message"].endswith("did you mean BRIEFBOT_DATABASE_URL?")
    quiet = run("-m", "bot.cli", "articles", env={**env, "BRIEFBOT_LOGGING_LEVEL": "ERROR"})
    assert quiet.returncode == 0 and quiet.stderr == ""
    text = run("-m", "bot.cli", "articles", env={**env, "BRIEFBOT_LOGGING_FORMAT": "text"})
    assert " WARNING briefbot: BRIEFBOT_STORAGE_DATABASE_URL names no briefbot setting" in text.stderr


def test_a_file_over_max_bytes_is_refused_in_one_line_and_the_rest_is_stored(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "small.txt").write_text(SAMPLE.read_text("utf-8"), "utf-8")
    big = "Harbour Report\n\n" + "The harbour handled 1,000 containers on Monday, officials said. " * 80
    (folder / "big.txt").write_text(big, "utf-8")
    size = f"{len(big.encode()) / 1e3:.1f} kB"
    assert len(big) > 5000 > SAMPLE.stat().st_size
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_STORAGE_MAX_BYTES": "5000"}
    ingest = run("-m", "bot.cli", "ingest", str(folder), env=env)
    assert ingest.returncode == 1
    assert (
        ingest.stderr.strip()
        == f"briefbot: {folder / 'big.txt'}: {size}, larger than storage.max_bytes (5.0 kB)"
    )
    assert "1 new, 0 already stored, 1 failed" in ingest.stdout
    brief = run("-m", "bot.cli", "brief", str(folder / "big.txt"), str(folder / "small.txt"), env=env)
    assert brief.returncode == 1 and "larger than storage.max_bytes" in brief.stderr
    assert "Iran-Backed Iraqi Militias" in brief.stdout
