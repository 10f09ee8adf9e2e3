"""Example questions come from the index (issue 25): made from the newest articles' quoted people and kept only
when answered; the deployment may set its own; none on an empty index. Real Chroma, hash embedder."""

from __future__ import annotations

from assistant.core import Assistant
from assistant.web.examples import ExampleQuestions
from common.config import Config
from index.pipeline import Ingestor
from index.store import ChromaStore

from .conftest import EXAMPLES


def _assistant(tmp_path, env=None, ingest=True):
    config = Config.from_env(env=env or {}, index_dir=tmp_path / "index", embedder="hash")
    ingestor = Ingestor(config, store=ChromaStore(config))
    if ingest:
        assert ingestor.ingest_paths([EXAMPLES]).ok
    return Assistant(config, store=ingestor.store, embedder=ingestor.embedder)


def test_examples_are_made_from_the_index_and_each_is_answered(tmp_path):
    """On the sample corpus: questions about people (or bodies) its newest articles quote by name, no lower-case
    "harbour authority", from different articles, every one answered with citations."""
    assistant = _assistant(tmp_path)
    examples = ExampleQuestions(assistant).get()
    print(examples)
    assert len(examples) == 4 and len(set(examples)) == 4
    names = [q.removeprefix("What did ").removesuffix(" say?") for q in examples]
    assert all(len(n.split()) >= 2 and all(w[:1].isupper() for w in n.split()) for n in names), names
    for q in examples:
        answer = assistant.ask(q)
        assert not answer.abstained and answer.citations, q


def test_the_deployment_sets_its_own(tmp_path):
    assistant = _assistant(tmp_path, {"ASSISTANT_EXAMPLE_QUESTIONS": "Who won the match? | What did the council vote?"},
                           ingest=False)
    assert ExampleQuestions(assistant).get() == ["Who won the match?", "What did the council vote?"]


def test_none_on_an_empty_index(tmp_path):
    assert ExampleQuestions(_assistant(tmp_path, ingest=False)).get() == []
