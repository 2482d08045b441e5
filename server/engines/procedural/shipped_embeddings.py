"""The sentence embeddings that ship with the package: every text a default run matches.

A default ``foleyline generate`` or ``foleyline demo`` matches the same few texts on every
machine: the sound models' descriptions, the prompts the motion drafter writes when no labels
say what is seen (``notes.draft_analysis.PLAIN_PROMPTS``) and the demo's own notes. Embedding
them on a fresh machine loaded the model first: a one-shot generate took 6.7 s and 675 MiB there
against 2.0 s and 181 MiB once they were on disk. Their vectors are computed here once, by the
project, and read by ``embedding_cache`` beneath the machine's own cache.

Run again after a description or a drafted prompt changes (a test says when it is due):

    python -m foleyline.server.engines.procedural.shipped_embeddings

What is recorded is what the matcher itself embeds while planning those layers (the prompt less
its negated words, the words beside a place name, the descriptions), so the table holds
exactly the texts a run asks for.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from foleyline.fsutil import write_bytes_atomic
from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.notes.draft_analysis import PLAIN_PROMPTS

from .embedding_cache import text_key
from .matcher import EmbeddingScorer, Matcher
from .synths import CATALOG


def seed_layers(notes: Iterable[Notes] = ()) -> list[Layer]:
    """The layers a default run plans: each plain prompt as a bed and as an effect (a bed's
    words are also read for a place), and the layers of ``notes``."""
    layers = [Layer(label, kind, prompt=prompt, negative_prompt="music, speech")
              for label, prompt in PLAIN_PROMPTS.items() for kind in (LayerKind.BG, LayerKind.FX)]
    for note in notes:
        layers.extend(note.layers)
    return layers


class _Recording(EmbeddingScorer):
    """The real scorer, keeping each text it is asked to embed, in order, once."""

    def __init__(self) -> None:
        self.asked: dict[str, None] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        self.asked.update(dict.fromkeys(texts))
        return super().embed(texts)


def embedded_texts(layers: Sequence[Layer]) -> list[str]:
    """Every text the embedding matcher embeds to plan ``layers``, and every model description."""
    scorer = _Recording()
    scorer.embed([m.description for m in CATALOG.values()])
    matcher = Matcher(scorer)
    for layer in layers:
        matcher.plan(layer)
        for event in layer.events:  # an event's own words pick its one-shot (the engine asks)
            matcher.best_oneshot(event.description, layer.negative_prompt)
    return list(scorer.asked)


def shipped_path() -> Path:
    """The installed model version's table: where ``embedding_cache`` reads it."""
    shipped = EmbeddingScorer._disk_cache().shipped
    assert shipped is not None  # a model's cache always names its table
    return shipped


def write(path: Path, texts: Sequence[str]) -> Path:
    """The table of ``texts`` (their keys, vectors and the texts themselves, for reading),
    embedded by the model itself, never read back from a cache."""
    vectors = np.asarray(EmbeddingScorer._load().encode(list(texts), normalize_embeddings=True,
                                                         convert_to_numpy=True), np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, keys=np.asarray([text_key(t) for t in texts]), vectors=vectors,
                        texts=np.asarray(list(texts)))
    return write_bytes_atomic(path, buffer.getvalue())


def main() -> None:
    from foleyline.notes.text import from_text
    from foleyline.plugin.commands.demo import EDITOR_NOTES  # a build step: the demo's notes ship too

    texts = embedded_texts(seed_layers(from_text(text) for text in EDITOR_NOTES.values()))
    print(f"wrote {len(texts)} texts to {write(shipped_path(), texts)}")


if __name__ == "__main__":
    main()
