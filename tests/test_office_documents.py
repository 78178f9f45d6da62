"""PDF and Word documents through ``briefbot ingest`` and URLs: body text and title read, page
furniture (running headers, footers, page numbers) left out, and each refusal in one line.

The PDFs are drawn with reportlab and the DOCX files written with python-docx, so what is read is what
another program wrote, not what the reader expects.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from config import StorageSettings
from storage.documents import Document, iter_documents, read_document
from storage.pdf_text import join_lines
from storage.web import WebError, fetch_document
from summarizer.textfile import UnreadableFile
from tests import loopback

loopback_server = loopback.loopback_server

REPO = Path(__file__).resolve().parent.parent
TITLE = "Harbour Expansion Report"
HEADER = "Acme Harbour Authority — Annual Report 2024"
PAGES = (
    (
        "The harbour authority approved a second container berth on Tuesday after two years of review.",
        "Engineers expect dredging of the eastern channel to begin in March and to last eleven months.",
    ),
    (
        "Cargo volumes rose by twelve percent last year, driven mostly by grain exports to Egypt.",
        "The board warned that the cost of steel piles has nearly doubled since the plan was drafted.",
    ),
    (
        "Local fishing groups asked for a seasonal pause in the works to protect the spawning grounds.",
        "The authority will publish its environmental monitoring data every quarter on its website.",
    ),
)
BODY = [sentence for page in PAGES for sentence in page]
# The start of a Word 97-2003 file: the compound file's signature, then its header and sectors.
OLD_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Microsoft Word-Dokument\x00" * 40


def pdf_bytes(*, pages: tuple[tuple[str, ...], ...] = PAGES, text: bool = True) -> bytes:
    """A three-page report: a running header, a bare page number at the top, "Page n of 3" below."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    for number, sentences in enumerate(pages, start=1):
        if not text:
            page.rect(100, 300, 200, 150, fill=1)
            page.showPage()
            continue
        page.setFont("Helvetica", 9)
        page.drawString(72, 805, HEADER)
        page.drawString(520, 790, str(number))
        y = 750
        if number == 1:
            page.setFont("Helvetica-Bold", 20)
            page.drawString(72, y, TITLE)
            y -= 40
        page.setFont("Helvetica", 11)
        for sentence in sentences:
            page.drawString(72, y, sentence)
            y -= 24
        page.setFont("Helvetica", 9)
        page.drawString(270, 40, f"Page {number} of {len(pages)}")
        page.showPage()
    page.save()
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER
    section.footer.paragraphs[0].text = "Page 1 of 1 — internal use only"
    document.add_heading(TITLE, level=0)
    document.add_heading("Background", level=1)
    for sentence in BODY:
        document.add_paragraph(sentence)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="harbour", owner_password="authority")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def assert_body_only(document: Document) -> None:
    assert document.title == TITLE
    for sentence in BODY:
        assert sentence in document.text
    assert HEADER not in document.text
    assert "Page " not in document.text and "internal use only" not in document.text
    assert all(not line.strip().isdigit() for line in document.text.splitlines())


def test_pdf_body_and_title_without_headers_or_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes())
    document = read_document(path)
    assert_body_only(document)
    assert not document.text.startswith(TITLE)  # the title is the title, not the lead sentence


def typeset_pdf(lines: tuple[tuple[str, float], ...], *, meta_title: str | None = None) -> bytes:
    """One page of (text, font size) lines drawn top down with reportlab; ``meta_title`` in its
    document information, as a word processor's export writes one."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    if meta_title is not None:
        page.setTitle(meta_title)
    y = 800.0
    for text, size in lines:
        page.setFont("Helvetica-Bold" if size > 12 else "Helvetica", size)
        page.drawString(72, y, text)
        y -= size * 1.6
    page.showPage()
    page.save()
    return buffer.getvalue()


def test_pdf_title_and_headings_are_read_by_the_size_they_are_drawn_at(tmp_path: Path) -> None:
    """The title is the first page's largest print (over a template's metadata title, and wrapped
    over two lines); the small print above it, a one-page file's running header, is left out as
    furniture; a heading drawn larger than the body is a paragraph of its own rather than the start
    of the next sentence."""
    path = tmp_path / "berth.pdf"
    path.write_bytes(
        typeset_pdf(
            (
                ("Coastal Ports Bulletin", 8),
                ("Harbour Board Approves", 22),
                ("A Second Container Berth", 22),
                ("The harbour board approved a second container berth on Tuesday, the minutes say.", 11),
                ("Dredging of the eastern channel is expected to begin in March next year.", 11),
                ("Background", 15),
                ("Cargo volumes rose by twelve percent last year, driven by grain exports.", 11),
            ),
            meta_title="Microsoft Word - bulletin-template.docx",
        )
    )
    document = read_document(path)
    assert document.title == "Harbour Board Approves A Second Container Berth"
    assert document.text.split("\n\n") == [
        "The harbour board approved a second container berth on Tuesday, the minutes say.",
        "Dredging of the eastern channel is expected to begin in March next year.",
        "Background",
        "Cargo volumes rose by twelve percent last year, driven by grain exports.",
    ]


def test_wrapped_lines_are_joined_and_only_a_word_cut_by_a_hyphen_is_mended() -> None:
    lines = [
        "The harbour board approved the new berth by a very fine margin -",
        "a net gain for the port, said the chair, as the dredging of the east-",
        "ern channel begins in March.",
    ]
    assert join_lines(lines) == [
        "The harbour board approved the new berth by a very fine margin - a net gain for the port,"
        " said the chair, as the dredging of the eastern channel begins in March."
    ]


def test_a_pdf_in_one_size_keeps_its_metadata_title(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    sentences = tuple((sentence, 11.0) for sentence in BODY[:3])
    path.write_bytes(typeset_pdf(sentences, meta_title="Harbour Works Update"))
    document = read_document(path)
    assert document.title == "Harbour Works Update"
    assert document.text.split("\n\n") == list(BODY[:3])


def test_docx_body_and_title_without_header_or_footer(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(docx_bytes())
    document = read_document(path)
    assert_body_only(document)
    assert document.text.split("\n\n")[:2] == ["Background", BODY[0]]


def test_documents_are_told_by_content_and_found_in_folders(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(pdf_bytes())
    (tmp_path / "notes.docx").write_bytes(docx_bytes())
    (tmp_path / "unnamed").write_bytes(pdf_bytes())  # no suffix: read by its bytes
    found = list(iter_documents([tmp_path]))
    assert [type(d) for d in found] == [Document, Document]  # a folder takes only named files
    assert [d.title for d in iter_documents([tmp_path / "unnamed"]) if isinstance(d, Document)] == [TITLE]


def ingest(data: Path, *items: Path, command: str = "ingest") -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")},
        "BRIEFBOT_DATA_DIR": str(data),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", command, *map(str, items)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=REPO,
    )


def test_cli_brief_reads_pdf_and_docx_files_as_ingest_does(tmp_path: Path) -> None:
    """``briefbot brief FILE`` (a brief without storing) through the same readers: the title read,
    the furniture left out, an old .doc refused in one line while the other files are briefed."""
    (tmp_path / "report.pdf").write_bytes(pdf_bytes())
    (tmp_path / "report.docx").write_bytes(docx_bytes())
    (tmp_path / "minutes.doc").write_bytes(OLD_WORD)
    done = ingest(
        tmp_path, *(tmp_path / n for n in ("report.pdf", "report.docx", "minutes.doc")), command="brief"
    )
    assert done.returncode == 1  # one file refused
    assert done.stderr.strip().splitlines() == [
        f"briefbot: {tmp_path / 'minutes.doc'}: an old Word 97-2003 (.doc) file: not read;"
        " save it as .docx or PDF"
    ]
    assert done.stdout.count(TITLE) == 2 and BODY[0] in done.stdout
    assert HEADER not in done.stdout and "Page 2 of 3" not in done.stdout


def test_cli_ingest_stores_and_briefs_pdf_and_docx(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "report.pdf").write_bytes(pdf_bytes())
    (files / "minutes.docx").write_bytes(docx_bytes())
    done = ingest(tmp_path, files / "report.pdf", files / "minutes.docx")
    assert done.returncode == 0, done.stderr
    assert f"report.pdf: stored as #1 — {TITLE}" in done.stdout
    assert "2 new, 0 already stored, 0 failed" in done.stdout
    with sqlite3.connect(tmp_path / "briefbot.db") as db:
        title, text, brief = db.execute(
            "SELECT a.title, a.text, b.data FROM articles a JOIN briefs b ON b.article_id = a.id"
            " WHERE a.id = 1"
        ).fetchone()
    assert title == TITLE and HEADER not in text and "Page 2 of 3" not in text
    assert any(sentence in brief for sentence in BODY)


@pytest.mark.parametrize("content_type", ["application/pdf", "application/octet-stream"])
def test_url_serving_a_pdf_is_read(loopback_server: loopback.LoopbackServer, content_type: str) -> None:
    url = loopback_server.reply("/report", pdf_bytes(), content_type=content_type)
    document = fetch_document(url, StorageSettings(allow_hosts=("127.0.0.1",)))
    assert_body_only(document)
    assert document.url == url
    assert "application/pdf" in (loopback_server.requests("/report")[0].header("accept") or "")


def test_url_serving_a_docx_is_read(loopback_server: loopback.LoopbackServer) -> None:
    url = loopback_server.reply(
        "/minutes",
        docx_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    assert_body_only(fetch_document(url, StorageSettings(allow_hosts=("127.0.0.1",))))


def test_url_refusals(loopback_server: loopback.LoopbackServer) -> None:
    settings = StorageSettings(allow_hosts=("127.0.0.1",))
    fake = loopback_server.reply(
        "/fake.pdf", "<html><body><p>Not a PDF.</p></body></html>", content_type="application/pdf"
    )
    locked = loopback_server.reply("/locked", encrypted_pdf_bytes(), content_type="application/pdf")
    blob = loopback_server.reply("/blob", b"\x00\x01\x02 binary", content_type="application/octet-stream")
    old = loopback_server.reply("/minutes", OLD_WORD, content_type="application/msword")
    for url, line in [
        (old, f"{old}: an old Word 97-2003 (.doc) file: not read; save it as .docx or PDF"),
        (fake, f"{fake}: served as application/pdf but looks like an HTML page"),
        (locked, f"{locked}: encrypted PDF: not read"),
        (blob, f"{blob}: looks like binary data, not a PDF or Word document"),
    ]:
        with pytest.raises(WebError) as caught:
            fetch_document(url, settings)
        assert str(caught.value) == line and caught.value.permanent


def test_refusals_are_one_line_each_and_store_nothing(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "locked.pdf").write_bytes(encrypted_pdf_bytes())
    (files / "scan.pdf").write_bytes(pdf_bytes(text=False))
    (files / "page.pdf").write_text("<!DOCTYPE html><html><body><p>A web page.</p></body></html>")
    with io.BytesIO() as archive_bytes:
        with zipfile.ZipFile(archive_bytes, "w") as archive:
            archive.writestr("notes.txt", "Not a Word document.")
        (files / "archive.docx").write_bytes(archive_bytes.getvalue())
    (files / "really-a-pdf.txt").write_bytes(pdf_bytes())
    (files / "minutes.doc").write_bytes(OLD_WORD)
    (files / "notes.doc").write_text("Plain notes, saved with the wrong name.")
    done = ingest(tmp_path, files)  # a folder: the .doc files are found, and refused by name
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"briefbot: {files / 'archive.docx'}: named .docx but looks like a ZIP archive"
        " that is not a Word document",
        f"briefbot: {files / 'locked.pdf'}: encrypted PDF: not read",
        f"briefbot: {files / 'minutes.doc'}: an old Word 97-2003 (.doc) file: not read;"
        " save it as .docx or PDF",
        f"briefbot: {files / 'notes.doc'}: named .doc but looks like plain text",
        f"briefbot: {files / 'page.pdf'}: named .pdf but looks like an HTML page",
        f"briefbot: {files / 'really-a-pdf.txt'}: named .txt but looks like a PDF document",
        f"briefbot: {files / 'scan.pdf'}: no text to read; OCR is not supported",
    ]
    assert "0 new, 0 already stored, 7 failed" in done.stdout
    db = tmp_path / "briefbot.db"
    if db.exists():
        with sqlite3.connect(db) as connection:
            assert connection.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_a_document_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes())
    refused = list(iter_documents([path], max_bytes=1000))
    assert len(refused) == 1 and isinstance(refused[0], UnreadableFile)
    assert str(refused[0]).startswith(f"{path}: ") and "larger than storage.max_bytes (1.0 kB)" in str(
        refused[0]
    )
