"""``briefbot run``: the configured chat platforms, the scheduler, and a clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.adapters.console import console_poster
from bot.core import CommandCore
from bot.delivery import Deliverer
from bot.scheduler import BriefbotScheduler
from bot.secrets import Secrets
from config import Settings
from storage import actor_links, feedstore
from storage.store import Store
from summarizer.worker import ProcessSummarizer

log = logging.getLogger(__name__)


class NothingToRun(RuntimeError):
    """No chat platform is configured; the message names the variables to set."""


def platforms(settings: Settings, secrets: Secrets, *, console: bool) -> list[str]:
    """The platforms this instance will run, or a one-line explanation of what is missing."""
    chosen = []
    if secrets.slack_bot_token:
        missing = secrets.slack_missing(settings.slack.mode)
        if missing:
            raise NothingToRun(f"Slack ({settings.slack.mode} mode) also needs {' and '.join(missing)}")
        chosen.append("slack")
    if secrets.discord_bot_token:
        chosen.append("discord")
    if console:
        chosen.append("console")
    if not chosen:
        raise NothingToRun(
            "no chat platform configured: set SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) "
            "or SLACK_SIGNING_SECRET (HTTP mode), and/or DISCORD_BOT_TOKEN; "
            "or use --console, or `briefbot chat` to try the commands"
        )
    return chosen


async def run_once(scheduler: BriefbotScheduler, settings: Settings) -> int:
    """``--once``, for cron, CI and trying the scheduler by hand: poll the feeds that are due, post the
    digests that are due, and exit 1 when one could not be posted, so the cron job's status says so
    (the ledger keeps it failed, and the next run posts it)."""
    reports = await asyncio.to_thread(
        lambda: feedstore.poll_feeds(scheduler.store, settings.storage, due_only=True)
    )
    for report in reports:
        if report.error:
            print(f"briefbot: feed {report.feed}: {report.error}", file=sys.stderr)
    result = await scheduler.catch_up()
    if result.failed:
        print(
            f"briefbot: {result.failed} of {result.due} digest(s) due could not be posted (the log above "
            "says why); the next run tries again",
            file=sys.stderr,
        )
        return 1
    print(f"briefbot: {len(reports)} feed(s) polled, {result.due} digest(s) due", file=sys.stderr)
    return 0


async def run(
    settings: Settings,
    *,
    secrets: Secrets,
    console: bool = False,
    once: bool = False,
    stream: TextIO = sys.stdout,
) -> int:
    from bot.app import open_store, warm_up

    chosen = platforms(settings, secrets, console=console)
    store = open_store(settings, serving=not once)
    if not once:
        warm_up(store)  # before serving: a load mid-way holds up chat
    say_what_upgrades_left(store)
    deliverer = Deliverer(store=store)
    core = CommandCore(
        store=store,
        storage_settings=settings.storage,
        deliver=deliverer.post_now,
        max_pending=settings.chat.max_pending,
    )
    services = connect(chosen, deliverer, core, settings, secrets, stream)
    scheduler = BriefbotScheduler(store=store, deliverer=deliverer, storage_settings=settings.storage)
    if once:
        return await run_once(scheduler, settings)
    return await serve(scheduler, services, chosen, store)


def say_what_upgrades_left(store: Store) -> None:
    """One line each for what an upgrade left to do by hand, rather than minutes of work at start."""
    stale = store.count_stale_briefs()
    if stale:
        print(
            f"briefbot: {stale} stored article(s) have no brief from this summarizer version; "
            "`briefbot db rebrief` writes them",
            file=sys.stderr,
        )
    unlinked = actor_links.count_unlinked(store)
    if unlinked:  # after the upgrade to 0007: `actor` and `trending` do not see these articles yet
        print(
            f"briefbot: {unlinked} stored article(s) have actors not yet linked across articles; "
            "`briefbot db link-actors` links them",
            file=sys.stderr,
        )


def connect(
    chosen: list[str],
    deliverer: Deliverer,
    core: CommandCore,
    settings: Settings,
    secrets: Secrets,
    stream: TextIO,
) -> list[Callable[[], Awaitable[None]]]:
    """Each chosen platform's poster given to the deliverer, and its chat service to start (only
    when serving: ``--once`` needs the posters alone)."""
    if "console" in chosen:
        deliverer.posters["console"] = console_poster(stream)
    services: list[Callable[[], Awaitable[None]]] = []
    if "slack" in chosen:
        from bot.adapters.slack_app import run_slack, slack_poster

        deliverer.posters["slack"] = slack_poster(secrets, settings=settings.slack)
        services.append(lambda: run_slack(core, settings.slack, secrets))
    if "discord" in chosen:
        from bot.adapters.discord_bot import discord_poster, run_discord

        deliverer.posters["discord"] = discord_poster(secrets)
        services.append(lambda: run_discord(core, settings.discord, secrets))
    return services


async def serve(
    scheduler: BriefbotScheduler,
    services: list[Callable[[], Awaitable[None]]],
    chosen: list[str],
    store: Store,
) -> int:
    """The scheduler and the chat services until a signal or a service's end; then the posts in
    flight finish, the services stop, and a service's failure is the exit status."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler.start()  # its first reconcile pass, at once, posts what was missed while none ran
    tasks = [asyncio.ensure_future(service()) for service in services]
    print(f"briefbot: running {', '.join(chosen)}; stop with Ctrl-C", file=sys.stderr, flush=True)
    waiter = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    failed = [task for task in tasks if task in done and task.exception() is not None]
    print("briefbot: stopping; digests being posted finish first", file=sys.stderr, flush=True)
    await scheduler.shutdown()
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    if isinstance(store.summarizer, ProcessSummarizer):
        await asyncio.to_thread(store.summarizer.close)
    if failed:
        error = failed[0].exception()
        print(f"briefbot: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0
