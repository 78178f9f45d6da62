"""Merging mentions into actors, on mentions as the model labels them (including its mistakes)."""

from __future__ import annotations

from summarizer.actors import extract_actors
from summarizer.mentions import Entity


def mention(text: str, label: str, sentence: int) -> Entity:
    return Entity(
        text=text, label=label, start=0, end=len(text), sentence=sentence, first_token=0, last_token=0
    )


def test_the_full_name_decides_the_kind_of_a_merged_actor() -> None:
    # en_core_web_sm calls "Tim Sherwood" a person but the bare "Sherwood" an organisation as often as
    # not (seen on the CNN/DailyMail dev articles); the surname's votes must not outnumber the name.
    mentions = [
        mention("Tim Sherwood", "PERSON", 0),
        *(mention("Sherwood", "ORG", n) for n in (1, 2, 3)),
        mention("Sherwood", "PERSON", 4),
        mention("Aston Villa", "ORG", 1),
        mention("Villa", "ORG", 5),
    ]
    actors = {a.name: a for a in extract_actors(mentions, [])}
    assert set(actors) == {"Tim Sherwood", "Aston Villa"}
    sherwood = actors["Tim Sherwood"]
    assert (sherwood.kind, sherwood.mentions, sherwood.aliases) == ("person", 5, ("Sherwood",))
    assert sherwood.sentences == (0, 1, 2, 3, 4)
    assert actors["Aston Villa"].kind == "organization"


def test_a_name_seen_as_two_kinds_takes_the_kind_most_mentions_give() -> None:
    mentions = [mention("Meridian", "ORG", n) for n in (0, 2, 3)] + [mention("Meridian", "PERSON", 1)]
    [actor] = extract_actors(mentions, [])
    assert (actor.kind, actor.mentions) == ("organization", 4)
