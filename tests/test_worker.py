"""Briefs written in a worker process (what ``briefbot run`` uses) are the briefs the model writes in
process; a worker that dies is replaced and the poll goes on; ``summarizer.worker_process`` chooses."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import open_store
from config import Settings
from summarizer import EmptyText, Summarizer
from summarizer.worker import ProcessSummarizer
from tests.test_delivery import samples


@pytest.fixture(scope="module")
def worker() -> Iterator[ProcessSummarizer]:
    summarizer = ProcessSummarizer()
    yield summarizer
    summarizer.close()


def test_the_worker_writes_the_briefs_the_model_writes_in_process(
    worker: ProcessSummarizer, summarizer: Summarizer
) -> None:
    documents = samples()[:4]
    here = list(summarizer.brief_many((d.text, d.title) for d in documents))
    there = list(worker.brief_many((d.text, d.title) for d in documents))
    assert there == here and all(brief.summary for brief in there)  # type: ignore[union-attr]
    assert worker.brief(documents[0].text, title=documents[0].title) == here[0]


def test_an_empty_text_comes_back_as_its_error(worker: ProcessSummarizer) -> None:
    [empty, story] = worker.brief_many(["   ", samples()[0].text])
    assert isinstance(empty, EmptyText) and str(empty) == "no text to brief"
    assert not isinstance(story, EmptyText) and story.summary
    with pytest.raises(EmptyText, match="no text to brief"):
        worker.brief("")


def test_a_killed_worker_is_replaced_and_the_brief_still_written(
    worker: ProcessSummarizer, caplog: pytest.LogCaptureFixture
) -> None:
    first = worker.worker_pid()
    os.kill(first, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="summarizer.worker"):
        brief = worker.brief(samples()[1].text)
    assert brief.summary
    assert worker.worker_pid() != first
    assert "briefing worker process died" in caplog.text


def test_a_serving_store_briefs_in_a_worker_unless_configured_not_to(tmp_path: Path) -> None:
    settings = Settings(storage=dataclasses.replace(Settings().storage, data_dir=str(tmp_path)))
    serving = open_store(settings, serving=True)
    try:
        assert isinstance(serving.summarizer, ProcessSummarizer)
        [stored] = serving.ingest([samples()[2]])
        assert stored.article is not None
        held = serving.brief_of(stored.article.id)
        assert held is not None and held.brief.summary
    finally:
        assert isinstance(serving.summarizer, ProcessSummarizer)
        serving.summarizer.close()
    one_process = dataclasses.replace(settings.summarizer, worker_process=False)
    assert isinstance(
        open_store(dataclasses.replace(settings, summarizer=one_process), serving=True).summarizer, Summarizer
    )
    assert isinstance(open_store(settings).summarizer, Summarizer)  # the CLI's own commands: in process
