"""Text in, brief out: clean, split, one model pass, rank, actors, figures.

The model runs once per article and everything (actors, figures, the sentence each belongs to)
comes from that one pass; several articles at once go through ``nlp.pipe`` in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from config import SummarizerSettings
from summarizer.actors import extract_actors
from summarizer.brief import Brief
from summarizer.clean import clean
from summarizer.figures import extract_figures
from summarizer.kinds import load_gazetteer
from summarizer.mentions import read_doc
from summarizer.nlp import load_model
from summarizer.ranking import rank
from summarizer.sentences import Span, split_sentences
from summarizer.version import SUMMARIZER_VERSION

# Names a person, an organisation and a place, and states figures: every model a brief uses is read.
WARM_UP_TEXT = (
    "Mayor Jane Holloway of Marlow said on Tuesday that the council would spend $40 million on a light "
    "rail line to Paris, France. The Marlow Transit Authority expects 12,000 riders a day by 2028."
)
MAX_MODEL_CHARS = 200_000  # entities past this point of a very long text are not looked for
MAX_FALLBACK_TITLE = 100


class EmptyText(ValueError):
    """The text holds no story once the page around it is removed."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A cleaned article ready for the model: the text it reads and where each sentence lies in it."""

    title: str | None
    text: str
    body_start: int
    sentences: tuple[Span, ...]


def prepare(raw: str, title: str | None = None) -> Prepared:
    cleaned = clean(raw)
    if not cleaned.paragraphs:
        raise EmptyText("no text to brief" if not raw.strip() else "nothing but page furniture, no story")
    title = title or cleaned.title
    head = f"{title}\n\n" if title else ""
    body = cleaned.body
    sentences = tuple(split_sentences(body, offset=len(head)))
    return Prepared(title=title, text=head + body, body_start=len(head), sentences=sentences)


def fallback_title(first_sentence: str) -> str:
    """A title for text that has none: its first sentence, cut at a word."""
    if len(first_sentence) <= MAX_FALLBACK_TITLE:
        return first_sentence.rstrip(".")
    cut = first_sentence[:MAX_FALLBACK_TITLE].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


class BriefWriter(Protocol):
    """What the store asks of a summarizer: this module's, or one running it in another process."""

    def warm_up(self) -> None: ...

    def brief(self, text: str, *, title: str | None = None) -> Brief: ...

    def brief_many(
        self, texts: Iterable[str | tuple[str, str | None]], *, batch_size: int = 16
    ) -> Iterator[Brief | EmptyText]: ...


class Summarizer:
    """Writes briefs. Holds the settings; the model is loaded on the first brief and shared."""

    def __init__(self, *, settings: SummarizerSettings | None = None) -> None:
        self.settings = settings or SummarizerSettings()

    @property
    def nlp(self) -> Any:
        return load_model(self.settings.spacy_model)

    def warm_up(self) -> None:
        """Load now what the first brief would: the model, the weights, the gazetteer. Loading holds
        the interpreter for a second or two; a process that also serves chat pays it at start, not
        while someone's command waits for its acknowledgement."""
        load_gazetteer()
        self.brief(WARM_UP_TEXT)

    def brief(self, text: str, *, title: str | None = None) -> Brief:
        """One article's brief. Raises :class:`EmptyText` when there is no story in the text."""
        prepared = prepare(text, title)
        return self._assemble(prepared, self.nlp(prepared.text[:MAX_MODEL_CHARS]))

    def brief_many(
        self, texts: Iterable[str | tuple[str, str | None]], *, batch_size: int = 16
    ) -> Iterator[Brief | EmptyText]:
        """Briefs for many texts in order, through ``nlp.pipe``; an empty text yields its error.

        An item may be ``(text, title)`` when the title is known apart from the text (a web page's
        headline), as :meth:`brief`'s ``title`` argument.
        """
        prepared: list[Prepared | EmptyText] = []
        for entry in texts:
            text, title = entry if isinstance(entry, tuple) else (entry, None)
            try:
                prepared.append(prepare(text, title))
            except EmptyText as error:
                prepared.append(error)
        ready = [p for p in prepared if isinstance(p, Prepared)]
        docs = iter(self.nlp.pipe((p.text[:MAX_MODEL_CHARS] for p in ready), batch_size=batch_size))
        for item in prepared:
            yield item if isinstance(item, EmptyText) else self._assemble(item, next(docs))

    def _assemble(self, prepared: Prepared, doc: Any) -> Brief:
        settings = self.settings
        sentences = [span.text for span in prepared.sentences]
        starts = [span.start for span in prepared.sentences]
        bounds = [(span.start, span.end) for span in prepared.sentences]
        chosen = rank(
            sentences,
            algorithm=settings.algorithm,
            count=settings.sentences,
            max_chars=settings.max_chars,
            title=prepared.title,
        )
        tokens, entities = read_doc(doc, starts, prepared.body_start)
        actors = extract_actors(entities, tokens, summary=chosen, limit=settings.actors)
        figures = extract_figures(entities, tokens, sentences, bounds, prepared.text, limit=settings.figures)
        return Brief(
            title=prepared.title or fallback_title(sentences[0]),
            summary=tuple(sentences[i] for i in chosen),
            summary_index=tuple(chosen),
            actors=tuple(actors),
            figures=tuple(figures),
            sentence_count=len(sentences),
            algorithm=settings.algorithm,
            version=SUMMARIZER_VERSION,
        )
