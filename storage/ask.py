"""Answering a question from stored articles with the sentences that answer it, each cited.

Retrieval is the store's full-text search (any of the question's content words); the sentences of
the best articles are then scored by the stemmed question words they contain, weighted by how rare
each word is among the candidates (names asked about count double). The question's type steers the
choice: "who" prefers sentences naming a person of that article, "how many/much" sentences holding
one of its figures, "when" sentences with a date. Below a minimum match the answer says plainly
that nothing stored answers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from storage.models import ActorAliasRow, ActorRow, ArticleRow, FigureRow
from storage.query import SearchQuery
from storage.search import search
from storage.store import Store
from storage.values import Answer, Citation
from summarizer.ranking import lexicon
from summarizer.sentences import split_sentences, words

QUESTION_WORDS = frozenset(
    "who whom whose what which when where why how many much does did do is are was were "
    "has have had can could will would should".split()
)
CANDIDATE_ARTICLES = 8
MAX_CITATIONS = 3
MIN_COVERAGE = 0.5  # share of the question's content words (by weight) a sentence must contain
# A name in the question ("IDU", "al-Nujaba") says what the answer is about; a sentence that only
# shares the question's verb ("leads" with "lead author") answers something else.
NAME_WEIGHT = 2.0
_DATE = re.compile(
    r"\b(?:\d{4}|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)\b",
    re.I,
)
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    kind: str  # who | how_many | when | where | other
    terms: tuple[str, ...]  # stemmed content words
    surface: tuple[str, ...]  # the words as typed, for retrieval
    names: frozenset[str] = frozenset()  # the terms that are names: capitalised past the first word


def parse_question(text: str) -> Question:
    lowered = text.lower().strip()
    if lowered.startswith(("who ", "whom ", "whose ")):
        kind = "who"
    elif re.match(r"^how (many|much)\b", lowered):
        kind = "how_many"
    elif lowered.startswith("when "):
        kind = "when"
    elif lowered.startswith("where "):
        kind = "where"
    else:
        kind = "other"
    lex = lexicon()
    typed = words(text)
    surface = tuple(w for w in typed if w.lower() not in QUESTION_WORDS and w.lower() not in lex.stop_words)
    terms = tuple(dict.fromkeys(_stem(w) for w in surface))
    names = frozenset(
        _stem(w)
        for i, w in enumerate(typed)
        if w in surface and any(c.isupper() for c in w) and (i > 0 or w.isupper())
    )
    return Question(text=text, kind=kind, terms=terms, surface=surface, names=names)


def names_someone(sentence: str, names: set[str]) -> bool:
    """Whether the sentence names one of these people as a whole name: "Ali" is not in "Alibaba"."""
    lowered = sentence.lower()
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", lowered) for name in names)


def _stem(word: str) -> str:
    # Snowball strips "'s" but not "’s": "IDU’s" must meet "IDU".
    return lexicon().stem(word.lower().replace("’", "'"))


def _sentence_terms(sentence: str) -> set[str]:
    lex = lexicon()
    out: set[str] = set()
    for word in words(sentence):
        lowered = word.lower().replace("’", "'")
        out.add(lex.stem(lowered))
        if "-" in lowered:  # "al-Nujaba" also matches "Nujaba"
            out.update(lex.stem(part) for part in lowered.split("-") if part)
    return out


def ask(store: Store, text: str) -> Answer:
    question = parse_question(text)
    if not question.terms:
        return Answer(question=text, citations=())
    hits = search(store, SearchQuery(terms=question.surface), limit=CANDIDATE_ARTICLES, any_term=True)
    if not hits:
        return Answer(question=text, citations=())
    ids = [hit.article.id for hit in hits]
    with store.sessions() as session:
        texts = dict(
            session.execute(select(ArticleRow.id, ArticleRow.text).where(ArticleRow.id.in_(ids))).all()
        )
        people: dict[int, set[str]] = {}
        for article_id, key in session.execute(
            select(ActorRow.article_id, ActorAliasRow.key)
            .join(ActorAliasRow, ActorAliasRow.actor_id == ActorRow.id)
            .where(ActorRow.article_id.in_(ids), ActorRow.kind == "person")
        ):
            people.setdefault(article_id, set()).add(key)
        figures: dict[int, set[int]] = {}
        for article_id, figure_sentence in session.execute(
            select(FigureRow.article_id, FigureRow.sentence).where(FigureRow.article_id.in_(ids))
        ):
            figures.setdefault(article_id, set()).add(figure_sentence)

    candidates: list[tuple[int, int, str, set[str]]] = []
    for hit in hits:
        for index, span in enumerate(split_sentences(texts.get(hit.article.id, ""))):
            candidates.append((hit.article.id, index, span.text, _sentence_terms(span.text)))
    # Rarer question words weigh more: "nujaba" decides more than "said".
    frequency = Counter(term for *_, terms in candidates for term in set(question.terms) & terms)
    weights = {
        t: math.log(1 + len(candidates) / (1 + frequency[t])) * (NAME_WEIGHT if t in question.names else 1.0)
        for t in question.terms
    }
    total = sum(weights.values()) or 1.0

    scored: list[tuple[float, int, int, str]] = []
    for article_id, index, sentence, terms in candidates:
        coverage = sum(weights[t] for t in question.terms if t in terms) / total
        if coverage < MIN_COVERAGE:
            continue
        bonus = 0.0
        if question.kind == "who" and names_someone(sentence, people.get(article_id, set())):
            bonus = 0.5
        elif question.kind == "how_many" and (
            index in figures.get(article_id, set()) or _NUMBER.search(sentence)
        ):
            bonus = 0.5 if index in figures.get(article_id, set()) else 0.25
        elif question.kind == "when" and _DATE.search(sentence):
            bonus = 0.4
        scored.append((coverage + bonus - 0.002 * index, article_id, index, sentence))
    scored.sort(key=lambda item: -item[0])
    by_id = {hit.article.id: hit.article for hit in hits}
    citations = []
    seen: set[str] = set()
    for score, article_id, _index, sentence in scored:
        if sentence in seen:
            continue
        seen.add(sentence)
        article = by_id[article_id]
        citations.append(
            Citation(
                sentence=sentence,
                article_id=article_id,
                title=article.title,
                url=article.url,
                score=round(score, 4),
            )
        )
        if len(citations) == MAX_CITATIONS:
            break
    return Answer(question=text, citations=tuple(citations))
