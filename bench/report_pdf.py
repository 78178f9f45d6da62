"""Reports as PDF files: is what the bot reads from a typeset report the report, and its brief the same?

Why this script exists: the PDF reader (``storage.pdf_text``) is tested on a few small files; real
reports wrap paragraphs over lines and pages, carry running headers and page numbers, and their
metadata titles are often a template's. Real PDF reports with reference summaries are not at hand,
so BBC articles (``../shared/data/bbc_news_summary.jsonl``, read at run time, none in the repository)
are typeset as reports with reportlab's platypus, by another library than the reader: a title in
large print, a "1. Introduction" heading, the article's paragraphs wrapped in body text, a running
header and a page number on every page, and in the ``front matter`` variant a table of contents and
a preface first (``bench/report_leads.py``'s); in ``two columns`` the long reports are set in two
columns a page, as newsletters are. A third of the files carry the real title in their
metadata, a third a template's ("Microsoft Word - report-template.docx"), a third none.

Each file goes through the door a chat file takes (``document_from_bytes``) and is measured:
the title read is the report's; no header or page-number line is left in the text; the share of the
article's sentences found whole in the text (wrapping and hyphenation undone); and the brief of the
PDF against the brief of the same report given as plain text (ROUGE-1/2 F1 x100, ``rouge-score``
with stemming; 100 is the same brief) and against the BBC reference summary.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from common import BBC, command_line, data_path, display_path, markdown_table
from fitting import BbcArticle, load_bbc
from pypdf import PdfReader
from report_leads import flat, foreign_share, preface, table_of_contents
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, SimpleDocTemplate, Spacer
from rouge_score import rouge_scorer

from config import StorageSettings
from storage.documents import document_from_bytes
from summarizer import Brief, Summarizer

VARIANTS = ("plain", "front matter", "long", "two columns")
CHAPTERS = 6  # articles of one category made one long report's chapters
ORGANISATIONS = ("Northfield Policy Institute", "Coastal Research Unit", "Office for Regional Studies")
TEMPLATE_TITLE = "Microsoft Word - report-template.docx"
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
STYLES = getSampleStyleSheet()
TITLE_STYLE = ParagraphStyle("ReportTitle", parent=STYLES["Title"], fontSize=20, leading=24)
HEADING_STYLE = ParagraphStyle("ReportHeading", parent=STYLES["Heading2"], fontSize=14, leading=18)
BODY_STYLE = ParagraphStyle("ReportBody", parent=STYLES["BodyText"], fontSize=10.5, leading=14)


@dataclass(frozen=True, slots=True)
class Report:
    article: BbcArticle
    variant: str
    header: str  # the running header on every page
    blocks: tuple[tuple[str, str], ...]  # (style: title | heading | body, text), in order
    meta_title: str | None

    @property
    def plain_text(self) -> str:
        """The same report as a text file would hold it: its blocks, blank lines between."""
        return "\n\n".join(text for _, text in self.blocks)


def build(article: BbcArticle, variant: str, seed: int) -> Report:
    rng = random.Random(seed)
    organisation = rng.choice(ORGANISATIONS)
    blocks: list[tuple[str, str]] = [("title", title_of(article))]
    toc, first_heading = table_of_contents(rng)
    if variant in ("long", "two columns"):  # its chapters' headings are the articles' titles
        blocks += [("heading", "Summary"), ("body", " ".join(article.summary_sentences))]
        for title, text in zip(article.title.split(" | ")[1:], article.text.split("\n\n\n"), strict=True):
            blocks.append(("heading", title))
            blocks += [("body", " ".join(p.split())) for p in text.split("\n") if p.strip()]
        meta = (blocks[0][1], TEMPLATE_TITLE, None)[seed % 3]
        return Report(article, variant, f"{organisation} — {blocks[0][1]}", tuple(blocks), meta)
    if variant == "front matter":
        blocks += [("heading", toc[0]), *(("body", line) for line in toc[1:])]
        front = preface(rng)
        blocks += [("heading", front[0]), *(("body", text) for text in front[1:])]
    blocks.append(("heading", first_heading))
    blocks += [("body", " ".join(p.split())) for p in article.text.split("\n") if p.strip()]
    meta = (article.title, TEMPLATE_TITLE, None)[seed % 3]
    return Report(article, variant, f"{organisation} — {article.title}", tuple(blocks), meta)


def long_report(group: Sequence[BbcArticle], number: int) -> BbcArticle:
    """Articles of one category as one report: chapters under their titles after a summary (the
    first article's reference sentences), titled "<Category> review <n>"."""
    title = f"{group[0].category.title()} review {number}"
    return BbcArticle(
        id=f"long_{number:03d}",
        category=group[0].category,
        title=" | ".join([title, *(a.title for a in group)]),
        text="\n\n\n".join(a.text.replace("\n\n\n", "\n\n") for a in group),
        summary_sentences=group[0].summary_sentences,
    )


def title_of(article: BbcArticle) -> str:
    return article.title.split(" | ")[0]


def typeset(report: Report) -> bytes:
    """The report as an A4 PDF: platypus flows the blocks over pages; each page gets the running
    header and its number ("Page 3" or "- 3 -")."""
    buffer = io.BytesIO()
    numbering = ("Page {}", "- {} -")[report.article.number % 2]

    def furniture(canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(document.leftMargin, A4[1] - 40, report.header)
        canvas.drawCentredString(A4[0] / 2, 30, numbering.format(canvas.getPageNumber()))
        canvas.restoreState()

    styles = {"title": TITLE_STYLE, "heading": HEADING_STYLE, "body": BODY_STYLE}
    story = []
    for style, text in report.blocks:
        story += [Paragraph(escape(text), styles[style]), Spacer(1, 4)]
    if (
        report.variant == "two columns"
    ):  # a newsletter's layout: the text flows down one column, then the next
        document: SimpleDocTemplate | BaseDocTemplate = BaseDocTemplate(
            buffer, pagesize=A4, title=report.meta_title or ""
        )
        width = (document.width - 18) / 2
        columns = [
            Frame(document.leftMargin + n * (width + 18), document.bottomMargin, width, document.height)
            for n in range(2)
        ]
        document.addPageTemplates([PageTemplate(id="columns", frames=columns, onPage=furniture)])
        document.build(story)
        return buffer.getvalue()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=report.meta_title or "")
    document.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def sentences(article: BbcArticle) -> list[str]:
    return [flat(s) for p in article.text.split("\n") if p.strip() for s in SENTENCE.split(p.strip())]


def furniture_left(text: str, report: Report) -> bool:
    """Whether a running header or a page number survived into the text."""
    lines = [flat(line) for line in text.splitlines()]
    numbered = re.compile(r"(?:Page \d+|- \d+ -)")
    return any(report.header in line or numbered.fullmatch(line) for line in lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC), help="bbc_news_summary.jsonl")
    parser.add_argument("--limit", type=int, default=200, help="articles, spread evenly over the file")
    args = parser.parse_args(argv)

    rows = load_bbc(Path(args.bbc))
    step = max(1, len(rows) // args.limit)
    articles = rows[::step][: args.limit]
    summarizer = Summarizer()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    settings = StorageSettings()
    table = []
    groups = [rows[i : i + CHAPTERS] for i in range(0, len(rows), step * CHAPTERS)]
    longs = [
        long_report(g, n)
        for n, g in enumerate(groups[: max(1, args.limit // CHAPTERS)])
        if len(g) == CHAPTERS
    ]
    for variant in VARIANTS:
        chosen = longs if variant in ("long", "two columns") else articles
        reports = [build(a, variant, seed=i) for i, a in enumerate(chosen)]
        started = time.perf_counter()
        files = [typeset(r) for r in reports]
        typeset_seconds = time.perf_counter() - started
        started = time.perf_counter()
        read = [document_from_bytes(data, "report.pdf", settings) for data in files]
        read_seconds = time.perf_counter() - started
        pages = [len(PdfReader(io.BytesIO(data)).pages) for data in files]
        from_pdf = list(summarizer.brief_many([d.text for d in read]))
        from_text = list(summarizer.brief_many([r.plain_text.split("\n\n", 1)[1] for r in reports]))
        titles = sum(
            flat(d.title or "") == flat(title_of(r.article)) for d, r in zip(read, reports, strict=True)
        )
        left = sum(furniture_left(d.text, r) for d, r in zip(read, reports, strict=True))
        whole = [sentences(r.article) for r in reports]
        found = sum(sum(s in flat(d.text) for s in ss) for d, ss in zip(read, whole, strict=True))
        vs_text: list[tuple[float, float]] = []
        vs_ref: list[tuple[float, float]] = []
        foreign = total = 0
        for report, pdf_brief, text_brief in zip(reports, from_pdf, from_text, strict=True):
            if not isinstance(pdf_brief, Brief) or not isinstance(text_brief, Brief):
                continue
            f, n = foreign_share(pdf_brief, report.article)
            foreign, total = foreign + f, total + n
            summary = "\n".join(pdf_brief.summary)
            for target, into in (
                ("\n".join(text_brief.summary), vs_text),
                ("\n".join(report.article.summary_sentences), vs_ref),
            ):
                score = scorer.score(target, summary)
                into.append((100 * score["rouge1"].fmeasure, 100 * score["rouge2"].fmeasure))
        count = len(reports)
        table.append(
            [
                variant,
                count,
                f"{statistics.fmean(pages):.1f}",
                f"{100 * titles / count:.1f}%",
                f"{100 * left / count:.1f}%",
                f"{100 * found / max(1, sum(map(len, whole))):.1f}%",
                f"{100 * foreign / max(total, 1):.1f}%",
                "/".join(f"{statistics.fmean(s[k] for s in vs_text):.2f}" for k in (0, 1)),
                "/".join(f"{statistics.fmean(s[k] for s in vs_ref):.2f}" for k in (0, 1)),
                f"{1000 * read_seconds / count:.0f} ms ({1000 * typeset_seconds / count:.0f} ms)",
            ]
        )
    print(
        f"`{command_line()}` ({len(articles)} articles of {display_path(Path(args.bbc))}; "
        f"{len(longs)} long reports of {CHAPTERS} articles each)\n"
    )
    print(
        markdown_table(
            [
                "report",
                "files",
                "pages",
                "title read right",
                "header or page number left in",
                "article sentences read whole",
                "brief sentences not from the article",
                "R-1/2 vs the text's brief",
                "R-1/2 vs BBC summary",
                "read per file (typeset)",
            ],
            table,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
