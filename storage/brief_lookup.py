"""The brief a typed reference names: an article's id, a page's URL, or words of a stored title.

Chat's ``brief`` and ``briefbot brief`` read the same references, so they read them here, once: an id
as ``parse_id`` reads ids (ASCII digits within the databases' range: "²" and a 30-digit number name
no article rather than raise), a URL fetched and stored as ingest stores it, and title words matched
against the store. Each door words what was not found in its own way (a chat reply, a line on
stderr); what was looked for and why it failed travel in the ``Lookup``.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import StorageSettings
from storage.documents import Document
from storage.store import Store
from storage.values import Article, StoredBrief, is_id, is_url, parse_id
from storage.web import WebError, fetch_document


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a reference found: its brief, or what was looked for (``missing``: "id", "title",
    "page", "stored") and the one-line reason a page was not read or stored."""

    stored: StoredBrief | None
    missing: str = ""
    reason: str = ""
    also: tuple[Article, ...] = ()  # other stored articles whose titles match, newest first


def find_brief(store: Store, reference: str, settings: StorageSettings) -> Lookup:
    """The brief ``reference`` names; a URL's page is fetched and stored first."""
    reference = reference.strip()
    if is_id(reference):
        article_id = parse_id(reference)
        stored = store.brief_of(article_id) if article_id is not None else None
        return Lookup(stored, missing="" if stored else "id")
    if is_url(reference):
        try:
            document = fetch_document(reference, settings)
        except WebError as error:
            return Lookup(None, missing="page", reason=str(error))
        return store_brief(store, document)
    return by_title(store, reference)


def by_title(store: Store, words: str) -> Lookup:
    """The newest stored article whose title holds every word, with the others that do."""
    matches = store.find_by_title(words)
    if not matches:
        return Lookup(None, missing="title")
    stored = store.brief_of(matches[0].id)  # None only if it was deleted since
    return Lookup(stored, missing="" if stored else "title", also=tuple(matches[1:]))


def store_brief(store: Store, document: Document) -> Lookup:
    """``document`` stored (or found already stored) and its brief, or the one-line reason it was not."""
    [result] = store.ingest([document])
    if result.error or result.article is None:
        return Lookup(None, missing="stored", reason=result.error or "not stored")
    stored = store.brief_of(result.article.id)
    return Lookup(stored, missing="" if stored else "stored", reason="" if stored else "deleted meanwhile")
