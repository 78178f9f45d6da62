"""Damaged PDF and Word files, as a chat user can share them: each is read or refused in one line.

A file shared in Slack or Discord reaches ``document_from_bytes`` as whatever bytes the sharer sent.
Real files drawn by reportlab and written by python-docx are damaged at random (bytes flipped,
cut short, spliced with pieces of themselves) and must come out as a ``Document`` or an
``UnreadableFile`` with one line of reason, never another exception; the suite's hypothesis profile.
"""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import StorageSettings
from storage.documents import Document, document_from_bytes
from summarizer.textfile import UnreadableFile
from tests.test_office_documents import docx_bytes, pdf_bytes, typeset_pdf

SETTINGS = StorageSettings(max_bytes=2_000_000)


@cache
def originals() -> tuple[tuple[str, bytes], ...]:
    titled = typeset_pdf((("Harbour Board Approves a Berth", 20), ("The board approved it on Tuesday.", 11)))
    return (("report.pdf", pdf_bytes()), ("titled.pdf", titled), ("report.docx", docx_bytes()))


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    name, data = draw(st.sampled_from(originals()))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        how = draw(st.sampled_from(("flip", "cut", "splice", "zero")))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if how == "flip":
            out[at] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del out[at:]
        elif how == "splice":
            start = draw(st.integers(0, len(data) - 1))
            out[at:at] = data[start : start + draw(st.integers(1, 400))]
        else:
            out[at : at + draw(st.integers(1, 64))] = bytes(draw(st.integers(1, 64)))
        if not out:
            break
    return name, bytes(out)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(file=damaged())
def test_a_damaged_pdf_or_word_file_is_read_or_refused_in_one_line(file: tuple[str, bytes]) -> None:
    name, data = file
    try:
        document = document_from_bytes(data, name, SETTINGS)
    except UnreadableFile as refused:
        reason = str(refused)
        assert reason.startswith(name) and "\n" not in reason and len(reason) < 300
        return
    assert isinstance(document, Document) and document.text.strip()
    assert "\x00" not in document.text and (document.title is None or "\n" not in document.title)
