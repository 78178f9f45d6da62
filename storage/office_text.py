"""The text read from a PDF or Word document: a value shared by the readers and their callers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OfficeText:
    """A document's title (``None`` when it has none) and body paragraphs, page furniture left out.

    ``text`` follows ``storage.extract``'s article: paragraphs separated by blank lines, without the
    title, so a document is stored and briefed the way a web page is.
    """

    title: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)
