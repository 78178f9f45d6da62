"""The ``briefbot`` command line: ingest, brief, search, ask, feeds, and the demo."""

from __future__ import annotations

import argparse
import base64
import binascii
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bot.logs import configure_logging
from config import ConfigError, Settings, load_settings
from config.settings import unknown_variables
from storage.values import is_id, is_url, parse_id  # plain values: no database, no network
from summarizer.cli import add_brief_options, brief_files

if TYPE_CHECKING:  # the store is imported by the commands that use it, not at start-up
    from storage.values import Citation

PROG = "briefbot"
DISCORD_APPLICATION_ID = "DISCORD_APPLICATION_ID"  # not a secret: the id is in every invite link
DISCORD_AUTHORIZE = "https://discord.com/oauth2/authorize"
DISCORD_SCOPES = ("bot", "applications.commands")  # applications.commands: the slash commands
log = logging.getLogger("briefbot")


def samples_dir() -> Path:
    """The sample articles shipped with briefbot (used by the demo and the tests)."""
    return Path(__file__).resolve().parent / "samples"


MAX_LIMIT = 10_000  # rows one listing may ask for
MAX_PAGE = 100_000  # pages of a search: the offset stays far inside the databases' integers


def between(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, else argparse's one-line usage error
    (a 30-digit ``--limit`` reached the database, which cannot hold it, and raised)."""

    def parse(text: str) -> int:
        value = parse_id(text)  # ASCII digits only: "²" and "٣" are no number here either
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"a whole number from {low:,} to {high:,}, not {text!r}")
        return value

    return parse


def add_config_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--config`` on the main parser and on every (sub)command, so it may come before or after it.

    Its default is SUPPRESS, never None: argparse copies a subcommand's defaults over what the main
    parser read, so ``briefbot --config F brief ...`` would otherwise lose F to brief's own None.
    """
    parser.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        default=argparse.SUPPRESS,
        help="settings file (default $BRIEFBOT_CONFIG)",
    )
    return parser


class CommandParser(argparse.ArgumentParser):
    """A (sub)command's parser: each takes ``--config``, and so do the subcommands it creates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_config_option(self)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Keep a team briefed in its chat: brief articles, post daily digests, "
        "search and answer questions over what was read.",
    )
    add_config_option(parser)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CommandParser
    )

    ingest = commands.add_parser(
        "ingest",
        help="read files, folders or URLs into the store",
        description="Read files (.txt, .md, .html), folders or URLs into the store, "
        "briefing each new article.",
    )
    ingest.add_argument("items", nargs="+", metavar="PATH|URL")
    ingest.add_argument("--json", action="store_true", help="one JSON object per input")

    brief = commands.add_parser(
        "brief",
        help="brief a stored article, a file or a URL",
        description="Show the brief of a stored article (by id), or brief files or URLs.",
        conflict_handler="resolve",  # add_brief_options' own --config gives way to the shared one
    )
    add_brief_options(brief)
    add_config_option(brief)  # again, after the summarizer's (default None, which would drop a given file)
    brief.add_argument("items", nargs="+", metavar="ID|PATH|URL|WORDS")

    search = commands.add_parser(
        "search",
        help="full-text search of stored articles",
        description="Search stored articles. Filters: since:7d until:2024-05-01 "
        'actor:"Bashar al-Assad" source:reuters',
    )
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=between(1, MAX_LIMIT), default=5)
    search.add_argument("--page", type=between(1, MAX_PAGE), default=1)
    search.add_argument("--json", action="store_true")

    ask = commands.add_parser("ask", help="answer a question from stored articles, with citations")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true")

    actor = commands.add_parser(
        "actor", help="one actor across the stored articles, as the chat command shows it"
    )
    actor.add_argument("line", nargs="+", help='a name, and since:/until: as in chat: "IDU" since:30d')
    trending = commands.add_parser(
        "trending", help="the actors whose stories rose most, and new ones; the chart is written as a PNG"
    )
    trending.add_argument("period", nargs="?", default="", help="7d (default), 2w, 30d")
    articles = commands.add_parser("articles", help="list stored articles, newest first")
    articles.add_argument("--since", metavar="WHEN", help="7d, 24h, 2024-05-01 ...")
    articles.add_argument("--limit", type=between(1, MAX_LIMIT), default=20)
    articles.add_argument("--json", action="store_true")

    feeds = commands.add_parser("feeds", help="manage RSS/Atom feeds")
    feed_commands = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    feed_add = feed_commands.add_parser("add", help="add a feed by URL")
    feed_add.add_argument("url")
    feed_remove = feed_commands.add_parser("remove", help="stop polling a feed (its articles stay)")
    feed_remove.add_argument("feed", metavar="ID|URL")
    feed_commands.add_parser("list", help="list feeds and their state")
    feed_poll = feed_commands.add_parser("poll", help="poll every feed now")
    feed_poll.add_argument("--json", action="store_true")

    run = commands.add_parser(
        "run",
        help="run the bot: the configured chat platforms and the digest scheduler",
        description="Run the bot: Slack (SLACK_BOT_TOKEN, SLACK_APP_TOKEN or SLACK_SIGNING_SECRET), Discord "
        "(DISCORD_BOT_TOKEN) and the scheduler that posts digests and polls feeds. Stops cleanly on "
        "SIGTERM/SIGINT.",
    )
    run.add_argument(
        "--console", action="store_true", help="also post the console channel's digests to stdout"
    )
    run.add_argument("--once", action="store_true", help="post the digests that are due, then exit")

    commands.add_parser(
        "chat",
        help="the chat commands at a terminal prompt (no token needed)",
        description="Try every chat command at a terminal prompt, against the same store. "
        "Type `help` for the commands.",
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations")
    db_commands.add_parser(
        "rebrief",
        help="brief again the articles an older summarizer version briefed",
        description="After an upgrade of briefbot, brief again every stored article whose brief a "
        "different summarizer version wrote (the model runs on each). Safe to interrupt: what is done "
        "stays done.",
    )
    db_commands.add_parser(
        "link-actors",
        help="link every stored brief's actors to actors across articles, again from nothing",
        description="Link the actors of every stored brief to one actor across articles (a store "
        "briefed before actors were linked needs it once); hand merges and splits are replayed. "
        "Running it again gives the same actors.",
    )
    add_actors_parser(commands)
    add_discord_parser(commands)

    demo = commands.add_parser(
        "demo",
        help="ingest the shipped sample articles, show their briefs and a search",
        description="Ingest the sample articles shipped with briefbot into a store of the demo's own "
        "(briefbot-demo.db in the data folder; --real-store for the configured one), "
        "show their briefs, a search and an answer.",
    )
    demo.add_argument("--json", action="store_true")
    demo.add_argument(
        "--real-store",
        action="store_true",
        help="store the fictional samples in the configured store instead of the demo's own",
    )
    return parser


def add_actors_parser(commands: Any) -> None:
    """``briefbot actors list|show|merge|split``: one actor across articles, corrected by hand."""
    actors = commands.add_parser(
        "actors",
        help="actors across articles: list, show, merge, split",
        description="The store links each brief's actors to one actor across articles, merging "
        "conservatively; merge and split correct it by hand, and the corrections survive db rebrief.",
    )
    actions = actors.add_subparsers(dest="actors_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the actors the most articles name")
    listing.add_argument("--kind", choices=("person", "organization", "place", "group"))
    listing.add_argument("--limit", type=between(1, MAX_LIMIT), default=50)
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="an actor: kind, aliases, articles and stories")
    show.add_argument("name", nargs="+")
    show.add_argument("--json", action="store_true")
    merge = actions.add_parser("merge", help="make OTHER's actor one with NAME's (kept by db rebrief)")
    merge.add_argument("name")
    merge.add_argument("other")
    split = actions.add_parser(
        "split", help="never link ALIAS to NAME's actor; its own articles get an actor of their own"
    )
    split.add_argument("name")
    split.add_argument("alias")


def add_discord_parser(commands: Any) -> None:
    """``briefbot discord invite``: the link that adds the bot to a server with the permissions it needs."""
    discord_parser = commands.add_parser("discord", help="Discord set-up: the bot's invite URL")
    actions = discord_parser.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    invite = actions.add_parser(
        "invite",
        help="print the URL that invites the bot to a server, with exactly the permissions it needs",
        description="Print the OAuth2 URL that adds the bot to a server (scopes bot and "
        "applications.commands) with exactly the permissions it needs. The application id is "
        f"--application-id, else ${DISCORD_APPLICATION_ID}, else read from $DISCORD_BOT_TOKEN.",
    )
    invite.add_argument("--application-id", metavar="ID", help="the Application ID (General Information)")


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(getattr(args, "config", None))
        configure_logging(settings.logging)
        for warning in unknown_variables(os.environ):
            log.warning(warning)
        handler = HANDLERS[args.command]
        return handler(args, settings)
    except (ConfigError, UsageError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; what was stored so far is kept", file=sys.stderr)
        return 130
    except Exception as error:
        from storage.db import DatabaseError
        from summarizer.nlp import ModelNotInstalled

        if isinstance(error, DatabaseError | ModelNotInstalled):
            print(f"{PROG}: {error}", file=sys.stderr)
            return 2
        raise


def _store(settings: Settings) -> Any:
    from bot.app import open_store

    return open_store(settings)


PROGRESS_LINES_FROM = 20  # inputs; fewer finish before a progress line would help anyone


def _progress(total: int, label: str) -> tuple[Any, Callable[[Any], None]]:
    """A progress bar on a terminal; elsewhere (logs, CI) a line at every tenth of a long ingest."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="doc", file=sys.stderr, disable=None, leave=False)
    plain = bar.disable and total >= PROGRESS_LINES_FROM
    done = 0

    def step(result: Any) -> None:
        nonlocal done
        done += 1
        bar.update(1)
        error = getattr(result, "error", None)  # an ingest result; a rebriefed article id has none
        if error:
            bar.write(f"{PROG}: {error}", file=sys.stderr)
        if plain and (done * 10 // total != (done - 1) * 10 // total or done == total):
            print(f"{PROG}: {label}: {done}/{total}", file=sys.stderr, flush=True)

    return bar, step


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from storage.documents import Document, iter_documents
    from storage.web import WebError, fetch_document
    from summarizer.textfile import UnreadableFile

    store = _store(settings)
    documents: list[Document] = []
    errors = 0
    for item in args.items:
        if is_url(item):
            try:
                documents.append(fetch_document(item, settings.storage))
            except WebError as error:
                print(f"{PROG}: {error}", file=sys.stderr)
                errors += 1
            continue
        for document in iter_documents([Path(item)], max_bytes=settings.storage.max_bytes):
            if isinstance(document, UnreadableFile):
                print(f"{PROG}: {document}", file=sys.stderr)
                errors += 1
            else:
                documents.append(document)
    bar, step = _progress(len(documents), "ingesting")
    with bar:
        results = store.ingest(documents, progress=step)
    for result in results:
        errors += bool(result.error)
        if args.json:
            print(
                json.dumps(
                    {
                        "location": result.location,
                        "id": result.article.id if result.article else None,
                        "created": result.created,
                        "duplicate_of": result.duplicate_of,
                        "story_size": result.story_size,
                        "error": result.error,
                    }
                )
            )
        elif result.error is None and result.article is not None:
            state = (
                f"already stored as #{result.duplicate_of}"
                if result.duplicate_of
                else f"stored as #{result.article.id}"
            )
            story = f" (same story as {result.story_size - 1} other)" if result.story_size > 1 else ""
            print(f"{result.location}: {state}{story} — {result.article.title}")
    if not args.json:
        created = sum(r.created for r in results)
        known = sum(r.duplicate_of is not None for r in results)
        print(f"{created} new, {known} already stored, {errors} failed")
    return 1 if errors else 0


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    summarizer_settings = summarizer_overrides(args, settings)
    if not any(is_id(item) or is_url(item) or _is_path(item) for item in args.items):
        return _brief_by_title(args, dataclasses.replace(settings, summarizer=summarizer_settings))
    ids = [item for item in args.items if is_id(item) and not _is_path(item)]
    urls = [item for item in args.items if is_url(item)]
    named = [Path(item) for item in args.items if item not in ids and item not in urls]
    files = _within_size(named, settings)
    status = 0 if len(files) == len(named) else 1
    if files:
        shown = brief_files(
            files,
            summarizer_settings,
            as_json=args.json,
            markdown=args.markdown,
            prog=PROG,
            max_bytes=settings.storage.max_bytes,
            read=read_file,
        )
        status = max(status, shown)
    if ids or urls:
        store = _store(dataclasses.replace(settings, summarizer=summarizer_settings))
        for item in [*ids, *urls]:
            stored = _stored_brief(store, settings, item)
            if stored is None:
                status = 1
                continue
            _print_stored(stored, args)
    return status


def _is_path(item: str) -> bool:
    """Whether ``item`` names something on disk; a name the file system cannot hold (too long, a NUL)
    names nothing, so the words are read as a title instead."""
    try:
        return Path(item).exists()
    except (OSError, ValueError):
        return False


def read_file(path: Path, max_bytes: int) -> tuple[str, str | None]:
    """A file's text and title as ``briefbot ingest`` reads it: PDF, Word and HTML files by their
    readers, with the same one-line refusals (``UnreadableFile``). Imported here, as the other
    commands' storage modules are, so that ``briefbot --help`` does not load pypdf and python-docx."""
    from storage.documents import read_document

    document = read_document(path, max_bytes=max_bytes)
    return document.text, document.title


def _within_size(files: list[Path], settings: Settings) -> list[Path]:
    """The files within ``storage.max_bytes``; one line on stderr for each of the others."""
    from storage.documents import check_size
    from summarizer.textfile import UnreadableFile

    kept = []
    for path in files:
        try:
            check_size(path, settings.storage.max_bytes)
        except UnreadableFile as error:
            print(f"{PROG}: {error}", file=sys.stderr)
            continue
        kept.append(path)
    return kept


def _print_stored(stored: Any, args: argparse.Namespace) -> None:
    """A stored article's brief as JSON, Markdown or text, with the story's other articles."""
    from summarizer.render import to_markdown, to_text

    same = stored.same_story
    if args.json:
        others = [{"id": a.id, "title": a.title, "url": a.url, "source": a.source} for a in same]
        print(
            json.dumps(
                {
                    "id": stored.article.id,
                    "url": stored.article.url,
                    **stored.brief.to_dict(),
                    "same_story": others,
                },
                ensure_ascii=False,
            )
        )
        return
    if args.markdown:
        print(to_markdown(stored.brief, link=stored.article.url))
    else:
        print(f"#{stored.article.id} " + to_text(stored.brief, source=stored.article.url))
    if same:
        print("Same story: " + "; ".join(f"#{a.id} {a.title}" for a in same))


def _brief_by_title(args: argparse.Namespace, settings: Settings) -> int:
    """``briefbot brief council light rail``: the newest stored article whose title holds those words."""
    from storage.brief_lookup import by_title

    words = " ".join(args.items)
    found = by_title(_store(settings), words)
    if found.stored is None:
        print(
            f"{PROG}: no file, id or stored title matches {words!r} (see: briefbot articles)", file=sys.stderr
        )
        return 1
    _print_stored(found.stored, args)
    if found.also and not args.json:
        others = ", ".join(f"#{a.id} {a.title}" for a in found.also)
        print(f"\n(also matching: {others})")
    return 0


def _stored_brief(store: Any, settings: Settings, item: str) -> Any:
    """The brief of an id or a URL (stored first), as chat's ``brief`` finds it; else one line on stderr."""
    from storage.brief_lookup import find_brief

    found = find_brief(store, item, settings.storage)
    if found.missing == "id":
        print(f"{PROG}: no stored article #{item.lstrip('#')} (see: briefbot articles)", file=sys.stderr)
    elif found.missing:
        print(f"{PROG}: {found.reason}", file=sys.stderr)
    return found.stored


def summarizer_overrides(args: argparse.Namespace, settings: Settings) -> Any:
    overrides = {"sentences": args.sentences, "max_chars": args.chars, "algorithm": args.algorithm}
    if args.sentences is not None and args.sentences <= 0:
        raise ConfigError(f"--sentences: must be greater than 0, got {args.sentences}")
    if args.chars is not None and args.chars < 0:
        raise ConfigError(f"--chars: must be 0 or more, got {args.chars}")
    return dataclasses.replace(settings.summarizer, **{k: v for k, v in overrides.items() if v is not None})


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from storage.query import QueryError, parse_query
    from storage.search import search

    try:
        query = parse_query(" ".join(args.query))
    except QueryError as error:
        raise UsageError(str(error)) from None
    store = _store(settings)
    hits = search(store, query, limit=args.limit, offset=(args.page - 1) * args.limit)
    for hit in hits:
        if args.json:
            print(
                json.dumps(
                    {
                        "id": hit.article.id,
                        "title": hit.article.title,
                        "url": hit.article.url,
                        "snippet": hit.snippet,
                        "score": round(hit.score, 6),
                        "fetched_at": hit.article.fetched_at.isoformat(),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(f"#{hit.article.id} {hit.article.title}\n    {hit.snippet}")
    if not hits and not args.json:
        print("no stored article matches")
    return 0


def print_citation(citation: Citation) -> None:
    """A cited sentence as the terminal shows it: its context first, the part that answers in bold on
    a terminal (plain in a pipe or a file)."""
    from bot.render.text import plain, shows_bold
    from bot.render.view import cited_line

    line = plain(cited_line(citation), bold=shows_bold(sys.stdout))
    print(f"• {line}\n    — {citation.title} (#{citation.article_id})")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from storage.ask import ask

    store = _store(settings)
    answer = ask(store, " ".join(args.question))
    if args.json:
        print(
            json.dumps(
                {
                    "question": answer.question,
                    "found": answer.found,
                    "confidence": answer.confidence,
                    "hedged": answer.hedged,
                    "citations": [dataclasses.asdict(c) for c in answer.citations],
                },
                ensure_ascii=False,
            )
        )
        return 0
    if not answer.found:
        print("Nothing stored answers that.")
        return 0
    if answer.hedged:
        from bot.render.view import UNSURE

        print(f"{UNSURE[0].upper()}{UNSURE[1:]}:")
    for citation in answer.citations:
        print_citation(citation)
    return 0


def cmd_actor_views(args: argparse.Namespace, settings: Settings) -> int:
    """``actor`` and ``trending`` as the chat answers them (the chart written as a file, its path
    printed); exit 1 when the answer is a refusal (an unknown name, a period it cannot read)."""
    import asyncio

    from bot.adapters.console import view_text
    from bot.core import CommandCore, Incoming, TextReply
    from bot.render.text import shows_bold
    from bot.render.view import to_view

    line = " ".join(args.line) if args.command == "actor" else args.period
    core = CommandCore(store=_store(settings), storage_settings=settings.storage)
    asked = Incoming(platform="console", channel="cli", user=getpass.getuser(), text=f"{args.command} {line}")
    replies = asyncio.run(core.handle(asked))
    bold = shows_bold(sys.stdout)
    for reply in replies:
        print(view_text(to_view(reply), bold=bold))
    return 1 if all(isinstance(reply, TextReply) for reply in replies) else 0


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from storage.query import QueryError, parse_when

    since = None
    if args.since:
        try:
            since = parse_when(args.since, datetime.now(UTC), name="--since")
        except QueryError as error:
            raise UsageError(str(error)) from None
    store = _store(settings)
    for article in store.articles(since=since, limit=args.limit):
        if args.json:
            print(
                json.dumps(
                    {
                        "id": article.id,
                        "title": article.title,
                        "url": article.url,
                        "fetched_at": article.fetched_at.isoformat(),
                        "story_id": article.story_id,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(f"#{article.id} {article.fetched_at:%Y-%m-%d %H:%M} {article.title}")
    return 0


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    from storage import feedstore

    store = _store(settings)
    if args.feeds_command == "add":
        try:
            feed = feedstore.add_feed(store, args.url)
        except ValueError as error:
            raise UsageError(str(error)) from None
        print(f"feed #{feed.id} {feed.url} added; poll it with: briefbot feeds poll")
    elif args.feeds_command == "remove":
        try:
            feed = feedstore.remove_feed(store, args.feed)
        except feedstore.FeedNotFound as error:
            raise UsageError(str(error)) from None
        print(f"feed #{feed.id} {feed.url} removed (its articles stay in the store)")
    elif args.feeds_command == "list":
        feeds = feedstore.list_feeds(store)
        for feed in feeds:
            state = f"failing ({feed.failures}×: {feed.last_error})" if feed.failures else "ok"
            print(f"#{feed.id} {feed.title or feed.url} — {feed.articles} articles, {state}")
        if not feeds:
            print("no feeds yet; add one with: briefbot feeds add URL")
    else:
        failed = 0
        # Each feed is claimed in the database first (a running bot's instances skip it meanwhile), and
        # reported as soon as it is read: a poll fetches every new entry's page, and twenty feeds take
        # minutes.
        for report in feedstore.polls(store, settings.storage):
            if args.json:
                print(json.dumps(dataclasses.asdict(report)), flush=True)
            elif report.error:
                print(f"{PROG}: {report.feed}: {report.error}", file=sys.stderr)
            elif report.not_modified:
                print(f"{report.feed}: unchanged", flush=True)
            else:
                print(f"{report.feed}: {report.new} new, {report.duplicates} already stored", flush=True)
            failed += bool(report.error)
        return 1 if failed else 0
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.runner import NothingToRun, run
    from bot.secrets import Secrets

    try:
        return asyncio.run(
            run(
                settings,
                secrets=Secrets.from_env(),
                console=args.console,
                once=args.once,
            )
        )
    except NothingToRun as error:
        raise UsageError(str(error)) from None


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.adapters.console import chat, console_poster
    from bot.core import CommandCore
    from bot.delivery import Deliverer

    store = _store(settings)
    # `digest now` posts as the running bot does, through the ledger, so a scheduler started later
    # today knows the digest went out.
    deliverer = Deliverer(store=store, posters={"console": console_poster(sys.stdout)})
    core = CommandCore(store=store, storage_settings=settings.storage, deliver=deliverer.post_now)
    return asyncio.run(chat(core))


def cmd_actors(args: argparse.Namespace, settings: Settings) -> int:
    from storage import actor_links

    store = _store(settings)
    try:
        if args.actors_command == "list":
            found = actor_links.list_actors(store, kind=args.kind, limit=args.limit)
            for actor in found:
                if args.json:
                    print(json.dumps(dataclasses.asdict(actor), ensure_ascii=False))
                else:
                    print(_actor_line(actor))
            if not found and not args.json:
                print("no actors yet; briefs link them as articles are stored (or: briefbot db link-actors)")
        elif args.actors_command == "show":
            actor = actor_links.show_actor(store, " ".join(args.name))
            if args.json:
                print(json.dumps(dataclasses.asdict(actor), ensure_ascii=False))
            else:
                print(f"{actor.name} ({actor.kind}, #{actor.id})")
                print(f"  also: {', '.join(actor.aliases) or '-'}")
                print(f"  {actor_links.plural(actor.articles, 'article')}, ", end="")
                print(actor_links.plural(actor.stories, "story", "stories"))
        elif args.actors_command == "merge":
            print(actor_links.merge(store, args.name, args.other))
        else:
            print(actor_links.split(store, args.name, args.alias))
    except (actor_links.UnknownActor, actor_links.CorrectionRefused) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    return 0


def _actor_line(actor: Any) -> str:
    also = f"; also {', '.join(actor.aliases[:6])}" if actor.aliases else ""
    from storage.actor_links import plural

    counts = f"{plural(actor.articles, 'article')}, {plural(actor.stories, 'story', 'stories')}"
    return f"#{actor.id} {actor.name} ({actor.kind}) — {counts}{also}"


def application_id(given: str | None, env: Mapping[str, str]) -> str:
    """The Discord application id: ``given``, else $DISCORD_APPLICATION_ID, else the bot token's.

    A bot token's first dot-separated segment is the base64 of the bot user's id, which is the
    application's id, so a user who already set DISCORD_BOT_TOKEN for ``briefbot run`` need not look
    the id up. Only that segment is read; the token is never printed.
    """
    from bot.secrets import DISCORD_BOT_TOKEN

    for source, value in (
        ("--application-id", given),
        (DISCORD_APPLICATION_ID, env.get(DISCORD_APPLICATION_ID)),
    ):
        if value and value.strip():
            if not value.strip().isdigit():
                raise UsageError(f"{source}: an application id is a number, got {value.strip()!r}")
            return value.strip()
    token = env.get(DISCORD_BOT_TOKEN, "").strip()
    if not token:
        raise UsageError(
            f"discord invite needs the application id: --application-id ID, {DISCORD_APPLICATION_ID} "
            f"or {DISCORD_BOT_TOKEN} in the environment"
        )
    first = token.split(".", 1)[0].replace("-", "+").replace("_", "/")
    try:
        decoded = base64.b64decode(first + "=" * (-len(first) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    if not decoded.isdigit():
        raise UsageError(
            f"{DISCORD_BOT_TOKEN} does not hold an application id (not a bot token?): "
            f"give --application-id ID"
        )
    return decoded


def cmd_discord(args: argparse.Namespace, settings: Settings) -> int:
    """The invite URL, then each permission it asks for and why, so what a server grants is visible."""
    import discord

    from bot.adapters.discord_bot import DISCORD_PERMISSIONS

    client_id = application_id(args.application_id, os.environ)
    permissions = discord.Permissions(**dict.fromkeys(DISCORD_PERMISSIONS, True))
    query = urlencode(
        {"client_id": client_id, "scope": " ".join(DISCORD_SCOPES), "permissions": permissions.value}
    )
    print(f"{DISCORD_AUTHORIZE}?{query}")
    print(f"scopes: {', '.join(DISCORD_SCOPES)}; permissions {permissions.value}:")
    width = max(map(len, DISCORD_PERMISSIONS))
    for name, why in DISCORD_PERMISSIONS.items():
        print(f"  {name:<{width}}  {why}")
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import database_url
    from storage.db import open_database

    if args.db_command == "link-actors":
        from storage.actor_links import count_actors, count_linkable, relink_all

        store = _store(settings)
        bar, step = _progress(count_linkable(store), "linking actors")
        with bar:
            done = relink_all(store, progress=step)
        print(f"{done} articles linked: {count_actors(store)} actors")
        return 0
    if args.db_command == "rebrief":
        store = _store(settings)
        stale = store.count_stale_briefs()
        bar, step = _progress(stale, "rebriefing")
        with bar:
            done = store.rebrief(progress=step)
        print(f"{done} rebriefed, {stale - done} failed" if done < stale else f"{done} rebriefed")
        return 0 if done == stale else 1
    engine, _ = open_database(database_url(settings))
    print(f"database {engine.url.render_as_string(hide_password=True)} is up to date")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """The main job on the embedded default: store the samples, brief them, search, answer."""
    from storage.ask import ask
    from storage.documents import iter_documents
    from storage.query import parse_query
    from storage.search import search
    from summarizer.render import to_text

    store = _demo_store(settings, real=args.real_store)
    documents = [d for d in iter_documents([samples_dir()]) if not isinstance(d, Exception)]
    bar, step = _progress(len(documents), "ingesting samples")
    with bar:
        results = store.ingest(documents, progress=step)
    print(
        f"== {sum(r.created for r in results)} new, {sum(r.duplicate_of is not None for r in results)} "
        f"already stored; the store holds {store.count()} articles\n"
    )
    for result in results:
        if result.article is None:
            continue
        stored = store.brief_of(result.article.id)
        print(f"#{stored.article.id} " + to_text(stored.brief) + "\n")
    for query in ("strike", 'hezbollah actor:"Bashar al-Assad"'):
        print(f"== search: {query}")
        for hit in search(store, parse_query(query)):
            print(f"#{hit.article.id} {hit.article.title}\n    {hit.snippet}")
        print()
    for question in ("who commands al-Nujaba?", "how many troops did al-Nujaba send?"):
        answer = ask(store, question)
        print(f"== ask: {question}")
        for citation in answer.citations[:2]:
            print_citation(citation)
        print()
    return 0


def _demo_store(settings: Settings, *, real: bool) -> Any:
    """The demo's own SQLite store unless ``--real-store``: its articles are fictional, and a first try
    must leave a production store (and its channels' digests) untouched. Said on the first line."""
    from bot.app import database_url, demo_database_url, open_store

    url = database_url(settings) if real else demo_database_url(settings)
    store = open_store(settings, url=url)
    shown = store.engine.url.render_as_string(hide_password=True)
    kind = "the configured store" if real else "the demo's own store; --real-store uses the configured one"
    print(f"== demo store: {shown} ({kind})")
    return store


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "ingest": cmd_ingest,
    "brief": cmd_brief,
    "search": cmd_search,
    "ask": cmd_ask,
    "actor": cmd_actor_views,
    "trending": cmd_actor_views,
    "articles": cmd_articles,
    "feeds": cmd_feeds,
    "db": cmd_db,
    "actors": cmd_actors,
    "discord": cmd_discord,
    "chat": cmd_chat,
    "run": cmd_run,
    "demo": cmd_demo,
}


if __name__ == "__main__":
    raise SystemExit(main())
