"""Reading RSS and Atom feeds, and polling them over a loopback server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.feeds import MAX_ENTRIES, FeedError, backoff_delay, html_to_text, parse_feed, poll_feed
from storage.fetch import Fetched
from tests import loopback
from tests.loopback import LoopbackServer, Reply, Seen

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

LOCAL = ("127.0.0.1",)
RSS_TYPE = "application/rss+xml; charset=utf-8"

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>The Coastal Courier &amp; Friends</title>
    <link>https://courier.example/</link>
    <description>Local news</description>
    <item>
      <title>Harbour Bridge reopens</title>
      <link>https://courier.example/news/bridge</link>
      <guid isPermaLink="false">courier-1001</guid>
      <pubDate>Tue, 05 Mar 2024 14:30:00 +0100</pubDate>
      <description><![CDATA[<p>The bridge is <b>open</b> again.</p><p>Traffic resumes.</p>
        <script>alert("x")</script>]]></description>
    </item>
    <item>
      <title>Ferry timetable changes</title>
      <link>/news/ferry</link>
      <pubDate>Mon, 04 Mar 2024 08:00:00 GMT</pubDate>
      <description>Spring timetable &amp; fares.</description>
    </item>
    <item>
      <title>Reader letters (no link)</title>
      <description>Letters to the editor.</description>
    </item>
    <item>
      <description>An item with neither title nor link is skipped.</description>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Example Science Blog</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2024-03-06T12:00:00Z</updated>
  <link rel="self" href="https://science.example/atom.xml"/>
  <entry>
    <title type="html">Comets &lt;em&gt;return&lt;/em&gt;</title>
    <link rel="alternate" type="text/html" href="https://science.example/comets"/>
    <link rel="enclosure" href="https://science.example/comets.mp3"/>
    <id>tag:science.example,2024:comets</id>
    <published>2024-03-06T09:15:00-05:00</published>
    <updated>2024-03-06T10:00:00-05:00</updated>
    <summary>Two comets are due back this year.</summary>
  </entry>
  <entry>
    <title>Only updated, content but no summary</title>
    <link href="https://science.example/moons"/>
    <id>tag:science.example,2024:moons</id>
    <updated>2024-03-05T18:00:00Z</updated>
    <content type="html">&lt;p&gt;Saturn has more moons.&lt;/p&gt;&lt;p&gt;Many more.&lt;/p&gt;</content>
  </entry>
</feed>
"""


def fetched(
    body: str | bytes, *, url: str = "https://courier.example/feed.xml", content_type: str = RSS_TYPE
) -> Fetched:
    return Fetched(
        url=url,
        status=200,
        content_type=content_type,
        body=body.encode() if isinstance(body, str) else body,
        etag='"f1"',
        last_modified=None,
        not_modified=False,
    )


def test_rss_20() -> None:
    result = parse_feed(fetched(RSS))
    assert result.title == "The Coastal Courier & Friends"
    assert not result.not_modified
    assert result.etag == '"f1"'
    assert [e.title for e in result.entries] == [
        "Harbour Bridge reopens",
        "Ferry timetable changes",
        "Reader letters (no link)",
    ]
    bridge, ferry, letters = result.entries
    assert bridge.url == "https://courier.example/news/bridge"
    assert bridge.guid == "courier-1001"
    assert bridge.published == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)
    assert bridge.summary == "The bridge is open again.\n\nTraffic resumes."
    assert ferry.url == "https://courier.example/news/ferry"  # relative to the feed's own URL
    assert ferry.published == datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
    assert ferry.summary == "Spring timetable & fares."
    assert letters.url is None
    assert letters.published is None


def test_atom() -> None:
    result = parse_feed(
        fetched(ATOM, url="https://science.example/atom.xml", content_type="application/atom+xml")
    )
    assert result.title == "Example Science Blog"
    comets, moons = result.entries
    assert comets.title == "Comets return"
    assert comets.url == "https://science.example/comets"
    assert comets.guid == "tag:science.example,2024:comets"
    assert comets.published == datetime(2024, 3, 6, 14, 15, tzinfo=UTC)  # published, not updated
    assert comets.summary == "Two comets are due back this year."
    assert moons.published == datetime(2024, 3, 5, 18, 0, tzinfo=UTC)  # no published: the update
    assert moons.summary == "Saturn has more moons.\n\nMany more."


def test_a_feed_with_entries_is_read_even_if_malformed() -> None:
    cut = RSS[: RSS.index("<item>", RSS.index("</item>"))]  # cut off after the first item
    result = parse_feed(fetched(cut))
    assert [e.title for e in result.entries] == ["Harbour Bridge reopens"]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("<!DOCTYPE html><html><body><p>Welcome</p></body></html>", "text/html", "it is an HTML page"),
        ("<html><body><p>Sneaky</p></body></html>", "application/xml", "it is an HTML page"),
        ('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut', RSS_TYPE, ""),
        ("", RSS_TYPE, "the response is empty"),
        ("just some words", "text/plain", ""),
        ('{"version": "https://jsonfeed.org/version/1.1"}', "application/feed+json", ""),
    ],
)
def test_not_a_feed(body: str, content_type: str, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(fetched(body, content_type=content_type))
    message = str(caught.value)
    assert message.startswith("https://courier.example/feed.xml is not an RSS or Atom feed (")
    assert reason in message
    assert "\n" not in message


def test_an_empty_feed_served_with_the_wrong_type_is_still_a_feed() -> None:
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    result = parse_feed(fetched(empty, content_type="text/html"))
    assert result.title == "Quiet"
    assert result.entries == ()


def test_feedparser_never_fetches_a_url_it_is_given(loopback_server: LoopbackServer) -> None:
    url = loopback_server.reply("/feed.xml", RSS, content_type=RSS_TYPE)
    with pytest.raises(FeedError):
        parse_feed(fetched(url, content_type="text/plain"))  # a body that is just a URL
    assert loopback_server.count() == 0


def test_summaries_lose_their_markup() -> None:
    assert (
        html_to_text("<p>One <a href='x'>link</a>.</p><ul><li>a</li><li>b</li></ul>") == "One link.\n\na\n\nb"
    )
    assert html_to_text("line<br>break &amp; more") == "line\n\nbreak & more"
    assert html_to_text("<style>p {color: red}</style>plain") == "plain"
    assert html_to_text("no markup at all") == "no markup at all"
    assert html_to_text("  ") == ""


def test_a_feed_that_changes_between_polls(loopback_server: LoopbackServer) -> None:
    url = loopback_server.reply("/feed.xml", RSS, content_type=RSS_TYPE)
    first = poll_feed(url, allow=LOCAL)
    newer = RSS.replace(
        "<item>",
        "<item><title>Storm warning</title><link>https://courier.example/news/storm</link>"
        "<guid isPermaLink='false'>courier-1002</guid></item>\n    <item>",
        1,
    )
    loopback_server.reply("/feed.xml", newer, content_type=RSS_TYPE)
    second = poll_feed(url, allow=LOCAL)
    assert len(second.entries) == len(first.entries) + 1
    new = {e.guid for e in second.entries} - {e.guid for e in first.entries}
    assert new == {"courier-1002"}
    accept = loopback_server.requests("/feed.xml")[0].header("accept") or ""
    assert accept.startswith("application/rss+xml")


def test_an_unchanged_feed_costs_a_304(loopback_server: LoopbackServer) -> None:
    def feed(seen: Seen) -> Reply:
        if seen.header("if-none-match") == '"rev-7"':
            return Reply(status=304, content_type=None, headers={"ETag": '"rev-7"'})
        return Reply(body=RSS, content_type=RSS_TYPE, headers={"ETag": '"rev-7"'})

    url = loopback_server.route("/feed.xml", feed)
    first = poll_feed(url, allow=LOCAL)
    assert first.etag == '"rev-7"'
    assert len(first.entries) == 3
    second = poll_feed(url, allow=LOCAL, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    assert second.entries == ()
    assert second.etag == '"rev-7"'
    assert loopback_server.requests("/feed.xml")[1].header("if-none-match") == '"rev-7"'


def test_a_feed_answering_an_html_error_page(loopback_server: LoopbackServer) -> None:
    url = loopback_server.reply("/feed.xml", "<!doctype html><html><body>Moved!</body></html>")
    with pytest.raises(FeedError, match=r"is not an RSS or Atom feed \(it is an HTML page\)$"):
        poll_feed(url, allow=LOCAL)


def test_backoff_doubles_up_to_a_day() -> None:
    assert backoff_delay(0) == 0.0
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [300.0, 600.0, 1200.0, 2400.0]
    assert backoff_delay(9) == 76800.0
    assert backoff_delay(10) == 86400.0
    assert backoff_delay(10_000) == 86400.0
    assert backoff_delay(3, base=10.0, cap=25.0) == 25.0
    with pytest.raises(ValueError, match="failures must be 0 or more"):
        backoff_delay(-1)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_feed_in_utf16_or_utf32_is_read_up_to_its_first_entries_too(codec: str) -> None:
    """The entry cap counts tags in the feed's text, not its bytes, so a feed two or four bytes a
    character is cut as a one-byte one is (and still read, in its own encoding)."""
    items = "".join(
        f"<item><title>Item {n}</title><link>https://example.com/{n}</link></item>"
        for n in range(MAX_ENTRIES + 40)
    )
    name = codec.upper().replace("-LE", "").replace("-BE", "")
    declaration = f'<?xml version="1.0" encoding="{name}"?>'
    text = f'{declaration}<rss version="2.0"><channel><title>Wide</title>{items}</channel></rss>'
    fetched = Fetched(
        url="https://example.com/feed.xml",
        status=200,
        content_type="application/rss+xml",
        body=text.encode(codec),
        etag=None,
        last_modified=None,
        not_modified=False,
    )
    result = parse_feed(fetched)
    assert result.title == "Wide"
    assert [e.title for e in result.entries[:2]] == ["Item 0", "Item 1"]
    assert len(result.entries) == MAX_ENTRIES
