"""The text of a Word document (python-docx): the body's paragraphs, its title and headings.

Section headers and footers (and so page numbers) live outside the body in a DOCX, so reading only
``document.paragraphs`` leaves them out. The title is the core properties' title, else the first
Title or Heading paragraph.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml.etree import LxmlError  # type: ignore[import-untyped]

from storage.office_text import OfficeText
from summarizer.textfile import UnreadableFile

BLOAT = 20  # the body's XML may unpack to this many times storage.max_bytes, not more (a zip bomb)
# What python-docx, zipfile and lxml raise on a damaged file (a cut or altered archive, broken XML):
# such a file is refused in one line, never a crash.
DAMAGED: tuple[type[Exception], ...] = (PackageNotFoundError, zipfile.BadZipFile, zlib.error, LxmlError)
DAMAGED += (KeyError, ValueError, AttributeError, TypeError, IndexError, EOFError, NotImplementedError)


def read_docx(data: bytes, name: str, *, max_bytes: int) -> OfficeText:
    """Title and body paragraphs of a DOCX, or ``UnreadableFile``: damaged, too big inside, or empty."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > BLOAT * max_bytes:
            raise UnreadableFile(f"{name}: unpacks to {unpacked / 1e6:.0f} MB, too large to read")
        document = docx.Document(io.BytesIO(data))
        core_title = document.core_properties.title
        found = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
    except UnreadableFile:
        raise
    except DAMAGED as error:
        raise UnreadableFile(f"{name}: damaged Word document ({type(error).__name__})") from None
    paragraphs = [(style or "", " ".join(text.split())) for style, text in found if text.strip()]
    title = " ".join(core_title.split()) if core_title and core_title.strip() else None
    if paragraphs and _is_title_style(paragraphs[0][0]) and (title is None or paragraphs[0][1] == title):
        title = paragraphs.pop(0)[1]
    if not paragraphs:
        raise UnreadableFile(f"{name}: no text to read")
    return OfficeText(title=title, paragraphs=tuple(text for _style, text in paragraphs))


def _is_title_style(style: str) -> bool:
    return style == "Title" or style.startswith("Heading")
