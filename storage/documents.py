"""Turning a path into documents to ingest: text, Markdown and HTML files, alone or in folders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from summarizer.textfile import UnreadableFile, read_text

SUFFIXES = {".txt": "text", ".md": "text", ".markdown": "text", ".html": "html", ".htm": "html"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """Text ready to store, with what is known of where it came from."""

    location: str
    text: str
    url: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    source: str | None = None


def expand(path: Path) -> list[Path]:
    """A file, or the briefable files of a folder (recursively, sorted, hidden files skipped)."""
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in SUFFIXES
            and not any(part.startswith(".") for part in p.parts)
        )
    return [path]


def read_document(path: Path) -> Document:
    """Read one file; HTML goes through trafilatura to keep only the article."""
    if path.suffix.lower() in {".html", ".htm"}:
        from storage.extract import ExtractError, extract_html

        raw = read_text(path)
        try:
            extracted = extract_html(raw)
        except ExtractError as error:
            raise UnreadableFile(f"{path}: {error}") from None
        return Document(
            location=str(path),
            text=extracted.text,
            title=extracted.title,
            published_at=extracted.published,
            source=str(path.parent),
        )
    return Document(location=str(path), text=read_text(path), source=str(path.parent))


def iter_documents(paths: list[Path]) -> Iterator[Document | UnreadableFile]:
    for root in paths:
        if not root.exists():
            yield UnreadableFile(f"{root}: no such file or folder")
            continue
        files = expand(root)
        if root.is_dir() and not files:
            yield UnreadableFile(f"{root}: no .txt, .md or .html files in this folder")
        for path in files:
            try:
                yield read_document(path)
            except UnreadableFile as error:
                yield error
