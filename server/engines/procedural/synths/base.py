"""What every sound model shares: its parameters and the two shapes a model can take.

A *one-shot* model renders one short sound (a hit, a step, a whoosh) for one event; the engine
places it at the event's time. A *texture* model renders a whole layer at once from an envelope
(about 0..1 at ``dsp.CONTROL_RATE``, point k at audio sample k*HOP) that follows the picture's
motion or the editor's energy points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..dsp import SAMPLE_RATE, distance_filter, unit_peak


@dataclass(frozen=True)
class SoundParams:
    """Physical-ish controls, each 0..1.

    size: small/light (0) to big/heavy (1): lowers pitch, lengthens decays.
    hardness: soft contact (0) to hard contact (1): brighter attack, more high modes.
    intensity: gentle (0) to violent (1): level and brightness.
    distance: close-miked (0) to far (1): quieter, duller, less attack.
    """

    size: float = 0.5
    hardness: float = 0.5
    intensity: float = 0.7
    distance: float = 0.1

    def __post_init__(self) -> None:
        for name in ("size", "hardness", "intensity", "distance"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SoundParams.{name} must be within 0..1, got {value}")

    def with_(self, **changes: float) -> "SoundParams":
        clipped = {k: float(min(max(v, 0.0), 1.0)) for k, v in changes.items()}
        return replace(self, **clipped)


# rng, params, strength 0..1 of this event -> mono float32 sound (any length)
OneShotFn = Callable[[np.random.Generator, SoundParams, float], np.ndarray]
# rng, params, control-rate envelope (dsp.control_len(n),), n audio samples -> mono float32 (n,), a new
# array the engine may scale in place
TextureFn = Callable[[np.random.Generator, SoundParams, np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class SoundModel:
    """One entry of the library: how to render it and how notes text finds it."""

    name: str
    shape: Literal["oneshot", "texture"]
    description: str            # a sentence the embedding matcher compares prompts with
    keywords: tuple[str, ...]   # words the keyword fallback looks for
    render: OneShotFn | TextureFn
    defaults: SoundParams = SoundParams()
    # oneshot only: seconds between the onset and the sound's own loudest point, so placement
    # puts the contact (not the start of the buffer) on the picture's contact.
    lead_in: float = 0.0
    # The keyword matcher considers the model only when one of these words is present (a
    # "concrete floor" is not footsteps unless someone walks on it).
    requires: tuple[str, ...] = ()
    # An event the model renders that the prompt must say happens, to either matcher (a break:
    # a glass set down or tapped is the glass's clink, not its shatter).
    happens: tuple[str, ...] = ()
    # The sources that event must be said to happen to, to either matcher (a ring is the
    # phone's only beside a phone: a wedding ring set down, a bell or an ear ringing are not).
    happens_to: tuple[str, ...] = ()
    # The Universal Category System CatIDs (``ucs.py``) this model renders: what a sound editor
    # would file its output under, and what the library index and the coverage report map onto.
    ucs: tuple[str, ...] = ()

    def needs_said(self) -> tuple[str, ...]:
        """Every word that can say what the model needs said (``happens``, ``happens_to``)."""
        return self.happens + self.happens_to

    def said_in(self, words: set[str]) -> bool:
        """Whether ``words`` say what the model needs said: an event it ``happens`` and what it
        ``happens_to``, each where the model lists any."""
        return ((not self.happens or bool(words.intersection(self.happens)))
                and (not self.happens_to or bool(words.intersection(self.happens_to))))

    def keywords_may_name(self, words: set[str]) -> bool:
        """Whether the keyword matcher may consider the model for ``words``: one of its
        ``requires`` is there, where it lists any, and what it needs said is said."""
        return (not self.requires or bool(words.intersection(self.requires))) and self.said_in(words)

    @property
    def sounds_like(self) -> str:
        """A short phrase for warnings: the description up to its colon."""
        return self.description.split(":", 1)[0]


def finish(out: np.ndarray, params: SoundParams, strength: float, *, peak: float, strength_floor: float = 0.35,
           intensity_floor: float = 0.4, distance_drop: float = 0.6, fade_s: float = 0.0,
           air: bool = True) -> np.ndarray:
    """The last steps a one-shot takes: the highs the air absorbs with distance (``air``; off
    for a model that shapes its own distance), a common ``peak``, then a level set by the
    event's strength, the layer's intensity and the distance (each scaling from its floor),
    and a short fade-out so a cut tail never clicks."""
    if air:
        out = distance_filter(out, params.distance)
    out = unit_peak(out)
    gain = (peak * (strength_floor + (1.0 - strength_floor) * strength)
            * (intensity_floor + (1.0 - intensity_floor) * params.intensity) * (1.0 - distance_drop * params.distance))
    fade = min(int(fade_s * SAMPLE_RATE), out.size)
    if fade:
        out[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return (out * gain).astype(np.float32)
