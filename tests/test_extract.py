"""Extracting the article from a fetched page, and decoding the page's bytes."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from storage.extract import ExtractError, decode_body, extract_html

# A news page as they come: navigation, share buttons, related links and a footer around the story.
ARTICLE = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Harbour Bridge Reopens After Two-Year Repair | The Coastal Courier</title>
  <meta property="og:title" content="Harbour Bridge Reopens After Two-Year Repair">
  <meta property="article:published_time" content="2024-03-05T14:30:00+01:00">
  <link rel="canonical" href="https://courier.example/news/harbour-bridge-reopens">
</head>
<body>
  <header class="site-header">
    <a class="logo" href="/">The Coastal Courier</a>
    <nav class="main-nav">
      <ul>
        <li><a href="/news">News</a></li>
        <li><a href="/sport">Sport</a></li>
        <li><a href="/weather">Weather NAVMARKER</a></li>
        <li><a href="/subscribe">Subscribe today and save 50 percent on your first year</a></li>
      </ul>
    </nav>
  </header>
  <main>
    <article>
      <h1>Harbour Bridge Reopens After Two-Year Repair</h1>
      <p class="byline">By Jane Doe, Transport Correspondent</p>
      <div class="share-buttons">
        <a href="https://twitter.com/share">Share on Twitter</a>
        <a href="https://facebook.com/share">Share on Facebook</a>
        <a href="mailto:?subject=bridge">Email SHAREMARKER</a>
      </div>
      <p>The Harbour Bridge reopened to traffic on Tuesday morning after a two-year repair programme
      that replaced its corroded steel cables and resurfaced the entire deck.</p>
      <p>City engineers said the work, which cost 48 million euros, was finished three weeks ahead of
      schedule despite a winter of storms that halted construction for eleven days in January.</p>
      <p>"We expect some 40,000 vehicles a day to cross again by the summer," said Mayor Anna Berg,
      who cut a ribbon at the northern approach shortly after seven o'clock.</p>
      <p>Local businesses on both sides of the harbour welcomed the reopening, saying that the detour
      through the industrial district had added up to forty minutes to deliveries.</p>
    </article>
    <aside class="related">
      <h2>Related stories</h2>
      <ul><li><a href="/a">Ferry timetable changes for spring RELATEDMARKER</a></li></ul>
    </aside>
  </main>
  <footer class="site-footer">
    <p>© 2024 The Coastal Courier. All rights reserved. FOOTERMARKER</p>
    <p><a href="/privacy">Privacy policy</a> · <a href="/terms">Terms of use</a></p>
  </footer>
</body>
</html>
"""

PARAGRAPHS = [
    "The Harbour Bridge reopened to traffic on Tuesday morning",
    "City engineers said the work, which cost 48 million euros",
    '"We expect some 40,000 vehicles a day to cross again by the summer," said Mayor Anna Berg',
    "Local businesses on both sides of the harbour welcomed the reopening",
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve a name or open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access during extraction: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.usefixtures("no_network")
def test_article_text_without_the_page_around_it() -> None:
    extracted = extract_html(ARTICLE, url="https://courier.example/2024/03/05/bridge?utm=x")
    assert extracted.title == "Harbour Bridge Reopens After Two-Year Repair"
    paragraphs = extracted.text.split("\n\n")
    assert len(paragraphs) == len(PARAGRAPHS)
    for paragraph, start in zip(paragraphs, PARAGRAPHS, strict=True):
        assert paragraph.startswith(start)
        assert "\n" not in paragraph  # the source's line breaks inside a paragraph are gone
    for furniture in ("NAVMARKER", "SHAREMARKER", "RELATEDMARKER", "FOOTERMARKER", "Share on", "Subscribe"):
        assert furniture not in extracted.text
    assert not extracted.text.startswith(extracted.title)  # the headline is the title, not the text
    assert extracted.published == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)  # 14:30 at +01:00
    assert extracted.url == "https://courier.example/news/harbour-bridge-reopens"  # the canonical URL


def test_bytes_are_decoded_by_the_pages_own_charset() -> None:
    page = ARTICLE.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    page = page.replace("Mayor Anna Berg", "Mayor Zoë Berg")
    extracted = extract_html(page.encode("cp1252"))
    assert "Mayor Zoë Berg" in extracted.text


def test_a_page_without_a_date_or_canonical_url() -> None:
    page = ARTICLE.replace('<meta property="article:published_time" content="2024-03-05T14:30:00+01:00">', "")
    page = page.replace(
        '<link rel="canonical" href="https://courier.example/news/harbour-bridge-reopens">', ""
    )
    extracted = extract_html(page, url="https://courier.example/bridge")
    assert extracted.published is None
    assert extracted.url == "https://courier.example/bridge"


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "page",
    [
        "",
        "   ",
        "<html><body><nav><a href='/a'>Home</a> <a href='/b'>World</a></nav></body></html>",
        "https://example.com/some/article",  # a URL is not a page, and is never downloaded
        "%PDF-1.7 binary junk",
    ],
)
def test_no_article_text(page: str) -> None:
    with pytest.raises(
        ExtractError, match=r"^no article text found( \(the page is empty\))?$"
    ) as caught:
        extract_html(page, url="https://example.com/x")
    assert "\n" not in str(caught.value)


def test_decode_body_by_declared_charset() -> None:
    assert decode_body("café".encode("latin-1"), "text/html; charset=ISO-8859-1") == "café"
    assert decode_body("café".encode("latin-1"), 'text/plain; charset="latin1"') == "café"
    assert decode_body("naïve".encode("utf-16"), "text/plain") == "naïve"  # the BOM says so
    assert decode_body("\ufeffhello".encode(), "text/plain; charset=latin-1") == "hello"


def test_decode_body_defaults_to_utf8() -> None:
    assert decode_body("Zoë".encode(), "text/html") == "Zoë"
    assert decode_body("Zoë".encode(), "") == "Zoë"
    assert decode_body("Zoë".encode(), "text/plain; charset=no-such-charset") == "Zoë"


def test_decode_body_reads_a_meta_charset_in_html() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body>Zoë</body></html>'
    assert "Zoë" in decode_body(page.encode("cp1252"), "text/html")


def test_broken_utf8_html_gets_replacement_characters() -> None:
    assert decode_body(b"<p>caf\xe9 au lait</p>", "text/html") == "<p>caf\ufffd au lait</p>"


def test_broken_utf8_text_is_refused() -> None:
    with pytest.raises(
        ExtractError, match=r"^not UTF-8 text and no charset declared \(bad byte at offset 3\)$"
    ):
        decode_body(b"caf\xe9", "text/plain")
