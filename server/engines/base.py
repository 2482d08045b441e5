"""The one interface every engine implements (DESIGN.md, "Engines").

An engine never imports grpc, never touches the store and never fetches weights: it receives a
decoded shot and one layer of its notes, and returns audio for each requested seed. An engine
that sees its cancel event set raises ``foleyline.errors.Cancelled``.
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from foleyline.notes import Layer, Notes
from foleyline.notes.tokens import TokenCount, count_tokens
from foleyline.server.media.frames import FrameStream, MotionAnalysis, StreamSpec

ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class EngineCapabilities:
    name: str
    model: str
    version: str
    sample_rate: int
    channels: int
    max_window_seconds: float | None  # None: any length in one call
    supports_text: bool
    supports_cot: bool
    supports_roi: bool
    supports_edit: bool
    supports_negative_prompt: bool
    device: str
    max_text_tokens: int | None = None


@dataclass(frozen=True)
class SamplingSettings:
    steps: int | None = None          # None: the engine's default
    cfg_strength: float | None = None


@dataclass
class ShotInput:
    """A decoded shot, as an engine sees it.

    The audio to produce starts at ``offset`` seconds of shot time (negative when there is a head
    handle) and lasts ``duration`` seconds; frame-stream and analysis times are seconds from that
    first audio sample. Notes times are shot times: subtract ``offset`` to get stream times.
    """

    shot_id: str
    duration: float
    offset: float
    fps: float
    streams: dict[str, FrameStream]
    analysis: MotionAnalysis | None
    notes: Notes
    extras: dict[str, object] = field(default_factory=dict)


class Engine(abc.ABC):
    """A sound engine. Subclasses are cheap to construct; weights load in ``load()``."""

    # True when ``generate`` may run on several threads at once (a server with several
    # workers on the engine's device then overlaps shots); otherwise one shot at a time.
    thread_safe: bool = False

    @abc.abstractmethod
    def capabilities(self) -> EngineCapabilities: ...

    def required_streams(self) -> Sequence[StreamSpec]:
        """The frame streams the decoder must produce for this engine."""
        return ()

    def load(self) -> None:
        """Load weights (once). Raise ``foleyline.errors.Unavailable`` saying what is missing."""

    def layer_warnings(self, layer: Layer) -> list[str]:
        """What the editor should know about how this engine renders ``layer``: e.g. that it
        has no model for what the prompt asks and what it will sound like instead. Cheap (no
        rendering); the server sends these with the take, the notes check prints them."""
        return []

    def count_text_tokens(self, notes: Notes) -> list[TokenCount]:
        """Each layer's text tokens against the engine's limit, without loading weights, so an
        editor sees what would be cut before generating ([] for engines with no limit). The
        default counts the layer's prompt generously; engines that read other text override it."""
        limit = self.capabilities().max_text_tokens
        return count_tokens(notes, limit) if limit else []

    @abc.abstractmethod
    def generate(
        self,
        shot: ShotInput,
        layer: Layer,
        seeds: Sequence[int],
        settings: SamplingSettings,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> list[np.ndarray]:
        """Audio of one layer for each seed: float32 arrays of shape (channels, samples) at
        ``capabilities().sample_rate``, each exactly ``round(shot.duration * sample_rate)`` long.
        The same seed gives the same audio."""
