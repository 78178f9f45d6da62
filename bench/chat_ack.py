"""Does chat wait for ingest? Slack's acknowledgement while ``briefbot run`` polls 500 articles.

``briefbot run`` is started as a user starts it (Slack in HTTP mode, its Web API a loopback fake at
``slack.api_url``), over a store holding the other BBC articles, and sent signed ``/briefbot``
slash commands at a steady rate (search, brief, ask and help, as a team types them), each on a new
connection as Slack sends them:

* idle: the bot with nothing to poll, for ``--idle`` seconds;
* polling: the bot started again with ``--feeds`` loopback feeds of ``--entries`` new articles each
  (``--latency`` per page), commands sent until every article is stored and briefed.

Reported per phase: the acknowledgement's p50/p95/p99/max (the HTTP 200 Slack waits for; its
deadline is 3 s, the target p99 under 0.5 s while polling), and the time until the answer reached the
Web API. Run on SQLite (the embedded default) and on PostgreSQL:

    .venv/bin/python bench/chat_ack.py                        # 10 feeds x 50 entries, 4 commands/s
    .venv/bin/python bench/chat_ack.py --database sqlite --entries 10
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, urlencode

from ask_data import ASK_FIT, ReplayedBriefs, load_questions
from common import BBC, command_line, data_path, environment, markdown_table, percentile, verdict
from databases import POSTGRES_URL, postgres_schema
from fitting import load_bbc
from instances import Site
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import OperationalError

from bot.core.commands import BUSY
from storage import feedstore
from storage.db import open_database
from storage.documents import Document
from storage.store import Store
from summarizer import SUMMARIZER_VERSION

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
ACK_TARGET = 0.5  # seconds, p99 while polling
WARM_UP = 3  # the first commands of a run (auth.test, first queries) are not counted
BRIEFS_CACHE = Path("/tmp/briefbot-bench/chat-ack")


class SlackWebApi(ThreadingHTTPServer):
    """The Web API methods the bot calls, answered at once; when each channel first got an answer."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), WebApiHandler)
        self.answered: dict[str, float] = {}
        self.busy: set[str] = set()  # channels answered "busy" (chat.max_pending)
        self.lock = threading.Lock()
        self.ts = itertools.count(1)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/"


class WebApiHandler(BaseHTTPRequestHandler):
    server: SlackWebApi

    def do_POST(self) -> None:
        method = self.path.removeprefix("/api/")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if "json" in self.headers.get("Content-Type", ""):
            body = json.loads(raw or "{}")
        else:
            body = {key: values[0] for key, values in parse_qs(raw).items()}
        answer: dict[str, object] = {"ok": True, "ts": f"1700000000.{next(self.server.ts):06d}"}
        if method == "auth.test":
            answer.update(team_id="TBENCH", user_id="UBRIEFBOT", bot_id="BBENCH", user="briefbot")
        elif method == "users.info":
            answer["user"] = {"id": body.get("user"), "is_admin": False}
        elif method in ("chat.postMessage", "chat.postEphemeral"):
            with self.server.lock:
                self.server.answered.setdefault(str(body.get("channel")), time.perf_counter())
                if BUSY in raw or quote(BUSY) in raw or quote_plus(BUSY) in raw:
                    self.server.busy.add(str(body.get("channel")))
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Sent:
    channel: str
    text: str
    sent: float  # perf_counter
    ack: float | None  # seconds until the HTTP 200; None: no 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def slash_command(port: int, channel: str, text: str) -> Sent:
    """One ``/briefbot`` command as Slack sends it: a new connection, a signed form body."""
    body = urlencode(
        {
            "token": "unused",
            "team_id": "TBENCH",
            "channel_id": channel,
            "channel_name": "bench",
            "user_id": f"UMEMBER{random.randrange(8)}",
            "command": "/briefbot",
            "text": text,
            "response_url": "",
            "trigger_id": "1.2.3",
        }
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
    }
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        status = connection.getresponse().status
        ack = time.perf_counter() - started if status == 200 else None
    except OSError:
        ack = None
    finally:
        connection.close()
    return Sent(channel, text, started, ack)


def command_texts(
    ids: Sequence[int], titles: Sequence[str], questions: Sequence[str], *, mix: str = "team"
) -> Iterator[str]:
    """What a team types, in proportion: searches, briefs of stored articles, questions, help
    (``mix="help"``: help only, the acknowledgement's own path with no work behind it)."""
    if mix == "help":
        yield from itertools.repeat("help")
    words = [w for title in titles for w in title.split() if len(w) > 4 and w.isalpha()]
    pick = random.Random(7)
    last = "digest" if mix == "load" else "help"  # the load bench's mix previews digests instead
    while True:
        roll = pick.random()
        if roll < 0.4:
            yield f"search {pick.choice(words)}"
        elif roll < 0.65:
            yield f"brief {pick.choice(ids)}"
        elif roll < 0.85:
            yield f"ask {pick.choice(questions)}"
        else:
            yield last


class Bot:
    """``briefbot run`` in a process of its own, as an operator starts it."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.port = port
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("briefbot")), "run"],
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"briefbot run stopped at start; see {log}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                return
            time.sleep(0.2)
        raise SystemExit(f"briefbot run did not open port {port}; see {log}")

    def rss_mb(self) -> float:
        """Resident memory of the bot and its children (the briefing worker), in MB."""
        return sum(_rss_kb(pid) for pid in (self.process.pid, *_children(self.process.pid))) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])
    return 0


def stored(store: Store) -> int:
    with contextlib.suppress(OperationalError):  # SQLite busy while the bot writes: ask again
        return store.count()
    return -1


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    sent: list[Sent]
    answered: dict[str, float]
    seconds: float
    rss_mb: tuple[float, float] = (0.0, 0.0)  # the bot's resident memory once serving, and at the end
    busy: frozenset[str] = frozenset()  # channels whose command was answered "busy"
    rss_samples: tuple[float, ...] = ()  # the bot's resident memory every tenth of the phase

    def acks(self) -> list[float]:
        return [s.ack for s in self.sent if s.ack is not None]

    def answers(self) -> list[float]:
        """Seconds from sending to the answer, for the commands answered (not turned away busy)."""
        return [
            self.answered[s.channel] - s.sent
            for s in self.sent
            if s.channel in self.answered and s.channel not in self.busy
        ]

    def row(self) -> list[str]:
        acks, answers = self.acks(), self.answers()
        ms = [f"{1000 * percentile(acks, q):.0f}" for q in (50, 95, 99)]
        answer_ms = [f"{percentile(answers, q):.2f}" for q in (50, 95)] if answers else ["-", "-"]
        return [
            self.name,
            f"{self.seconds:.0f}",
            f"{len(self.sent)}",
            f"{len(self.sent) - len(acks)}",
            *ms,
            f"{1000 * max(acks):.0f}",
            *answer_ms,
        ]


def send_while(port: int, texts: Iterator[str], rate: float, running: threading.Event) -> list[Sent]:
    """Commands at ``rate`` a second (an open loop: a slow answer does not slow the sending)."""
    futures = []
    channels = (f"CB{n:07d}" for n in itertools.count())
    with ThreadPoolExecutor(max_workers=32) as pool:
        start = time.perf_counter()
        for n in itertools.count():
            if not running.is_set():
                break
            time.sleep(max(0.0, start + n / rate - time.perf_counter()))
            futures.append(pool.submit(slash_command, port, next(channels), next(texts)))
    return [future.result() for future in futures][WARM_UP:]


def phase(
    name: str,
    bot_env: dict[str, str],
    api: SlackWebApi,
    texts: Iterator[str],
    rate: float,
    *,
    until: threading.Event | None,
    seconds: float,
    log: Path,
) -> Phase:
    port = int(bot_env["BRIEFBOT_SLACK_PORT"])
    bot = Bot(bot_env, port, log)
    time.sleep(1)  # serving: the model is loaded before the port opens
    rss_start = bot.rss_mb()
    running = threading.Event()
    running.set()
    started = time.perf_counter()
    stopper = threading.Thread(
        target=lambda: (until.wait() if until is not None else time.sleep(seconds), running.clear())
    )
    stopper.start()
    samples: list[float] = []
    sampler = threading.Thread(target=sample_memory, args=(bot, running, seconds / 10, samples), daemon=True)
    sampler.start()
    with api.lock:
        api.answered.clear()
        api.busy.clear()
    sent = send_while(port, texts, rate, running)
    elapsed = time.perf_counter() - started
    time.sleep(3)  # the last answers arrive
    rss_end = bot.rss_mb()
    bot.stop()
    with api.lock:
        answered, busy = dict(api.answered), frozenset(api.busy)
    return Phase(name, sent, answered, elapsed, (rss_start, rss_end), busy, tuple(samples))


def sample_memory(bot: Bot, running: threading.Event, every: float, samples: list[float]) -> None:
    """Whether memory levels off or keeps growing shows in its curve, not in two ends."""
    while running.is_set():
        samples.append(bot.rss_mb())
        time.sleep(every)


def bot_environment(url: str, api: SlackWebApi) -> dict[str, str]:
    """``briefbot run`` as an operator configures it, Slack in HTTP mode at the loopback Web API."""
    env = {
        **os.environ,
        "BRIEFBOT_DATABASE_URL": url,
        "BRIEFBOT_SLACK_MODE": "http",
        "BRIEFBOT_SLACK_PORT": str(free_port()),
        "BRIEFBOT_SLACK_API_URL": api.url,
        "BRIEFBOT_STORAGE_ALLOW_HOSTS": "127.0.0.0/8",
        "BRIEFBOT_STORAGE_FETCH_TIMEOUT": "30",
        "BRIEFBOT_STORAGE_FIRST_POLL_ENTRIES": "1000000",  # every entry of the fresh feeds is polled
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
    }
    for name in ("SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN"):
        env.pop(name, None)
    return env


def prepare(url: str, kept: Sequence[tuple[str, str]]) -> tuple[list[int], list[str]]:
    """The store the team already has: ``kept`` articles with their briefs (replayed from a cache)."""
    BRIEFS_CACHE.mkdir(parents=True, exist_ok=True)
    briefs = ReplayedBriefs(BRIEFS_CACHE / f"briefs-v{SUMMARIZER_VERSION}.pickle")
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions, summarizer=briefs)
    documents = [
        Document(location=f"bbc-{n}", text=text, title=title, url=f"https://bbc.example/{n}", source="bbc")
        for n, (title, text) in enumerate(kept)
    ]
    results = store.ingest(documents, batch_size=32)
    briefs.save()
    engine.dispose()
    return [r.article.id for r in results if r.article is not None], [title for title, _ in kept]


def measure(
    database: str,
    url: str,
    site: Site,
    kept: Sequence[tuple[str, str]],
    questions: Sequence[str],
    args: argparse.Namespace,
    workdir: Path,
) -> list[Phase]:
    print(f"{database}: storing {len(kept):,} articles...", file=sys.stderr)
    ids, titles = prepare(url, kept)
    texts = command_texts(ids, titles, questions, mix=args.mix)
    api = SlackWebApi()
    env = bot_environment(url, api)
    log = BRIEFS_CACHE / f"bot-{database}.log"
    log.unlink(missing_ok=True)
    print(f"{database}: idle, {args.idle:.0f} s (bot log: {log})...", file=sys.stderr)
    idle = phase("idle", env, api, texts, args.rate, until=None, seconds=args.idle, log=log)

    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions)
    for f in range(site.feeds):
        feedstore.add_feed(store, f"{site.base(f)}/feed.xml")
    target = stored(store) + site.feeds * site.entries
    site.hits.clear()
    done = threading.Event()

    def watch() -> None:
        while stored(store) < target:
            time.sleep(0.5)
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    print(f"{database}: polling {site.feeds * site.entries} articles...", file=sys.stderr)
    polling = phase("polling", env, api, texts, args.rate, until=done, seconds=0, log=log)
    engine.dispose()
    api.shutdown()
    return [idle, polling]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC))
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--rate", type=float, default=4.0, help="slash commands a second")
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of commands with nothing to poll")
    parser.add_argument("--mix", choices=("team", "help", "load"), default="team", help="help: help only")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    articles = [(a.title, a.text) for a in load_bbc(Path(args.bbc))]
    new = args.feeds * args.entries
    polled, kept = articles[:new], articles[new:]
    site = Site(
        [(t, f"{body}\n\nReport {n} of the loopback desk.") for n, (t, body) in enumerate(polled)],
        args.feeds,
        args.entries,
    )
    site.latency = args.latency
    questions = [q.question for q in load_questions(ASK_FIT)]
    print(f"`{command_line()}`\n\n{environment()}\n")
    results: list[tuple[str, list[Phase]]] = []
    with tempfile.TemporaryDirectory(prefix="briefbot-chat-ack-") as tmp:
        workdir = Path(tmp)
        for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
            if database == "sqlite":
                url = f"sqlite:///{workdir / 'briefbot.db'}"
                results.append((database, measure(database, url, site, kept, questions, args, workdir)))
            else:
                with postgres_schema(args.postgres_url) as url:
                    results.append((database, measure(database, url, site, kept, questions, args, workdir)))
        site.shutdown()
        print(
            f"### Slack acknowledgements, {args.rate:g} commands/s, while polling {args.feeds} feeds x "
            f"{args.entries} entries ({args.latency * 1000:.0f} ms per page)\n"
        )
        headers = [
            "database",
            "phase",
            "seconds",
            "commands",
            "no 200",
            "ack p50 ms",
            "ack p95 ms",
            "ack p99 ms",
            "ack max ms",
            "answer p50 s",
            "answer p95 s",
        ]
        rows = [[database, *p.row()] for database, phases in results for p in phases]
        print(markdown_table(headers, rows, "ll" + "r" * 9))
        print()
        for database, (idle, polling) in results:
            p99 = percentile(polling.acks(), 99)
            ratio = p99 / percentile(idle.acks(), 99)
            fine = p99 < ACK_TARGET and len(polling.acks()) == len(polling.sent)
            print(
                f"- {database}: ack p99 while polling {1000 * p99:.0f} ms ({ratio:.2f}x idle; "
                f"target under {ACK_TARGET * 1000:.0f} ms, every command acknowledged): {verdict(fine)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
