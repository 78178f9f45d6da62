"""Strip what is not the story from a saved article, and find its title.

Articles saved from the web carry share widgets ("Print Friendly, PDF & Email", "Send to Kindle"),
photo credits, bylines and wire datelines ("Kathmandu, Nepal (CNN)"). None of that may reach a
brief, an actor or a figure, so it is removed here, before any model sees the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from summarizer.report_front import strip_front_matter

# Short lines made only of share/navigation widgets. Matched against the whole line, lowercased,
# after bullets are stripped.
_WIDGET_WORDS = (
    r"print|print friendly|pdf|email|e-mail|send to kindle|kindle|share|share this|share this article|"
    r"share on \w+|tweet|facebook|twitter|x|whatsapp|linkedin|pinterest|reddit|telegram|messenger|"
    r"copy link|comments?|\d+ comments?|advertisement|sponsored|skip to (?:main )?content|subscribe|"
    r"sign up|log in|login|menu|read more|related|related articles|more from \w+|follow us|"
    r"click to \w+(?: on \w+)?|save|bookmark|listen to this article|getty images"
)
_WIDGET_LINE = re.compile(rf"^(?:(?:{_WIDGET_WORDS})\s*(?:[,&/|•·+-]|and)?\s*)+$", re.IGNORECASE)
_BULLET = re.compile(r"^[\s•·●▪◦*>\-–—]+")
# Photo and image credits, captions marked as such, and bracketed media notes.
_CREDIT_LINE = re.compile(
    r"^[\[(]?\s*(?:photo|photos|image|images|picture|video|credit|photo credit|image credit|"
    r"photograph|illustration|source|file photo)\s*(?:credit)?\s*[:/|-]",
    re.IGNORECASE,
)
_BRACKETED_LINE = re.compile(r"^\[[^\]]*\]?$|^\[[^\]]*$")
_WIRE_CREDIT = re.compile(r"^\(?(?:AP|AFP|Reuters|Getty Images|EPA|PA)\s*(?:Photo)?(?:/[\w .]+)?\)?$")
# "Kathmandu, Nepal (CNN)" / "(The Hollywood Reporter)" / "LONDON (Reuters) -" at the very start.
_DATELINE = re.compile(
    r"^(?:[A-Z][\w.' -]{0,40}(?:,\s*[A-Z][\w.' -]{0,30})?\s*)?\((?:[A-Z][\w .&'-]{1,40})\)"
    # The source is glued to the story ("(CNN)They") or set off by a dash ("(Reuters) - Shares"); an
    # acronym in running text ("The Central Bank of Valmora (CBV) cut") is neither.
    r"(?:(?=[A-Z\"“‘'])|\s*(?:--|—|–|-)\s+)"
)
# Daily Mail style bylines folded into the first line: "By . Jane Doe . PUBLISHED: . 10:30 EST, ... ."
_BYLINE = re.compile(
    r"^(?:By\s*\.\s*[^.]{1,80}\.\s*(?:and\s*\.?\s*[^.]{1,80}\.\s*)?)?"
    r"(?:(?:PUBLISHED|UPDATED|Last updated)\s*:\s*\.?\s*[^|]{0,60}?\d{4}\s*\.?\s*\|?\s*\.?\s*)+",
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TERMINAL = ".!?…:;\"'”’)"

MAX_TITLE_CHARS = 200


@dataclass(frozen=True, slots=True)
class CleanText:
    """The story alone: a title if the text has one, and its paragraphs in order."""

    title: str | None
    paragraphs: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def normalize(text: str) -> str:
    """Unicode NFC, one kind of newline and space, no invisible or control characters."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def is_boilerplate(line: str) -> bool:
    """A line that belongs to the page around the story, not to the story."""
    bare = _BULLET.sub("", line).strip()
    if not bare:
        return True
    if len(bare) <= 80 and _WIDGET_LINE.match(bare):
        return True
    if len(bare) <= 200 and (_CREDIT_LINE.match(bare) or _BRACKETED_LINE.match(bare)):
        return True
    return len(bare) <= 60 and bool(_WIRE_CREDIT.match(bare))


def _looks_like_title(line: str, following: list[str]) -> bool:
    if not following or len(line) > MAX_TITLE_CHARS or len(line.split()) < 2:
        return False
    if line.endswith(tuple(_TERMINAL)) and not line.endswith("?"):
        return False
    # A title is shorter than the paragraph after it.
    return len(line) < max(len(following[0]), 1) or len(following) > 1


def clean(text: str) -> CleanText:
    """Separate the story from the page: title, then paragraphs, boilerplate removed.

    A report's leading table of contents and preface go too: a news-fitted ranker would brief them.
    """
    lines = strip_front_matter(normalize(text).split("\n"))
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        if is_boilerplate(line):
            continue
        bare = _BULLET.sub("", line)
        if bare != line or _MARKDOWN_HEADING.match(line):
            # A list item or a heading stands alone: never glued to the line before it.
            if blocks[-1]:
                blocks.append([])
            blocks[-1].append(_MARKDOWN_HEADING.sub("", bare).strip())
            blocks.append([])
            continue
        blocks[-1].append(line)
    blocks = [block for block in blocks if block]
    paragraphs = [" ".join(block).strip() for block in blocks]
    # A heading written on the line directly above its text is a title too.
    if (
        paragraphs
        and blocks
        and len(blocks[0]) > 1
        and _looks_like_title(blocks[0][0], [" ".join(blocks[0][1:])])
    ):
        paragraphs[0:1] = [blocks[0][0], " ".join(blocks[0][1:])]

    title: str | None = None
    if paragraphs and _looks_like_title(paragraphs[0], paragraphs[1:]):
        title = paragraphs.pop(0)
    if paragraphs:
        paragraphs[0] = _BYLINE.sub("", _DATELINE.sub("", paragraphs[0], count=1), count=1).strip()
        if not paragraphs[0]:
            paragraphs.pop(0)
    return CleanText(title=title, paragraphs=tuple(p for p in paragraphs if p))
