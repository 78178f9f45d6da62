"""Key actors: the people, organisations, places and groups an article is about.

spaCy gives mentions; a reader wants actors. "Bashar al-Assad" and "Assad", "The Wall Street
Journal" and "the Journal", "Islamic Revolutionary Guard Corps" and "IRGC", "Meridian Terminal
Operators" and "Meridian", "Mr Yeaman" and "Leon Yeaman", "U.S." and "United States" are one actor
each, so names are merged where exactly one longer name fits (a wrong merge is worse than a missed
one: two Clintons stay two, "Valmora" is not the Central Bank of Valmora). Each actor's kind is
checked against the text and a gazetteer (:mod:`summarizer.kinds`). A nationality that describes a
noun ("Iraqi militias") and a name used as a modifier ("Iran-backed") are no actors of their own;
the first counts as a mention of its country when the article names it.

Actors are ranked by a logistic scorer fitted on what the CNN/DailyMail highlights name
(``bench/fit_actors.py``, weights in ``summarizer/weights/actors.json``); the score is the salience.
There is no cap on places: the data showed it cost 7 of the 399 names the highlights hold.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from summarizer import weights
from summarizer.brief import Actor
from summarizer.kinds import (
    KINDS,
    NAME_TITLES,
    ORG_SUFFIXES,
    PLACE_BEFORE,
    PLACE_FIRST,
    PLACE_HEADS,
    SAME_PLACE,
    KindCall,
    context_kind,
    decide,
    demonym_places,
    in_gazetteer,
    is_demonym,
    is_event,
    is_sport,
)
from summarizer.mentions import Entity, Token

MODEL = "actors"
FEATURES = (
    "mentions",  # log(1 + mentions)
    "spread",  # sentences naming it / sentences of the article that name any actor
    "first",  # 1 / (1 + the first sentence naming it)
    "in_title",
    "in_summary",  # summary sentences naming it
    "person",
    "organization",
    "place",
    "full_name",  # a person named by more than one word ("Tim Sherwood", not a bare "Sherwood")
    "aliases",  # log(1 + other names it goes by)
    "speaks",  # log(1 + mentions next to "said", "told", ...)
)

_POSSESSIVE = re.compile(r"[’']s?$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NAME_PARTICLES = re.compile(r"^(?:al|el|ad|as|an|ash|at|az|ar)[-‐]", re.IGNORECASE)
_INITIAL_SKIP = frozenset({"of", "the", "and", "for", "de", "du", "la", "le", "del", "&"})
_CONNECTORS = frozenset({"of", "for", "at", "in", "on", "and", "&"})
_ACRONYM_END = re.compile(r"(?:^|\s)(?:[A-Z]\.){2,}$")  # "U.S." keeps its final period
_HAS_LETTER = re.compile(r"[^\W\d_]")
_LOOSE = frozenset({"person", "organization"})
_OF_PLACE_HEADS = ORG_SUFFIXES | PLACE_FIRST | {"city", "state", "republic", "kingdom", "province", "county"}
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv", "qc", "kc", "mp", "obe", "mbe", "cbe", "phd"})
_COMPASS = frozenset(
    "north south east west northern southern eastern western central upper lower greater new".split()
)


def normalize_name(text: str) -> str:
    """The name without "the", possessive "'s", surrounding punctuation or extra spaces."""
    name = " ".join(text.split())
    name = _LEADING_ARTICLE.sub("", name)
    name = _POSSESSIVE.sub("", name) if name.endswith(("'s", "’s", "s'", "s’")) else name
    name = name.strip(" \t,;:!?\"'“”‘’()[]-–—")
    return name if _ACRONYM_END.search(name) else name.rstrip(".")


def group_key(name: str) -> str:
    """How names are told apart: case and the shape of an apostrophe do not count ("O’Toole")."""
    return name.lower().replace("’", "'")


def _core(token: str) -> str:
    """A name part without Arabic article prefixes: "al-Assad" -> "assad"."""
    return _NAME_PARTICLES.sub("", token).lower()


def initials(name: str) -> str:
    return "".join(
        word[0] for word in name.split() if word.lower() not in _INITIAL_SKIP and word[0].isalpha()
    ).upper()


@dataclass
class _Group:
    """The mentions of one name, then of one actor once names are merged."""

    name: str
    kinds: Counter[str] = field(default_factory=Counter)  # the model's votes (the full name's only)
    cues: Counter[str] = field(default_factory=Counter)  # the text's votes (every merged name's)
    surface: Counter[str] = field(default_factory=Counter)
    sentences: set[int] = field(default_factory=set)
    mentions: int = 0
    in_title: bool = False
    first_start: int = 1 << 62
    speaks: int = 0
    call: KindCall | None = None

    def decided(self) -> KindCall:
        if self.call is None:
            self.call = decide(self.name, self.kinds, self.cues)
        return self.call

    @property
    def kind(self) -> str:
        return self.decided().kind

    def absorb(self, other: _Group) -> None:
        """Take in another name's mentions; its model votes do not count, its cues and names do."""
        self.cues.update(other.cues)
        self.surface.update(other.surface)
        self.sentences |= other.sentences
        self.mentions += other.mentions
        self.in_title |= other.in_title
        self.first_start = min(self.first_start, other.first_start)
        self.speaks += other.speaks


def _is_usable(name: str) -> bool:
    return len(name) >= 2 and bool(_HAS_LETTER.search(name)) and not name.islower()


def is_adjectival(entity: Entity, tokens: Sequence[Token]) -> bool:
    """ "Iraqi Shiite militias", "Syrian dictator": a nationality describing a noun names no actor."""
    after = entity.last_token + 1
    if after >= len(tokens):
        return False
    following = tokens[after]
    return following.is_alpha and not following.is_stop


def collect(entities: Sequence[Entity], tokens: Sequence[Token]) -> dict[str, _Group]:
    """Mentions grouped by their normalised name; names seen only in the title are left out."""
    groups: dict[str, _Group] = {}
    for entity, cue in zip(entities, mention_cues(entities, tokens), strict=True):
        kind = KINDS.get(entity.label)
        if kind is None or (kind == "group" and is_adjectival(entity, tokens)):
            continue
        name = normalize_name(entity.text)
        if not _is_usable(name) or is_event(name):
            continue
        group = groups.setdefault(group_key(name), _Group(name))
        if cue is not None:
            group.cues[cue] += 1
        if is_modifier(entity, tokens):
            continue
        group.kinds[kind] += 1
        group.speaks += _speaks(entity, tokens)
        group.surface[name] += 1
        group.mentions += 1
        if entity.sentence < 0:
            group.in_title = True
        else:
            group.sentences.add(entity.sentence)
            group.first_start = min(group.first_start, entity.start)
    for key in places_named_by_of(entities):
        if key in groups:
            groups[key].cues["place"] += 1
    # A title in Title Case fools the model ("Alpine Glaciers Shrank" as a person): a name seen only
    # in the title is not an actor; the title only lifts actors the story itself names.
    return {key: group for key, group in groups.items() if group.sentences}


def is_modifier(entity: Entity, tokens: Sequence[Token]) -> bool:
    """ "Iran-backed militias", "a Halvern-based shipper": the name describes the noun that follows."""
    after = entity.last_token + 1
    return (
        after + 1 < len(tokens)
        and tokens[after].text == "-"
        and tokens[after + 1].is_alpha
        and tokens[after + 1].text.islower()
    )


_SAYS = frozenset({"said", "says", "told", "added", "explained", "insisted", "admitted", "wrote"})


def _speaks(entity: Entity, tokens: Sequence[Token]) -> bool:
    after = entity.last_token + 1
    near = [tokens[i].text for i in (entity.first_token - 1, after) if 0 <= i < len(tokens)]
    return any(word in _SAYS for word in near)


def mention_cues(entities: Sequence[Entity], tokens: Sequence[Token]) -> list[str | None]:
    """What the text says of each mention's kind; a name listed after a place is a place too.

    "relatives in Millbrook and Dunmore": the cue of "in" reaches "Dunmore" through "and".
    """
    cues: list[str | None] = []
    sport = is_sport(tokens)
    for i, entity in enumerate(entities):
        cue = context_kind(entity, tokens, sport=sport)
        previous = entities[i - 1] if i else None
        if (
            cue is None
            and previous is not None
            and previous.last_token == entity.first_token - 2
            and tokens[entity.first_token - 1].text in {"and", "or", ","}
            and cues[-1] == "place"
            and tokens[previous.first_token - 1].text.lower() in PLACE_BEFORE
        ):
            cue = "place"
        cues.append(cue)
    return cues


def places_named_by_of(entities: Sequence[Entity]) -> set[str]:
    """Names that follow "of" in another name: "Central Bank of Valmora", "the Port of Halvern"."""
    tails = set()
    for entity in entities:
        head, of, tail = entity.text.rpartition(" of ")
        if of and head and tail[:1].isupper() and head.split()[-1].lower() in _OF_PLACE_HEADS:
            tails.add(group_key(normalize_name(tail)))
    return tails


@lru_cache(maxsize=8192)
def name_cores(name: str) -> tuple[str, ...]:
    """The words a name is matched by: no "al-", no "Mr"/"Dr" before it, no "Jr"/"III" after it."""
    cores = tuple(_core(w).rstrip(".,") for w in name.split())
    while len(cores) > 1 and cores[0] in NAME_TITLES:
        cores = cores[1:]
    while len(cores) > 1 and cores[-1] in _GENERATIONS:
        cores = cores[:-1]
    return cores


@lru_cache(maxsize=8192)
def absorbs(long: str, short: str) -> bool:
    """Whether the short name is another way of naming the long one, by its words alone."""
    long_cores, short_cores = name_cores(long), name_cores(short)
    if long_cores == short_cores:  # "Prince Andrew" and "Andrew", "Mr Yeaman" and "Yeaman"
        return len(long.split()) > len(short.split())
    if len(short_cores) >= len(long_cores):
        return False
    # "Assad" in "Bashar al-Assad", "Journal" in "Wall Street Journal", "Obama" in "Barack Obama";
    # not "Valmora" in "Central Bank of Valmora": what follows "of" names something else.
    cut = len(long_cores) - len(short_cores)
    if long_cores[cut:] == short_cores and long_cores[cut - 1] not in _CONNECTORS:
        return True
    # A first name alone is too ambiguous to merge; an acronym of the long name is not.
    short_words = short.split()
    return len(short_words) == 1 and short.isupper() and len(short) >= 2 and initials(long) == short


def leads(host: _Group, guest: _Group, groups: dict[str, _Group]) -> bool:
    """ "Meridian" for "Meridian Terminal Operators", "Hillary" for "Hillary Clinton": a first word.

    Only for the first word of a name named before it that no other name of the article holds,
    when it is no nationality ("Russian" is not the Russian Federal Space Agency) and the kinds
    fit (below): a first name but a gazetteer place ("Jordan") for a person, a place's first word
    for the place ("Atlantic" for "Atlantic Ocean").
    """
    words = host.name.split()
    word = guest.name.lower()
    if len(guest.name.split()) != 1 or len(words) < 2 or words[0].lower() != word:
        return False
    if host.first_start > guest.first_start or is_demonym(guest.name):
        return False
    holders = [g for g in groups.values() if g is not guest and word in (w.lower() for w in g.name.split())]
    if holders != [host]:
        return False
    if host.kind == "organization":
        # A person's or a place's name stands for one only when its name shows it is one ("Meridian
        # Terminal Operators", "Southwest Airlines"; not "Cleveland Metroparks Zoo"), and never a
        # place the text or the gazetteer vouches for: a large city's name alone is the city
        # ("Manchester" is not "Manchester City", "Swansea" is Swansea City).
        if guest.kind in {"person", "place"} and host.decided().evidence != "cue":
            return False
        if guest.kind != "place":
            return True
        return guest.decided().evidence == "model" and not in_gazetteer(guest.name, cities=True)
    if host.kind == "person":  # the model's kind of a bare first name is noise: "Julia" as a company
        return not in_gazetteer(guest.name)
    # "Atlantic" for "Atlantic Ocean", not "Manchester" for "Manchester City".
    return host.kind == guest.kind == "place" and words[-1].lower() in PLACE_HEADS


def _compatible(host: _Group, guest: _Group) -> bool:
    """Kinds that may be one actor: the same, or people and organisations (the model mixes them up).

    A surname the model calls a place joins its person ("Barnes" in "Caleb Barnes") unless the
    text or the gazetteer says it is one ("Washington" stays apart from "George Washington").
    """
    if host.kind == guest.kind or (host.kind in _LOOSE and guest.kind in _LOOSE):
        return True
    if host.kind in _LOOSE and guest.kind == "group":  # "Stancil" as a nationality, not "Russian"
        return not is_demonym(guest.name)
    evidence = guest.call.evidence if guest.call is not None else "model"
    return host.kind == "person" and guest.kind == "place" and evidence == "model"


def _splits(host: _Group, guest: _Group) -> bool:
    """ "London" is not "East London": a place with a compass word before it is another place."""
    return host.kind == "place" and host.name.split()[0].lower() in _COMPASS


def same_places(groups: dict[str, _Group]) -> dict[str, str]:
    """ "U.S.", "US" and "America" -> "United States": the first of :data:`SAME_PLACE` named holds them."""
    parent: dict[str, str] = {}
    for names in SAME_PLACE:
        present = [name for name in names if name in groups]
        parent.update((name, present[0]) for name in present[1:])
    return parent


def peoples(groups: dict[str, _Group], parent: dict[str, str]) -> dict[str, str]:
    """ "Armenians" and "Armenian" -> "Armenia" when the article names it; else the plural -> the singular."""
    for key, group in groups.items():
        if group.kind != "group" or key in parent:
            continue
        places = sorted(k for k in demonym_places(group.name) if k in groups and groups[k].kind == "place")
        if places:
            parent[key] = places[0]
        elif key.endswith("s") and groups.get(key[:-1], group).kind == "group" and key[:-1] in groups:
            parent[key] = key[:-1]
    return parent


def _word_index(groups: dict[str, _Group]) -> dict[str, set[str]]:
    """Keys by each word and by the initials of their names: where a shorter name's host can be."""
    index: dict[str, set[str]] = {}
    for key, group in groups.items():
        for word in {*name_cores(group.name), *group.name.lower().split(), initials(group.name)}:
            index.setdefault(word, set()).add(key)
    return index


def merge_parents(groups: dict[str, _Group]) -> dict[str, str]:
    """Each shorter name's key -> the key of the one longer name it stands for (when exactly one fits)."""
    by_length = sorted(groups, key=lambda k: len(groups[k].name.split()), reverse=True)
    rank = {key: i for i, key in enumerate(by_length)}
    index = _word_index(groups)
    parent = peoples(groups, same_places(groups))
    for key in reversed(by_length):
        if key in parent:
            continue
        guest = groups[key]
        near = index.get(guest.name.upper(), set()).union(
            *(index.get(w, set()) for w in name_cores(guest.name))
        )
        free = sorted((other for other in near if other != key and other not in parent), key=rank.__getitem__)
        hosts = [
            other
            for other in free
            if absorbs(groups[other].name, guest.name)
            and (_compatible(groups[other], guest) or guest.name.isupper())
            and not _splits(groups[other], guest)
        ] or [other for other in free if leads(groups[other], guest, groups)]
        # Of "Leon Yeaman" and "Mr Yeaman", "Yeaman" stands for the one that holds the other.
        hosts = [
            h for h in hosts if not any(o != h and absorbs(groups[o].name, groups[h].name) for o in hosts)
        ]
        if hosts and len({groups[h].name for h in hosts}) == 1:
            parent[key] = hosts[0]
    return parent


def merge(groups: dict[str, _Group]) -> list[_Group]:
    """One group per actor, under its longest name (the groups of the shorter names join it)."""
    parent = merge_parents(groups)
    for key, group in groups.items():
        if key not in parent:
            # The full name's own mentions decide the kind: the model calls "Tim Sherwood" a person and
            # "Sherwood" alone an organisation as often as not, and a surname can be mentioned far more.
            group.decided()
    others: dict[str, Counter[str]] = {}
    for key, group in groups.items():
        if key in parent:
            root = root_of(parent, key)
            groups[root].absorb(group)
            others.setdefault(root, Counter()).update(group.kinds)
    for root, votes in others.items():
        _outvoted(groups[root], votes)
    return [group for key, group in groups.items() if key not in parent]


def _outvoted(group: _Group, votes: Counter[str]) -> None:
    """A full name seen once gives way to its shorter names when three or more agree on one kind.

    "Aston Villa" once as a person, "Villa" four times as an organisation; not "Tim Sherwood" once
    as a person against "Sherwood" three times an organisation and once a person.
    """
    call = group.decided()
    if call.evidence != "model" or sum(group.kinds.values()) > 1 or len(votes) != 1:
        return
    [(kind, count)] = votes.items()
    if count >= 3 and kind != call.kind and {kind, call.kind} <= _LOOSE:
        group.call = KindCall(kind, "model")


def root_of(parent: dict[str, str], key: str) -> str:
    while key in parent:
        key = parent[key]
    return key


def features(groups: Sequence[_Group], summary: Collection[int]) -> np.ndarray:
    """One row of :data:`FEATURES` per actor; the spread is relative to the article's own actors."""
    if not groups:
        return np.zeros((0, len(FEATURES)))
    named = set().union(*(g.sentences for g in groups))
    chosen = set(summary)
    rows = []
    for g in groups:
        kind = g.kind
        rows.append(
            [
                math.log1p(g.mentions),
                len(g.sentences) / len(named),
                1.0 / (1.0 + min(g.sentences)),
                float(g.in_title),
                float(len(g.sentences & chosen)),
                float(kind == "person"),
                float(kind == "organization"),
                float(kind == "place"),
                float(kind == "person" and len(g.name.split()) > 1),
                math.log1p(len(g.surface) - 1),
                math.log1p(g.speaks),
            ]
        )
    return np.asarray(rows, dtype=float)


def to_actor(group: _Group, salience: float) -> Actor:
    call = group.decided()
    return Actor(
        name=group.name,
        kind=call.kind,
        kind_evidence=call.evidence,
        mentions=group.mentions,
        sentences=tuple(sorted(group.sentences)),
        aliases=tuple(sorted(name for name in group.surface if name != group.name)),
        salience=round(salience, 4),
    )


def adjectives(entities: Sequence[Entity], tokens: Sequence[Token]) -> list[Entity]:
    """The nationalities that only describe a noun ("Iraqi militias"): no actors of their own."""
    return [e for e in entities if e.label == "NORP" and e.sentence >= 0 and is_adjectival(e, tokens)]


def attach_adjectives(actors: Sequence[_Group], mentions: Sequence[Entity]) -> None:
    """ "Iraqi militias" mentions Iraq, when the article names Iraq; else it names no actor."""
    places = {group_key(g.name): g for g in actors if g.kind == "place"}
    for entity in mentions:
        name = normalize_name(entity.text)
        found = sorted(key for key in demonym_places(name) if key in places)
        if found:
            place = places[found[0]]
            place.surface[name] += 1
            place.mentions += 1
            place.sentences.add(entity.sentence)


def read_actors(entities: Sequence[Entity], tokens: Sequence[Token]) -> list[_Group]:
    """The article's actors: mentions grouped by name, merged, with their nationality adjectives."""
    actors = merge(collect(entities, tokens))
    attach_adjectives(actors, adjectives(entities, tokens))
    return actors


def extract_actors(
    entities: Sequence[Entity], tokens: Sequence[Token], *, summary: Collection[int] = (), limit: int = 10
) -> list[Actor]:
    """Merge entity mentions into actors, most salient first."""
    groups = read_actors(entities, tokens)
    scores = weights.load(MODEL).score(features(groups, summary)) if groups else np.zeros(0)
    actors = [to_actor(group, float(score)) for group, score in zip(groups, scores, strict=True)]
    actors.sort(key=lambda a: (-a.salience, -a.mentions, a.name))
    return actors[:limit]


__all__ = [
    "FEATURES",
    "KINDS",
    "MODEL",
    "absorbs",
    "collect",
    "extract_actors",
    "features",
    "group_key",
    "initials",
    "merge",
    "merge_parents",
    "normalize_name",
    "read_actors",
    "root_of",
]
