"""Answering a question from stored sentences, each cited, or saying plainly that nothing stored does.

Three steps, each measured in ``bench/ask.py``:

1. Retrieval over every stored sentence (``storage.sentence_index``): the question's words are weighed
   by how rare they are in the whole store (BM25's idf), and the sentences holding the rarer ones are
   fetched. Their articles are then read whole, because the sentence that answers often names its
   subject only in the sentence before ("It fell 3%") or in the title.
2. Each sentence of those articles is scored by a logistic model over what the data showed matters:
   BM25 and the share of the question it covers, in the sentence and with its context, whether it
   holds the kind of thing the question asks for (a figure for "how many", a date for "when", a
   person for "who"), the names asked about, its place. Weights: ``storage/weights/ask_sentence.json``.
3. A second model, over the best sentence's scores and what of the question the store knows at all,
   says whether that sentence answers. Below its threshold, the answer is "nothing stored answers",
   fitted on questions whose answers are not in the store. Just above it (the least sure tenth of
   the fitted answers), the answer is given and said to be unsure (``Answer.hedged``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from storage import sentence_index
from storage.answer_parts import answer_part
from storage.question import Question, parse_question, sentence_terms
from storage.sentence_index import StoredArticle
from storage.store import Store
from storage.values import Answer, Citation
from summarizer.kinds import load_gazetteer
from summarizer.weights import LinearModel, load

CANDIDATE_SENTENCES = 200  # sentences fetched by the rarer words
CANDIDATE_ARTICLES = 8  # articles then read whole
RARE_WORDS = 4  # at most this many of the question's words are searched for
RARE_BELOW = 1000  # ... each in fewer sentences than this, while the question has such words
MAX_CITATIONS = 3
K1, B = 1.2, 0.75
AVERAGE_SENTENCE_TERMS = 24.0  # a news sentence's length in words, for BM25's length norm
# "It", "The company": the sentence leans on the one before for its subject.
_LEANS_BACK = re.compile(
    r"^(?:[\"“‘']\s*)?(?:he|she|it|they|his|her|its|their|this|these|those|there|"
    r"the (?:[a-z]+ )?(?:company|firm|group|club|bank|party|government|minister|chancellor|team|"
    r"side|band|singer|star|actor|actress|film|show|player|manager|airline|carrier|chain|giant|maker|"
    r"retailer|network|agency|body|union|report|survey|study|deal|move|plan|bill|court|judge|"
    r"country|state|city|chief|boss|executive|official|spokesman|spokeswoman|organisation|firm's|"
    r"company's|club's))\b",
    re.IGNORECASE,
)

SENTENCE_FEATURES = (
    "bm25",
    "bm25_relative",
    "bm25_rank",
    "cover",
    "cover_context",
    "cover_context_relative",
    "cover_article_relative",
    "title",
    "names",
    "answer_part",
    "first",
    "position",
    "leans_back",
    "novelty",
    "article_rank",
    "length",
)
MIN_WORDS = 3  # "beat", "Cameroon's": fragments of a broken paragraph answer nothing
# The question kinds that ask for a kind of thing a sentence can be seen to hold (a person, a
# figure, a date, a place, a reason); "what"/"which" questions ("other") ask for anything.
ASKED_KINDS = frozenset({"who", "entity", "number", "when", "where", "why"})
QUESTION_FEATURES = (
    "best_cover",
    "best_cover_context",
    "best_names",
    "asked_kind_missing",
    "article_cover",
    "unknown",
    "hard_missing",
    "largest_missing",
    "focus_missing",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One stored sentence, considered as the answer, with what it is scored on."""

    article: StoredArticle
    position: int
    sentence: str
    features: tuple[float, ...]
    part: tuple[int, int] | None
    article_cover: float = 0.0  # the share of the question its whole article holds

    @property
    def context(self) -> str | None:
        """The sentence before, when this one leans on it for its subject."""
        if self.position > 0 and _LEANS_BACK.match(self.sentence):
            return self.article.sentences[self.position - 1]
        return None


@dataclass(frozen=True, slots=True)
class Candidates:
    question: Question
    unknown: float  # share of the question's weight in words no stored sentence holds
    sentences: tuple[Candidate, ...]
    weights: dict[str, float] = field(default_factory=dict)  # each question term's share of its weight


def warm_up() -> None:
    """Load now what the first question would: both models and the gazetteer of places (0.3 s of
    reading that holds the interpreter, so a chat process pays it at start, not in someone's ask)."""
    load("ask_sentence", "storage.weights")
    load("ask_answerable", "storage.weights")
    load_gazetteer()


def ask(store: Store, text: str) -> Answer:
    return answer_from(
        text,
        find_candidates(store, parse_question(text)),
        load("ask_sentence", "storage.weights"),
        load("ask_answerable", "storage.weights"),
    )


def answer_from(text: str, candidates: Candidates, ranker: LinearModel, refusal: LinearModel) -> Answer:
    """The answer the two models give on these candidates: what ``ask`` replies, and what
    ``bench/fit_ask.py`` measures a fit by."""
    if not candidates.sentences:
        return Answer(question=text, citations=())
    scores = ranker.score(np.array([c.features for c in candidates.sentences]))
    probability = answerable(refusal, candidates, scores)
    if probability < float(refusal.meta["threshold"]):
        return Answer(question=text, citations=())
    citations: list[Citation] = []
    seen: set[str] = set()
    names = SENTENCE_FEATURES.index("names")
    for i in np.argsort(-scores, kind="stable"):
        candidate = candidates.sentences[i]
        if candidate.sentence in seen:
            continue
        if citations and candidate.features[names] < 1.0:
            continue  # a further citation must be about what was asked: every name asked about
        seen.add(candidate.sentence)
        citations.append(
            Citation(
                sentence=candidate.sentence,
                article_id=candidate.article.id,
                title=candidate.article.title,
                url=candidate.article.url,
                score=round(float(scores[i]), 4),
                answer=candidate.part,
                context=candidate.context,
            )
        )
        if len(citations) == MAX_CITATIONS:
            break
    hedged = probability < float(refusal.meta.get("hedge_below", 0.0))
    return Answer(question=text, citations=tuple(citations), confidence=round(probability, 3), hedged=hedged)


def answerable(model: LinearModel, candidates: Candidates, scores: np.ndarray) -> float:
    """The probability that the best-ranked sentence answers the question at all."""
    logit = float(model.score(np.array([question_features(candidates, scores)]))[0])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


def question_features(candidates: Candidates, scores: np.ndarray) -> tuple[float, ...]:
    """What decides whether anything answers: how good the best sentence is (``scores`` are the
    sentence model's, one per candidate), whether it holds the kind of thing asked for, how much of
    the question its article covers, and how much of the question no stored sentence holds."""
    index = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
    top = candidates.sentences[int(np.argmax(scores))]
    row = top.features
    context = context_terms(top.article, top.position)
    question = candidates.question
    # A name or a number asked about ("in 2010", "Wimbledon") is a condition the answer must meet:
    # a sentence without it answers some other question.
    hard = [t for t in question.terms if t in question.names or any(c.isdigit() for c in t)]
    missing = [t for t in question.terms if t not in context]
    weights = candidates.weights
    return (
        row[index["cover"]],
        row[index["cover_context"]],
        row[index["names"]],
        # "How much did Wembley get for the stadium?" over a sentence with every word of it and no
        # sum: the question's own type says the store does not answer it.
        1.0 if question.kind in ASKED_KINDS and top.part is None else 0.0,
        max(c.article_cover for c in candidates.sentences),
        candidates.unknown,
        sum(1 for t in hard if t not in context) / len(hard) if hard else 0.0,
        max((weights.get(t, 0.0) for t in missing), default=0.0),
        # "What is the capital of Mongolia?" over a sentence about Inner Mongolia's dairy firm.
        1.0 if question.focus and question.focus not in context else 0.0,
    )


def find_candidates(store: Store, question: Question) -> Candidates:
    """Every sentence of the articles whose sentences best hold the question's words, with its
    features; empty when the question has no words to look for or no stored sentence holds one."""
    if not question.terms:
        return Candidates(question, 1.0, ())
    total = sentence_index.size(store)
    counts = sentence_index.frequencies(store, question.surface)
    idf = {term: _idf(total, count) for term, count in zip(question.terms, counts, strict=True)}
    weight = {term: idf[term] * (2.0 if term in question.names else 1.0) for term in question.terms}
    whole = sum(weight.values()) or 1.0
    unknown = sum(weight[t] for t, n in zip(question.terms, counts, strict=True) if n == 0) / whole
    known = sorted((n, word) for n, word in zip(counts, question.surface, strict=True) if n > 0)
    hits = _retrieve(store, known)
    if not hits:
        return Candidates(question, unknown, ())
    best: dict[int, float] = {}
    for hit in hits:
        score = _bm25(sentence_terms(hit.text), weight)
        best[hit.article_id] = max(best.get(hit.article_id, 0.0), score)
    chosen = sorted(best, key=lambda a: (-best[a], a))[:CANDIDATE_ARTICLES]
    stored = sentence_index.articles(store, chosen)
    raw: list[tuple[StoredArticle, int, str, dict[str, float], tuple[int, int] | None]] = []
    for rank, article_id in enumerate(chosen):
        article = stored.get(article_id)
        if article is not None:
            raw.extend(_article_rows(question, weight, whole, article, rank))
    shares = {term: w / whole for term, w in weight.items()}
    return Candidates(question, unknown, tuple(_relative(raw)), shares)


def _relative(
    raw: list[tuple[StoredArticle, int, str, dict[str, float], tuple[int, int] | None]],
) -> list[Candidate]:
    """The features as SENTENCE_FEATURES orders them, with those that only mean something against
    the question's other candidates (the best BM25 of this question, the best cover) made relative."""
    if not raw:
        return []
    best = {
        name: max(row[3][name] for row in raw) or 1.0 for name in ("bm25", "cover_context", "cover_article")
    }
    by_bm25 = sorted(range(len(raw)), key=lambda i: -raw[i][3]["bm25"])
    bm25_rank = {i: rank for rank, i in enumerate(by_bm25)}
    out = []
    for i, (article, position, sentence, values, part) in enumerate(raw):
        values = {
            **values,
            "bm25_relative": values["bm25"] / best["bm25"],
            "bm25_rank": 1.0 / (1.0 + bm25_rank[i]),
            "cover_context_relative": values["cover_context"] / best["cover_context"],
            "cover_article_relative": values["cover_article"] / best["cover_article"],
        }
        features = tuple(values[name] for name in SENTENCE_FEATURES)
        out.append(Candidate(article, position, sentence, features, part, values["cover_article"]))
    return out


def _article_rows(
    question: Question, weight: dict[str, float], whole: float, article: StoredArticle, rank: int
) -> list[tuple[StoredArticle, int, str, dict[str, float], tuple[int, int] | None]]:
    terms = [sentence_terms(s) for s in article.sentences]
    title = set(sentence_terms(article.title))
    everything = title.union(*terms) if terms else title
    cover_article = _share(everything, weight, whole)
    title_cover = _share(title, weight, whole)
    asked = set(question.terms)
    rows = []
    for position, sentence in enumerate(article.sentences):
        if len(terms[position]) < MIN_WORDS:
            continue
        own = set(terms[position])
        context = context_terms(article, position)
        if not any(t in context for t in weight):
            continue  # nothing of the question here, nor in the sentence it could lean on
        names = (
            sum(1 for n in question.names if n in context) / len(question.names) if question.names else 1.0
        )
        content = [t for t in own if len(t) > 2]
        novelty = sum(1 for t in content if t not in asked) / len(content) if content else 0.0
        part = answer_part(question, sentence, position, article.brief)
        values = {
            "bm25": _bm25(terms[position], weight) / whole,
            "cover": _share(own, weight, whole),
            "cover_context": _share(context, weight, whole),
            "cover_article": cover_article,
            "title": title_cover,
            "names": names,
            "answer_part": 1.0 if part is not None else 0.0,
            "first": 1.0 if position == 0 else 0.0,
            "position": 1.0 / (1.0 + position),
            "leans_back": 1.0 if _LEANS_BACK.match(sentence) else 0.0,
            "novelty": novelty,
            "article_rank": 1.0 / (1.0 + rank),
            "length": math.log1p(len(terms[position])),
        }
        rows.append((article, position, sentence, values, part))
    return rows


def context_terms(article: StoredArticle, position: int) -> set[str]:
    """The words a sentence answers with: its own, the sentence before (which it may lean on for its
    subject) and the article's title."""
    terms = set(sentence_terms(article.sentences[position])) | set(sentence_terms(article.title))
    if position > 0:
        terms |= set(sentence_terms(article.sentences[position - 1]))
    return terms


def _retrieve(store: Store, known: list[tuple[int, str]]) -> list[sentence_index.Hit]:
    """The candidate sentences, by the question's rarer words: any of the rare ones, ranked. A word
    in thousands of sentences ("said", "year") would make the database rank all of them, so when the
    question has nothing rarer, its few rarest words must all be in a sentence; failing that, the
    rarest alone."""
    rare = [word for n, word in known if n < RARE_BELOW][:RARE_WORDS]
    if rare:
        return sentence_index.sentences_with(store, rare, limit=CANDIDATE_SENTENCES)
    for size in (3, 2):
        if len(known) >= size:
            words = [word for _, word in known[:size]]
            hits = sentence_index.sentences_with(store, words, limit=CANDIDATE_SENTENCES, every=True)
            if hits:
                return hits
    return sentence_index.sentences_with(store, [w for _, w in known[:1]], limit=CANDIDATE_SENTENCES)


def _idf(total: int, count: int) -> float:
    return math.log(1.0 + (total - count + 0.5) / (count + 0.5))


def _bm25(terms: Sequence[str], weight: dict[str, float]) -> float:
    frequency = Counter(terms)
    norm = K1 * (1 - B + B * len(terms) / AVERAGE_SENTENCE_TERMS)
    return sum(w * frequency[t] * (K1 + 1) / (frequency[t] + norm) for t, w in weight.items() if frequency[t])


def _share(present: set[str], weight: dict[str, float], whole: float) -> float:
    return sum(w for t, w in weight.items() if t in present) / whole
