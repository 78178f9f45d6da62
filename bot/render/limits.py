"""Cutting text to platform limits without breaking words, lines or links mid-way."""

from __future__ import annotations

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def split_lines(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, split between lines where possible, else between words."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            head = truncate(line, limit)[:-1] if " " in line[:limit] else line[:limit]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head.rstrip())
            line = line[len(head) :].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current:
        pieces.append(current)
    return [p for p in pieces if p.strip()]
