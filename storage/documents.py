"""Turning a path into documents to ingest: text, Markdown, HTML, PDF and Word files, alone or in folders.

PDF and Word files are told by their bytes, not their names (``storage.office``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from config import StorageSettings
from storage import office
from summarizer.textfile import UnreadableFile, decode_text, read_text

SUFFIXES = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": office.PDF,
    ".docx": office.DOCX,
    ".doc": office.OLD_OFFICE,  # found in folders, to be refused by name rather than passed over
}
SNIFF_BYTES = 8192
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
        raise UnreadableFile(too_large(str(path), size, max_bytes))


def too_large(name: str, size: int, max_bytes: int) -> str:
    """The one line refusing a file over ``storage.max_bytes``; chat adapters say it before downloading."""
    return f"{name}: {_size(size)}, larger than storage.max_bytes ({_size(max_bytes)})"


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1e6:.1f} MB"
    return f"{count / 1e3:.1f} kB" if count >= 1000 else f"{count} bytes"


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file; HTML goes through trafilatura to keep only the article, PDF and DOCX their readers."""
    check_size(path, max_bytes)
    where, source = str(path), str(path.parent)
    head = _head(path)
    if head is not None:
        found = _office_document(head, path.read_bytes, where, path.suffix, source, max_bytes)
        if found is not None:
            return found
    if path.suffix.lower() in {".html", ".htm"}:
        return _html_document(read_text(path, max_bytes=max_bytes), where, source)
    return Document(location=where, text=read_text(path, max_bytes=max_bytes), source=source)


def document_from_bytes(data: bytes, name: str, settings: StorageSettings) -> Document:
    """A file handed over as bytes (a chat attachment) read as ``read_document`` reads one on disk.

    The same size cap, the same sniffing of PDF and DOCX by their bytes and the same one-line
    refusals, so a file shared in chat is briefed, or refused, exactly as ``briefbot ingest`` would.
    ``name`` is the file's name as its sender gave it: its extension is the claim the bytes must bear
    out. Raises ``UnreadableFile``.
    """
    if len(data) > settings.max_bytes:
        raise UnreadableFile(too_large(name, len(data), settings.max_bytes))
    suffix = Path(name).suffix.lower()
    found = _office_document(data, lambda: data, name, suffix, name, settings.max_bytes)
    if found is not None:
        return found
    claimed = SUFFIXES.get(suffix)
    if claimed == "html" or office.sniff(data) == "html":
        return _html_document(decode_text(data, name), name, name)
    if claimed is None and suffix:
        raise UnreadableFile(f"{name}: not a .txt, .md, .html, .pdf or .docx file")
    return Document(location=name, text=decode_text(data, name), source=name)


def _office_document(
    head: bytes, whole: Callable[[], bytes], where: str, suffix: str, source: str, max_bytes: int
) -> Document | None:
    """The PDF or DOCX document when the first bytes (``head``) are one or the name's ``suffix``
    claims one, refusing a claim the bytes do not bear out (and an old .doc); None for any other file."""
    claimed = SUFFIXES.get(suffix.lower())
    kind = office.sniff(head)
    if kind not in office.KINDS and claimed not in office.KINDS:
        return None
    if claimed is not None and claimed != kind:
        raise UnreadableFile(f"{where}: named {suffix} but looks like {office.looks_like(kind)}")
    read = office.read_office(whole(), where, max_bytes=max_bytes)
    return Document(location=where, text=read.text, title=read.title, source=source)


def _html_document(raw: str, where: str, source: str) -> Document:
    """A page's article, its title and date, as trafilatura reads them."""
    from storage.extract import ExtractError, extract_html

    try:
        extracted = extract_html(raw)
    except ExtractError as error:
        raise UnreadableFile(f"{where}: {error}") from None
    return Document(
        location=where,
        text=extracted.text,
        title=extracted.title,
        published_at=extracted.published,
        source=source,
    )


def _head(path: Path) -> bytes | None:
    """The first bytes, enough to tell what a file is; a ZIP is read whole, since its index is at the end."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            return head + handle.read() if head[:4] == b"PK\x03\x04" else head
    except OSError:
        return None  # read_text says what is wrong with it


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
            yield UnreadableFile(f"{root}: no .txt, .md, .html, .pdf or .docx files in this folder")
        for path in files:
            try:
                yield read_document(path, max_bytes=max_bytes)
            except UnreadableFile as error:
                yield error
