"""Does the brief of a report still come from its body when the report opens with front matter?

Why this script exists: the ranker is fitted on news, where the lead is the story. A report (a PDF
or Word file) often opens with a table of contents or a preface, and a lead-loving ranker would
brief those. Real reports with reference summaries are not at hand, so report-like texts are built
from real BBC articles (``../shared/data/bbc_news_summary.jsonl``, read at run time) by putting
front matter before the article: (a) a table of contents, (b) a preface / foreword /
acknowledgements section, (c) both. The front matter varies per article (seeded by its position).

For each variant it reports the share of summary sentences that are not the article's (front
matter or the inserted section heading), and ROUGE-1/2 F1 x100 (``rouge-score``,
``use_stemmer=True``) of the brief against the BBC reference summary and against the plain
article's brief of the same run (which scores 100 against itself).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from common import BBC, command_line, data_path, display_path, markdown_table
from fitting import BbcArticle, load_bbc
from rouge_score import rouge_scorer

from summarizer import Brief, EmptyText, Summarizer

VARIANTS = ("plain", "toc", "preface", "toc+preface")
SECTIONS = (
    "Executive summary", "Background", "Methodology", "Findings", "Market overview",
    "Policy context", "Recommendations", "Risks and outlook", "Case studies", "Conclusions",
    "Annex A: Data sources", "Annex B: Glossary",
)  # fmt: skip
PREFACE_HEADINGS = ("Preface", "Foreword", "About this report")
PREFACE_PARAGRAPHS = (
    "This report was prepared by the research unit at the request of the board. It draws on "
    "published sources, interviews and data available at the time of writing.",
    "The views expressed in this report are those of the authors and do not necessarily reflect the "
    "official position of the organisation or its members. Any errors remain our own.",
    "We are grateful to the many colleagues and partners who gave their time and shared their "
    "expertise. Their comments on earlier drafts improved this report greatly.",
    "This publication is intended for general information only. It should not be relied upon as "
    "advice, and no liability is accepted for any loss arising from its use.",
)
ACKNOWLEDGEMENTS = (
    "Acknowledgements",
    "The authors would like to thank the steering group and the external reviewers for their "
    "helpful comments and advice.",
)
_SPACES = re.compile(r"\s+")


def table_of_contents(rng: random.Random) -> tuple[list[str], str]:
    """A contents block (dot leaders and page numbers, sometimes plain spacing) and the first section's
    numbered title, which heads the body as it would in the report."""
    titles = ["Introduction", *rng.sample(SECTIONS, rng.randint(3, 6))]
    page = rng.randint(2, 5)
    leaders = rng.random() < 0.7
    lines = [rng.choice(("Contents", "Table of Contents", "CONTENTS"))]
    for number, title in enumerate(titles, 1):
        filler = " " + "." * rng.randint(6, 30) + " " if leaders else "  "
        lines.append(f"{number}. {title}{filler}{page}")
        page += rng.randint(1, 9)
    return lines, f"1. {titles[0]}"


def preface(rng: random.Random) -> list[str]:
    """One or two generic front-matter paragraphs under a heading, sometimes an acknowledgements part."""
    blocks = [rng.choice(PREFACE_HEADINGS), *rng.sample(PREFACE_PARAGRAPHS, rng.randint(1, 2))]
    if rng.random() < 0.5:
        blocks += list(ACKNOWLEDGEMENTS)
    return blocks


def report_text(article: BbcArticle, variant: str, seed: int) -> str:
    """The article as a report: its title, the variant's front matter, a section heading, the text."""
    if variant == "plain":
        return f"{article.title}\n\n{article.text}"
    rng = random.Random(seed)
    toc, heading = table_of_contents(rng)
    parts = [article.title]
    if variant in ("toc", "toc+preface"):
        parts.append("\n".join(toc))
    if variant in ("preface", "toc+preface"):
        parts += preface(rng)
    parts += [heading, article.text]
    return "\n\n".join(parts)


def flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def foreign_share(brief: Brief, article: BbcArticle) -> tuple[int, int]:
    """(sentences not found in the plain article, sentences) of a brief's summary."""
    plain = flat(f"{article.title} {article.text}")
    return sum(flat(s) not in plain for s in brief.summary), len(brief.summary)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC), help="bbc_news_summary.jsonl")
    parser.add_argument("--limit", type=int, default=300, help="articles, spread evenly over the file")
    args = parser.parse_args(argv)

    rows = load_bbc(Path(args.bbc))
    step = max(1, len(rows) // args.limit)
    articles = rows[::step][: args.limit]
    summarizer = Summarizer()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    briefs: dict[str, list[Brief | EmptyText]] = {}
    for variant in VARIANTS:
        texts = [report_text(a, variant, seed=i) for i, a in enumerate(articles)]
        briefs[variant] = list(summarizer.brief_many(texts))

    table = []
    for variant in VARIANTS:
        foreign = total = 0
        vs_ref: list[tuple[float, float]] = []
        vs_plain: list[tuple[float, float]] = []
        for article, brief, plain in zip(articles, briefs[variant], briefs["plain"], strict=True):
            if not isinstance(brief, Brief) or not isinstance(plain, Brief):
                continue
            f, n = foreign_share(brief, article)
            foreign, total = foreign + f, total + n
            summary = "\n".join(brief.summary)
            for target, into in (
                ("\n".join(article.summary_sentences), vs_ref),
                ("\n".join(plain.summary), vs_plain),
            ):
                score = scorer.score(target, summary)
                into.append((100 * score["rouge1"].fmeasure, 100 * score["rouge2"].fmeasure))
        table.append(
            [
                variant,
                len(vs_ref),
                f"{100 * foreign / max(total, 1):.1f}%",
                *(f"{statistics.fmean(s[k] for s in vs_ref):.2f}" for k in (0, 1)),
                *(f"{statistics.fmean(s[k] for s in vs_plain):.2f}" for k in (0, 1)),
            ]
        )
    print(f"`{command_line()}` ({len(articles)} articles of {display_path(Path(args.bbc))})\n")
    print(
        markdown_table(
            [
                "lead",
                "briefs",
                "summary sentences not from the article",
                "R-1 vs ref",
                "R-2 vs ref",
                "R-1 vs plain brief",
                "R-2 vs plain brief",
            ],
            table,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
