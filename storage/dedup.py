"""Recognising an article already read: same URL, same text, or the same story told elsewhere.

- The canonical URL drops what trackers add (``utm_*``, ``fbclid``...), the fragment, default ports
  and a trailing slash, so a link shared twice is one article.
- The content hash is over the normalised text, so the same text under two URLs is one article.
- A 64-bit SimHash of the article's stemmed content words finds near-duplicates (the same story
  from several outlets); a candidate within ``NEAR_BITS`` is confirmed by the overlap of the two
  word sets, since topic alone can bring two different stories close in SimHash space.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from summarizer.ranking import lexicon
from summarizer.sentences import words

NEAR_BITS = 12  # measured: the sample pair of one strike told by two outlets is 9 bits apart;
# unrelated news articles were 18 or more bits apart (bench/README.md).
MIN_OVERLAP = 0.5  # share of distinct content words two reports of one story have in common

_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|cmpid|ocid|igshid|smid)$", re.I)
_MASK64 = (1 << 64) - 1


def canonical_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def normalized(text: str) -> str:
    return " ".join(text.lower().split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalized(text).encode("utf-8")).hexdigest()


def content_words(text: str) -> list[str]:
    lex = lexicon()
    return [lex.stem(w.lower()) for w in words(text) if w.lower() not in lex.stop_words and not w.isdigit()]


_BITS = np.arange(64, dtype=np.uint64)


def simhash(features: Iterable[str]) -> int:
    """Charikar's SimHash over weighted features, as a signed 64-bit integer (what BIGINT holds).

    Each feature's 64-bit digest votes +weight or -weight on every bit; the sign of each bit's total
    is the hash. The votes are one NumPy matrix, 5-10x faster than a loop over 64 bits per feature.
    """
    counts = Counter(features)
    if not counts:
        return 0
    digests = np.array(
        [int.from_bytes(hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest(), "big") for f in counts],
        dtype=np.uint64,
    )
    weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    signs = 2 * ((digests[:, None] >> _BITS) & np.uint64(1)).astype(np.int64) - 1
    value = sum(1 << int(bit) for bit in np.flatnonzero((weights[:, None] * signs).sum(axis=0) > 0))
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    return ((a & _MASK64) ^ (b & _MASK64)).bit_count()


def overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """Share of the smaller word set found in the other (robust to one report being longer)."""
    left, right = set(a), set(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))
