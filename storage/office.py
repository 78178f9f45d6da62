"""Recognising PDF and Word documents by their bytes, and reading them with the right reader.

A file's name or a server's content type says what it claims to be; the first bytes say what it is.
Both doors (``briefbot ingest`` and URLs) decide by the bytes, and refuse a document whose bytes and
name disagree with one line saying what it looks like, rather than briefing garbage.
"""

from __future__ import annotations

import io
import zipfile

from storage.docx_text import read_docx
from storage.office_text import OfficeText
from storage.pdf_text import read_pdf
from summarizer.textfile import UnreadableFile

PDF = "pdf"
DOCX = "docx"
OLD_OFFICE = "ole"  # Word 97-2003 (.doc), and .xls/.ppt: a compound file no reader here reads
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {
    "application/pdf": PDF,
    "application/x-pdf": PDF,
    DOCX_TYPE: DOCX,
    "application/msword": OLD_OFFICE,
}
KINDS = (PDF, DOCX, OLD_OFFICE)  # what read_office answers for: a text, or the reason it has none
COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the signature of an OLE2 compound file
LOOKS = {
    PDF: "a PDF document",
    DOCX: "a Word (DOCX) document",
    OLD_OFFICE: "an old-style Office file (Word 97-2003 .doc, .xls or .ppt)",
    "zip": "a ZIP archive that is not a Word document",
    "html": "an HTML page",
    "text": "plain text",
    "binary": "binary data",
    "empty": "an empty file",
}


def sniff(data: bytes) -> str:
    """What ``data`` is, by content alone: a key of ``LOOKS``."""
    head = data[:1024]
    if not data.strip():
        return "empty"
    if head.lstrip()[:5] == b"%PDF-":
        return PDF
    if head[:8] == COMPOUND_FILE:
        return OLD_OFFICE
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return DOCX if "word/document.xml" in archive.namelist() else "zip"
        except zipfile.BadZipFile:
            return "binary"
    if b"\x00" in head:
        return "binary"
    start = head.lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")):
        return "html"
    try:
        data[:8192].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < 8188:  # not just a character cut at the end of the sample
            return "binary"
    return "text"


def looks_like(kind: str) -> str:
    return LOOKS.get(kind, kind)


def read_office(data: bytes, name: str, *, max_bytes: int) -> OfficeText:
    """The text of a PDF or DOCX given as bytes, or ``UnreadableFile`` with the one-line reason."""
    kind = sniff(data)
    if kind == PDF:
        return read_pdf(data, name)
    if kind == DOCX:
        return read_docx(data, name, max_bytes=max_bytes)
    if kind == OLD_OFFICE:
        # No well-kept pure-Python reader of .doc exists (antiword and textract are programs, or
        # unmaintained): the one line says how to get a file that is read.
        raise UnreadableFile(f"{name}: an old Word 97-2003 (.doc) file: not read; save it as .docx or PDF")
    raise UnreadableFile(f"{name}: looks like {looks_like(kind)}, not a PDF or Word document")
