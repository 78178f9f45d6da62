"""The summarizer's version, stored with every brief so a newer summarizer knows what to re-brief.

Bump it whenever a change would alter the briefs written for the same text.
"""

SUMMARIZER_VERSION = "2"  # 2: a merged actor takes the kind of its full name
