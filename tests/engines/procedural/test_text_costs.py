"""Text matching costs only what it needs: the embedding model loads lazily, once a text is in
no cache; vectors are kept on disk per model version; drafted event labels are never matched."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.notes import Event, Layer, LayerKind
from foleyline.notes.event_labels import BED, hit_label, is_generated, span_label
from foleyline.server.engines.base import SamplingSettings
from foleyline.server.engines.procedural import ProceduralEngine, embedding_cache
from foleyline.server.engines.procedural.embedding_cache import MAX_BATCHES, EmbeddingCache
from foleyline.server.engines.procedural.matcher import EmbeddingScorer, Matcher

from .conftest import make_shot


class FakeModel:
    """Stands in for all-MiniLM-L6-v2: a unit vector per text, and a record of what it encoded."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, normalize_embeddings, convert_to_numpy):
        self.encoded.extend(texts)
        vectors = np.stack([np.random.default_rng(sum(map(ord, t))).standard_normal(16) for t in texts])
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def loads(monkeypatch, tmp_path):
    """A fresh process's scorer: nothing in memory, no shipped table (the fake model's vectors
    are not the real one's); each model load is counted."""
    monkeypatch.setattr(embedding_cache, "SHIPPED_DIR", tmp_path / "nothing shipped")
    monkeypatch.setattr(EmbeddingScorer, "_cache", {})
    monkeypatch.setattr(EmbeddingScorer, "_disk", None)
    monkeypatch.setattr(EmbeddingScorer, "_model", None)
    model, count = FakeModel(), []

    def load(cls):
        if cls._model is None:
            count.append(1)
            cls._model = model
        return cls._model

    monkeypatch.setattr(EmbeddingScorer, "_load", classmethod(load))

    def restart() -> None:
        EmbeddingScorer._cache = {}
        EmbeddingScorer._disk = None
        EmbeddingScorer._model = None

    return model, count, restart


def test_generated_event_labels_are_recognised_and_free_text_is_not():
    for label in (hit_label("contact", 3, 0.72), hit_label("step", 12, 1.0), span_label(0.4), BED):
        assert is_generated(label), label
    for text in ("a glass clinks", "contact with the door", "step 3 on gravel", "movement of the cloth", ""):
        assert not is_generated(text), text


def test_creating_and_loading_the_engine_loads_no_model(loads):
    _, count, _ = loads
    ProceduralEngine(matcher=Matcher(EmbeddingScorer())).load()
    assert count == []


def test_a_drafted_layer_embeds_its_prompt_and_the_descriptions_never_its_event_labels(loads):
    model, _, _ = loads
    events = tuple(Event(t, t, hit_label("contact", i, 0.5)) for i, t in enumerate((0.5, 1.25, 2.0), 1))
    layer = Layer("impacts", LayerKind.FX, prompt="short sharp impacts on contact", events=events)
    engine = ProceduralEngine(matcher=Matcher(EmbeddingScorer()))
    engine.generate(make_shot(layers=(layer,)), layer, [0], SamplingSettings())
    assert "short sharp impacts on contact" in model.encoded
    assert not any(is_generated(text) for text in model.encoded)


def test_an_events_own_words_are_still_matched(loads):
    model, _, _ = loads
    layer = Layer("hits", LayerKind.FX, prompt="knocks on a door", events=(Event(0.5, 0.5, "a glass clinks"),))
    ProceduralEngine(matcher=Matcher(EmbeddingScorer())).generate(make_shot(layers=(layer,)), layer, [0],
                                                                 SamplingSettings())
    assert "a glass clinks" in model.encoded


def test_texts_embedded_once_are_read_back_from_disk_without_the_model(loads):
    model, count, restart = loads
    layer = Layer("bg", LayerKind.BG, prompt="quiet room tone, natural ambience")
    first = Matcher(EmbeddingScorer()).plan(layer)
    assert count == [1] and model.encoded
    restart()  # a new process on the same machine
    again = Matcher(EmbeddingScorer()).plan(layer)
    assert count == [1], "the model loaded again for texts already on disk"
    assert (again.oneshot, again.texture) == (first.oneshot, first.texture)
    restart()
    Matcher(EmbeddingScorer()).plan(Layer("bg", LayerKind.BG, prompt="waves on a pebble beach"))
    assert count == [1, 1], "a new text needs the model"
    assert model.encoded[-1] == "waves on a pebble beach"


def test_the_disk_cache_is_per_model_version(tmp_path):
    EmbeddingCache.for_model("m", "1.0").put(["a"], np.ones((1, 4)))
    assert EmbeddingCache.for_model("m", "1.0").get(["a", "b"]).keys() == {"a"}
    assert EmbeddingCache.for_model("m", "2.0").get(["a"]) == {}


def test_an_unreadable_batch_is_skipped_and_many_batches_are_merged(tmp_path):
    cache = EmbeddingCache(tmp_path)
    for i in range(MAX_BATCHES + 1):
        cache.put([f"text {i}"], np.full((1, 4), i, np.float32))
    (tmp_path / "broken.npz").write_bytes(b"not a batch")
    fresh = EmbeddingCache(tmp_path)
    found = fresh.get([f"text {i}" for i in range(MAX_BATCHES + 1)])
    assert len(found) == MAX_BATCHES + 1
    np.testing.assert_array_equal(found["text 3"], np.full(4, 3, np.float32))
    assert len([p for p in tmp_path.glob("*.npz") if p.name != "broken.npz"]) == 1
    assert len(EmbeddingCache(tmp_path).get([f"text {i}" for i in range(MAX_BATCHES + 1)])) == MAX_BATCHES + 1


def test_a_model_that_will_not_load_leaves_the_keywords(monkeypatch):
    monkeypatch.setattr(EmbeddingScorer, "_cache", {})
    monkeypatch.setattr(EmbeddingScorer, "_disk", None)

    def broken(cls):
        raise OSError("weights missing")

    monkeypatch.setattr(EmbeddingScorer, "_load", classmethod(broken))
    matcher = Matcher(EmbeddingScorer())
    plan = matcher.plan(Layer("l", LayerKind.BG, prompt="rain on the window"))
    assert matcher.scorer.name == "keywords"
    assert plan.texture is not None and plan.texture.name == "rain"
