"""A URL to a document: fetched within the network guard, the article text extracted."""

from __future__ import annotations

from config import StorageSettings
from storage.documents import Document


class WebError(ValueError):
    """The URL cannot become an article; one line for the user. ``permanent`` as ``FetchError``'s:
    the page is not an article, or refused, and asking again would not change that."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def fetch_document(url: str, settings: StorageSettings) -> Document:
    from storage.extract import ExtractError, decode_body, extract_html
    from storage.fetch import FetchError, fetch
    from storage.netguard import RefusedURL

    try:
        fetched = fetch(
            url, timeout=settings.fetch_timeout, max_bytes=settings.max_bytes, allow=settings.allow_hosts
        )
    except FetchError as error:
        raise WebError(str(error), permanent=error.permanent) from None
    except RefusedURL as error:
        raise WebError(str(error), permanent=True) from None
    except ValueError as error:  # an unresolvable host
        raise WebError(f"{url}: {error}") from None
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
