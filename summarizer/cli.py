"""``python -m summarizer``: brief text files, one brief per file."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from config import ConfigError, SummarizerSettings, load_settings
from config.settings import SUMMARY_ALGORITHMS
from summarizer.textfile import MAX_BYTES, read_text

Reader = Callable[[Path, int], tuple[str, str | None]]
"""Reads a file (within a size cap) into its text and title: ``briefbot brief`` passes one that reads
PDF, Word and HTML files as ``briefbot ingest`` does; here, plain text without a title."""


def read_plain(path: Path, max_bytes: int) -> tuple[str, str | None]:
    return read_text(path, max_bytes=max_bytes), None


def build_parser(prog: str = "python -m summarizer") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write an extractive brief of each text file: the sentences that matter, "
        "the key actors and the key figures.",
    )
    add_brief_options(parser)
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="text or Markdown files to brief")
    return parser


def add_brief_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sentences", "-n", type=int, metavar="N", help="summary sentences (default 3)")
    parser.add_argument("--chars", type=int, metavar="N", help="character budget for the summary")
    parser.add_argument("--algorithm", choices=SUMMARY_ALGORITHMS, help="sentence ranking (default news)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON object a line")
    output.add_argument("--markdown", action="store_true", help="Markdown instead of plain text")
    parser.add_argument(
        "--config", type=Path, metavar="TOML", help="settings file (default $BRIEFBOT_CONFIG)"
    )


def settings_from(args: argparse.Namespace) -> SummarizerSettings:
    import dataclasses

    settings = load_settings(args.config).summarizer
    overrides = {"sentences": args.sentences, "max_chars": args.chars, "algorithm": args.algorithm}
    for name, value in overrides.items():
        if value is not None and name in {"sentences"} and value <= 0:
            raise ConfigError(f"--{name}: must be greater than 0, got {value}")
        if value is not None and name == "max_chars" and value < 0:
            raise ConfigError(f"--chars: must be 0 or more, got {value}")
    return dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def brief_files(
    files: Sequence[Path],
    settings: SummarizerSettings,
    *,
    as_json: bool,
    markdown: bool,
    prog: str,
    max_bytes: int = MAX_BYTES,
    read: Reader = read_plain,
) -> int:
    """Print a brief per readable file; one error line per file that cannot be briefed."""
    from summarizer.nlp import ModelNotInstalled
    from summarizer.pipeline import EmptyText, Summarizer
    from summarizer.render import to_markdown, to_text
    from summarizer.textfile import UnreadableFile

    texts: list[tuple[Path, tuple[str, str | None]]] = []
    failed = 0
    for path in files:
        try:
            texts.append((path, read(path, max_bytes)))
        except UnreadableFile as error:
            print(f"{prog}: {error}", file=sys.stderr)
            failed += 1
    summarizer = Summarizer(settings=settings)
    try:
        results = list(summarizer.brief_many(read for _, read in texts)) if texts else []
    except ModelNotInstalled as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    first = True
    for (path, _), result in zip(texts, results, strict=True):
        if isinstance(result, EmptyText):
            print(f"{prog}: {path}: {result}", file=sys.stderr)
            failed += 1
            continue
        if as_json:
            print(json.dumps({"file": str(path), **result.to_dict()}, ensure_ascii=False))
        else:
            if not first:
                print()
            print(to_markdown(result) if markdown else to_text(result, source=str(path)))
        first = False
        sys.stdout.flush()
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    prog = "python -m summarizer"
    args = build_parser(prog).parse_args(argv)
    try:
        settings = settings_from(args)
    except ConfigError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    return brief_files(args.files, settings, as_json=args.json, markdown=args.markdown, prog=prog)
