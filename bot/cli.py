"""The ``briefbot`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from config import ConfigError
from summarizer.cli import add_brief_options, brief_files, settings_from

PROG = "briefbot"


def samples_dir() -> Path:
    """The sample articles shipped with briefbot (used by the demo and the tests)."""
    return Path(__file__).resolve().parent / "samples"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Keep a team briefed in its chat: brief articles, post daily digests, "
        "search and answer questions over what was read.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    brief = commands.add_parser("brief", help="brief text files", description="Brief one or more text files.")
    add_brief_options(brief)
    brief.add_argument("files", nargs="+", metavar="FILE", type=Path)

    demo = commands.add_parser(
        "demo",
        help="brief the sample articles shipped with briefbot",
        description="Brief the sample articles shipped with briefbot.",
    )
    add_brief_options(demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
    except ConfigError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    if args.command == "brief":
        return brief_files(args.files, settings, as_json=args.json, markdown=args.markdown, prog=PROG)
    if args.command == "demo":
        files = sorted(samples_dir().glob("*.txt"))
        return brief_files(files, settings, as_json=args.json, markdown=args.markdown, prog=PROG)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    raise SystemExit(main())
