"""Key actors: the people, organisations, places and groups an article is about.

spaCy gives mentions; a reader wants actors. "Bashar al-Assad" and "Assad", "The Wall Street
Journal" and "the Journal", "Islamic Revolutionary Guard Corps" and "IRGC" are one actor each, so
mentions are merged (surname, trailing words, initials), then ranked by salience: where the actor
appears (title, lead, summary) and how widely, not only how often.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from summarizer.brief import Actor
from summarizer.mentions import Entity, Token

KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "NORP": "group"}
# How much an actor of each kind matters to a brief beside others mentioned as often.
KIND_WEIGHT = {"person": 1.0, "organization": 1.0, "group": 0.8, "place": 0.4}
# Places set the scene; a list of actors that is mostly places tells the reader little.
MAX_PLACE_SHARE = 0.3
TITLE_BONUS = 2.0
SUMMARY_BONUS = 1.0

_POSSESSIVE = re.compile(r"[’']s?$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NAME_PARTICLES = re.compile(r"^(?:al|el|ad|as|an|ash|at|az|ar)[-‐]", re.IGNORECASE)
_INITIAL_SKIP = frozenset({"of", "the", "and", "for", "de", "du", "la", "le", "del", "&"})
_ACRONYM_END = re.compile(r"(?:^|\s)(?:[A-Z]\.){2,}$")  # "U.S." keeps its final period
_HAS_LETTER = re.compile(r"[^\W\d_]")


def normalize_name(text: str) -> str:
    """The name without "the", possessive "'s", surrounding punctuation or extra spaces."""
    name = " ".join(text.split())
    name = _LEADING_ARTICLE.sub("", name)
    name = _POSSESSIVE.sub("", name) if name.endswith(("'s", "’s", "s'", "s’")) else name
    name = name.strip(" \t,;:!?\"'“”‘’()[]-–—")
    return name if _ACRONYM_END.search(name) else name.rstrip(".")


def _core(token: str) -> str:
    """A name part without Arabic article prefixes: "al-Assad" -> "assad"."""
    return _NAME_PARTICLES.sub("", token).lower()


def initials(name: str) -> str:
    return "".join(
        word[0] for word in name.split() if word.lower() not in _INITIAL_SKIP and word[0].isalpha()
    ).upper()


@dataclass
class _Group:
    name: str
    kinds: Counter[str] = field(default_factory=Counter)
    surface: Counter[str] = field(default_factory=Counter)
    sentences: set[int] = field(default_factory=set)
    mentions: int = 0
    in_title: bool = False
    weight: float = 0.0


def _is_usable(name: str) -> bool:
    return len(name) >= 2 and bool(_HAS_LETTER.search(name)) and not name.islower()


def _absorbs(long: str, short: str) -> bool:
    """Whether the short name is another way of naming the long one."""
    long_words, short_words = long.split(), short.split()
    if len(short_words) >= len(long_words):
        return False
    long_cores = [_core(w) for w in long_words]
    short_cores = [_core(w) for w in short_words]
    # "Assad" in "Bashar al-Assad", "Journal" in "Wall Street Journal", "Obama" in "Barack Obama".
    if long_cores[-len(short_cores) :] == short_cores:
        return True
    # A first name alone is too ambiguous to merge; an acronym of the long name is not.
    return len(short_words) == 1 and short.isupper() and len(short) >= 2 and initials(long) == short


def is_adjectival(entity: Entity, tokens: Sequence[Token]) -> bool:
    """ "Iraqi Shiite militias", "Syrian dictator": a nationality describing a noun names no actor."""
    after = entity.last_token + 1
    if after >= len(tokens):
        return False
    following = tokens[after]
    return following.is_alpha and not following.is_stop


def extract_actors(
    entities: Sequence[Entity], tokens: Sequence[Token], *, summary: Collection[int] = (), limit: int = 10
) -> list[Actor]:
    """Merge entity mentions into actors, most salient first."""
    groups: dict[str, _Group] = {}
    for entity in entities:
        kind = KINDS.get(entity.label)
        if kind is None or (kind == "group" and is_adjectival(entity, tokens)):
            continue
        name = normalize_name(entity.text)
        if not _is_usable(name):
            continue
        key = name.lower()
        group = groups.setdefault(key, _Group(name))
        group.kinds[kind] += 1
        group.surface[name] += 1
        group.mentions += 1
        if entity.sentence < 0:
            group.in_title = True
        else:
            group.sentences.add(entity.sentence)
            group.weight += 1.0 / (1.0 + entity.sentence / 5.0)

    # A title in Title Case fools the model ("Alpine Glaciers Shrank" as a person): a name seen only
    # in the title is not an actor; the title only lifts actors the story itself names.
    groups = {key: group for key, group in groups.items() if group.sentences}

    # Merge shorter names into the longest name they can stand for, when exactly one fits.
    by_length = sorted(groups, key=lambda k: len(groups[k].name.split()), reverse=True)
    parent: dict[str, str] = {}
    for key in reversed(by_length):
        short = groups[key].name
        hosts = [
            other
            for other in by_length
            if other != key
            and other not in parent
            and _absorbs(groups[other].name, short)
            and _compatible(groups[other], groups[key])
        ]
        longest = {groups[h].name for h in hosts}
        if hosts and len(longest) == 1:
            parent[key] = hosts[0]
    merged: dict[str, _Group] = {}
    for key, group in groups.items():
        root = key
        while root in parent:
            root = parent[root]
        target = merged.setdefault(root, _Group(groups[root].name))
        # The full name decides the kind: the model calls "Tim Sherwood" a person and "Sherwood" alone
        # an organisation as often as not, and a surname can be mentioned far more often.
        target.kinds.update(group.kinds if key == root else {})
        target.surface.update(group.surface)
        target.sentences |= group.sentences
        target.mentions += group.mentions
        target.in_title |= group.in_title
        target.weight += group.weight

    actors = []
    for group in merged.values():
        kind = _kind_of(group)
        salience = group.weight + (TITLE_BONUS if group.in_title else 0.0)
        salience += SUMMARY_BONUS * len(group.sentences & set(summary))
        salience += 0.5 * len(group.sentences)  # spread across the article
        salience *= KIND_WEIGHT[kind]
        aliases = tuple(sorted(name for name in group.surface if name != group.name))
        actors.append(
            Actor(
                name=group.name,
                kind=kind,
                mentions=group.mentions,
                sentences=tuple(sorted(group.sentences)),
                aliases=aliases,
                salience=round(salience, 4),
            )
        )
    actors.sort(key=lambda a: (-a.salience, -a.mentions, a.name))
    max_places = max(1, round(limit * MAX_PLACE_SHARE))
    kept: list[Actor] = []
    places = 0
    for actor in actors:
        if actor.kind == "place":
            if places >= max_places:
                continue
            places += 1
        kept.append(actor)
    return kept[:limit]


def _kind_of(group: _Group) -> str:
    """The kind most mentions give; a name ever tagged as a place is one ("Aleppo" is no nationality)."""
    if group.kinds["place"] and group.kinds["group"]:
        return "place"
    return group.kinds.most_common(1)[0][0]


def _compatible(host: _Group, guest: _Group) -> bool:
    """Places do not merge into people and so on; people, organisations and groups may be mislabelled."""
    host_kind = _kind_of(host)
    guest_kind = _kind_of(guest)
    if host_kind == guest_kind:
        return True
    loose = {"person", "organization"}
    return host_kind in loose and guest_kind in loose


__all__ = ["extract_actors", "initials", "normalize_name"]
