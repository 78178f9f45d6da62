"""Turning a path into documents to ingest: text, Markdown and HTML files, alone or in folders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config import StorageSettings
from summarizer.textfile import UnreadableFile, read_text

SUFFIXES = {".txt": "text", ".md": "text", ".markdown": "text", ".html": "html", ".htm": "html"}
DEFAULT_MAX_BYTES = StorageSettings().max_bytes


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


def check_size(path: Path, max_bytes: int) -> None:
    """Refuse a file over ``storage.max_bytes``, the limit pages and feeds have too, naming the setting."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # read_text says what is wrong with it
    if size > max_bytes and path.is_file():
        raise UnreadableFile(f"{path}: {_size(size)}, larger than storage.max_bytes ({_size(max_bytes)})")


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} MB"
    return f"{count / 1e3:.1f} kB" if count >= 1000 else f"{count} bytes"


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file; HTML goes through trafilatura to keep only the article."""
    check_size(path, max_bytes)
    if path.suffix.lower() in {".html", ".htm"}:
        from storage.extract import ExtractError, extract_html

        raw = read_text(path, max_bytes=max_bytes)
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
    return Document(location=str(path), text=read_text(path, max_bytes=max_bytes), source=str(path.parent))


def iter_documents(
    paths: list[Path], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | UnreadableFile]:
    """Each file's document, or the one-line reason it was refused: a bad file never stops the rest."""
    for root in paths:
        if not root.exists():
            yield UnreadableFile(f"{root}: no such file or folder")
            continue
        files = expand(root)
        if root.is_dir() and not files:
            yield UnreadableFile(f"{root}: no .txt, .md or .html files in this folder")
        for path in files:
            try:
                yield read_document(path, max_bytes=max_bytes)
            except UnreadableFile as error:
                yield error
