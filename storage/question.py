"""What a question asks for, and which of its words carry it.

A question's type is evidence about its answer: "who" wants a person or an organisation in the
sentence, "how many" a figure, "when" a date, "where" a place, "why" a reason. The words left after
the question words and stop words are what retrieval looks for; the capitalised ones past the first
word are names, which say what the answer is about ("IDU", "al-Nujaba").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from summarizer.ranking import lexicon
from summarizer.sentences import words

QUESTION_WORDS = frozenset(
    "who whom whose what which when where why how many much does did do is are was were be been "
    "has have had can could will would should may might shall".split()
)
# Words that say which kind of answer is wanted, not what it is about: "In what *year* did ...".
TYPE_WORDS = frozenset(
    "year years date day month time country city town place reason percentage percent share "
    "proportion amount number".split()
)
MAX_TERMS = 24  # a question longer than this is a paste, not a question: its first words decide
# "What's the name of ...", "what's it called": a name, which may be a title no brief holds.
_NAME_ASKED = r"^what(?:'s|’s| is| was| are| were| will be)? (?:the names? of\b|.*\bcalled\b)"
# Checked in order: the first pattern that matches the start of the question decides its type.
_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "number",
        re.compile(
            r"^(?:(?:by|to|at|for|of) )?(?:how (?:many|much|big|large|long|far|old|high|low|fast|"
            r"often|tall|heavy|deep|wide)|what (?:percentage|proportion|share|fraction|amount|number|"
            r"sum|price|figure|total|value|rate|bail|fine|fee|salary|score)|which (?:percentage|figure|"
            r"amount))\b"
        ),
    ),
    (
        "when",
        re.compile(
            r"^(?:(?:in|on|by|since|until|from) )?(?:when|"
            r"what (?:exact |precise )?(?:year|date|day|month|time)|"
            r"which (?:year|date|day|month))\b"
        ),
    ),
    (
        "where",
        re.compile(
            r"^(?:(?:in|to|from|at) )?(?:where|what (?:country|city|town|place|region|state|venue)|"
            r"which (?:country|city|town|place|region|state|venue|countries|cities))\b"
        ),
    ),
    ("why", re.compile(r"^(?:why|for what reason|what (?:caused|led to|prompted|made)|how come)\b")),
    ("who", re.compile(r"^(?:(?:to|by|for|with|from) )?(?:who|whom|whose)\b")),
    (
        "entity",
        re.compile(
            r"^(?:(?:to|by|for|with|from|in|at) )?(?:which|what) (?:company|firm|group|team|club|player|"
            r"band|singer|actor|actress|film|bank|party|country's|minister|man|woman|person|people|"
            r"organisation|organization|airline|carrier|channel|network|network's|newspaper|body|"
            r"agency|union|side|manager|chief|executive|rival|boss|politician|leader|official|star|"
            r"director|coach|brand|retailer|maker|giant|operator|broadcaster|studio|label|show|"
            r"programme|service|website|game|console|product|award|prize|title|nation|nations)\b"
            r"|^(?:(?:to|by|for|with|from|in|at|on) )?which (?!is\b|are\b|was\b|were\b|of\b)[a-z]"
            rf"|{_NAME_ASKED}"
        ),
    ),
)
# Within a type, what the question's words say the answer is: "how old" wants an age, not any
# figure; "who's the chief executive" a person, not a company. Checked in order, the first that
# matches decides; a question none matches wants anything of its type.
_WANTS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "entity",
        "name",  # a name a brief may not hold among its actors: a title, a product
        re.compile(_NAME_ASKED),
    ),
    ("number", "age", re.compile(r"^(?:(?:at|by) )?(?:how old|what age)\b")),
    ("number", "duration", re.compile(r"^(?:for )?how long\b")),
    ("number", "percent", re.compile(r"^(?:by )?what (?:percentage|proportion|share|fraction)\b")),
    ("number", "count", re.compile(r"^how many\b(?!.*\b(?:pounds|dollars|euros|percent)\b)")),
    (
        "number",
        "money",
        re.compile(
            r"^(?:(?:for|at) )?(?:how much\b(?!.*\b(?:grow|grew|rise|rose|fall|fell|drop|dropped|"
            r"increase|increased|decrease|decreased|climb|climbed|shrink|shrank|of)\b)(?=.*\b(?:cost|costs|"
            r"pay|paid|pays|bid|earn|earned|earns|spend|spent|worth|charge|charged|charges|fetch|"
            r"fetched|raise|raised|invest|invested|money|salary|price|fee|fees|profit|profits|revenue|"
            r"owe|owed|fine|fined|compensation|bonus|make|made|makes|lose|lost|take|took|sell for|sold for|"
            r"get|got|receive|received|award|awarded|prize)\b)|what (?:sum|price|bail|fine|fee|salary)\b)"
        ),
    ),
    (
        "who",
        "person",
        re.compile(
            r"^(?:(?:to|by|for|with|from) )?who(?:'s|’s| is| was| will be| has been| had been| were)?"
            r"\b.*\b(?:"
            r"ceo|chief executive|chairman|chairwoman|lawyer|lawyers|solicitor|attorney|director|"
            r"minister|manager|coach|captain|boss|founder|editor|presenter|spokesman|spokeswoman|"
            r"governor|mayor|judge|directed|chairs|chaired|replaced|succeeded|founded|hosted|"
            r"presented|starred|coaches|coached|manages|managed|play|plays|played|sang|wrote)\b"
        ),
    ),
)
# "What is the capital of Mongolia?": the thing asked about, which a sentence that answers must name
# (one about Mongolia alone does not). A "what's the name of" question names nothing by it.
_FOCUS = re.compile(
    r"^(?:what|which)(?:'s|’s| is| was| are| were) (?:the |a |an )?(?:[\w-]+ )?([\w-]+) "
    r"(?:of|for|in|at|on)\b"
)
# What each type wants the answer to hold (the kinds of the brief's actors that count as it).
ACTOR_KINDS_FOR = {
    "who": frozenset({"person", "organization", "group"}),
    "entity": frozenset({"person", "organization", "group", "place"}),
    "where": frozenset({"place"}),
}


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    kind: str  # number | when | where | why | who | entity | other
    terms: tuple[str, ...]  # stemmed content words, in order, each once
    surface: tuple[str, ...]  # one typed form per term, for the database's own stemmer
    names: frozenset[str] = frozenset()  # the terms that are names
    wants: str = ""  # within its kind: age | duration | percent | count | money | person | name, or any
    focus: str = ""  # the stemmed thing a "what is the X of Y" question asks about, if it is one


def parse_question(text: str) -> Question:
    lowered = " ".join(text.lower().split())
    kind = next((name for name, pattern in _TYPES if pattern.match(lowered)), "other")
    wants = next((w for k, w, pattern in _WANTS if k == kind and pattern.match(lowered)), "")
    focus = _FOCUS.match(lowered)
    lex = lexicon()
    typed = words(text)
    terms: dict[str, str] = {}
    names: set[str] = set()
    for i, word in enumerate(typed):
        low = word.lower()
        if low in QUESTION_WORDS or low in lex.stop_words or low in TYPE_WORDS:
            continue
        term = stem(word)
        if term not in terms and len(terms) == MAX_TERMS:
            break
        terms.setdefault(term, word)
        if any(c.isupper() for c in word) and (i > 0 or word.isupper()):
            names.add(term)
    return Question(
        text=text,
        kind=kind,
        terms=tuple(terms),
        surface=tuple(terms.values()),
        names=frozenset(names),
        wants=wants,
        focus=stem(focus.group(1)) if focus and focus.group(1) not in ("name", "names") else "",
    )


@cache
def stem(word: str) -> str:
    # Snowball strips "'s" but not "’s": "IDU’s" must meet "IDU".
    return lexicon().stem(word.lower().replace("’", "'"))


@lru_cache(maxsize=65536)
def sentence_terms(sentence: str) -> tuple[str, ...]:
    """The sentence's stemmed words in order (repeats kept, for term frequency); a hyphenated word
    also gives its parts, so "al-Nujaba" meets "Nujaba". Cached: one question reads the same
    sentences as search hits and again in their articles, and the next question often the same."""
    out: list[str] = []
    for word in words(sentence):
        out.append(stem(word))
        if "-" in word:
            out.extend(stem(part) for part in word.split("-") if part)
    return tuple(out)
