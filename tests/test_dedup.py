from __future__ import annotations

import hashlib
from collections import Counter

from storage import dedup


def reference_simhash(features: list[str]) -> int:
    """Charikar's definition written out bit by bit, to check the vectorised one against."""
    totals = [0] * 64
    for feature, weight in Counter(features).items():
        digest = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(64):
            totals[bit] += weight if digest >> bit & 1 else -weight
    value = sum(1 << bit for bit in range(64) if totals[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def test_simhash_follows_the_definition_on_real_text(sample_text: str) -> None:
    terms = dedup.content_words(sample_text)
    assert dedup.simhash(terms) == reference_simhash(terms)
    for size in (1, 2, 7, 50):
        assert dedup.simhash(terms[:size]) == reference_simhash(terms[:size])
    assert dedup.simhash([]) == 0
    assert -(1 << 63) <= dedup.simhash(terms) < 1 << 63


def test_canonical_url_drops_trackers_fragments_default_ports_and_trailing_slashes() -> None:
    assert dedup.canonical_url("HTTPS://News.Example:443/a/b/?utm_source=x&id=3&fbclid=y#top") == (
        "https://news.example/a/b?id=3"
    )
    assert dedup.canonical_url("http://news.example:8080/") == "http://news.example:8080/"
