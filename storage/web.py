"""A URL to a document: fetched within the network guard, the article text extracted.

A PDF or Word document is read by its bytes whatever the server calls it (``application/pdf``, the
DOCX type, or ``application/octet-stream``), and refused when the bytes belie the label.
"""

from __future__ import annotations

from config import StorageSettings
from storage import office
from storage.documents import Document
from summarizer.textfile import UnreadableFile

OCTET_STREAM = "application/octet-stream"
DOCUMENT_TYPES = (*office.MEDIA_TYPES, OCTET_STREAM)


class WebError(ValueError):
    """The URL cannot become an article; one line for the user. ``permanent`` as ``FetchError``'s:
    the page is not an article, or refused, and asking again would not change that."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def fetch_document(url: str, settings: StorageSettings) -> Document:
    from storage.extract import ExtractError, decode_body, extract_html
    from storage.fetch import DEFAULT_ACCEPT, FetchError, fetch
    from storage.netguard import RefusedURL

    try:
        fetched = fetch(
            url,
            timeout=settings.fetch_timeout,
            max_bytes=settings.max_bytes,
            allow=settings.allow_hosts,
            accept=f"{DEFAULT_ACCEPT},application/pdf,{office.DOCX_TYPE}",
            also_read=DOCUMENT_TYPES,
        )
    except FetchError as error:
        raise WebError(str(error), permanent=error.permanent) from None
    except RefusedURL as error:
        raise WebError(str(error), permanent=True) from None
    except ValueError as error:  # an unresolvable host
        raise WebError(f"{url}: {error}") from None
    media_type = fetched.content_type.split(";", 1)[0].strip().lower()
    kind = office.sniff(fetched.body)
    if kind in office.KINDS or media_type in DOCUMENT_TYPES:
        if media_type in office.MEDIA_TYPES and office.MEDIA_TYPES[media_type] != kind:
            raise WebError(
                f"{url}: served as {media_type} but looks like {office.looks_like(kind)}", permanent=True
            )
        try:
            read = office.read_office(fetched.body, url, max_bytes=settings.max_bytes)
        except UnreadableFile as error:
            raise WebError(str(error), permanent=True) from None
        return Document(location=url, text=read.text, url=fetched.url, title=read.title, source=fetched.url)
    try:
        body = decode_body(fetched.body, fetched.content_type)
        extracted = None
        if "html" in fetched.content_type or body.lstrip()[:1] == "<":
            extracted = extract_html(body, url=fetched.url)
    except ExtractError as error:
        raise WebError(f"{url}: {error}", permanent=True) from None
    if extracted is not None:
        return Document(
            location=url,
            text=extracted.text,
            url=fetched.url,
            title=extracted.title,
            published_at=extracted.published,
            source=fetched.url,
        )
    return Document(location=url, text=body, url=fetched.url, source=fetched.url)
