"""Notes drafted from the picture's own motion: energy, contacts (onsets) and cuts.

No model needed, so this is the writer on a fresh machine and the fallback of the VLM writer.
It reasons the way a Foley editor spots a shot: first the overall activity, then the moments of
contact (an impact sounds where motion stops abruptly, not where it starts), then the rhythm and
the cuts, and from those decides the layers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from foleyline.notes.schema import EnergyPoint, Event, Layer, LayerKind, Notes
from foleyline.server.media.frames import MotionAnalysis

__all__ = ["draft_from_analysis", "MAX_ENERGY_POINTS"]

MAX_ENERGY_POINTS = 24
_BUSY, _QUIET = 0.35, 0.08          # mean energy above/below: busy / still picture
_SEGMENT_LEVEL = 0.5                # energy above this is a "movement" segment
_MIN_SEGMENT_S = 0.2


def _r(value: float, places: int = 3) -> float:
    # Rounded so the text form stays readable ("1.234 s", not "1.2339999999999999 s").
    return float(round(float(value), places))


def _segments(times: np.ndarray, energy: np.ndarray, level: float) -> list[tuple[float, float, float]]:
    """(start, end, peak) runs where energy stays above ``level`` for at least _MIN_SEGMENT_S."""
    out: list[tuple[float, float, float]] = []
    above = energy > level
    i = 0
    while i < len(above):
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(above) and above[j + 1]:
            j += 1
        if times[j] - times[i] >= _MIN_SEGMENT_S:
            out.append((float(times[i]), float(times[j]), float(energy[i : j + 1].max())))
        i = j + 1
    return out


def _rhythm(onsets: np.ndarray) -> float | None:
    """The period in seconds when the contacts come regularly (a repeated action), else None."""
    if len(onsets) < 3:
        return None
    gaps = np.diff(np.sort(onsets))
    mean = float(gaps.mean())
    if mean <= 0:
        return None
    return mean if float(gaps.std()) / mean < 0.25 else None


def _curve(times: np.ndarray, energy: np.ndarray, start: float, end: float) -> tuple[EnergyPoint, ...]:
    """At most MAX_ENERGY_POINTS points of the energy curve over [start, end] (shot times)."""
    if len(times) < 2 or end <= start:
        return ()
    grid = np.linspace(start, end, min(MAX_ENERGY_POINTS, max(2, len(times))))
    values = np.clip(np.interp(grid, times, energy), 0.0, 1.0)
    return tuple(EnergyPoint(_r(t), _r(v)) for t, v in zip(grid, values))


def _times_list(values: Sequence[float]) -> str:
    shown = ", ".join(f"{v:.2f}" for v in values[:12])
    return shown + (f" and {len(values) - 12} more" if len(values) > 12 else "") + " s"


def draft_from_analysis(
    analysis: MotionAnalysis,
    *,
    duration: float,
    offset: float = 0.0,
    shot_id: str = "",
    labels: Sequence[str] = (),
) -> Notes:
    """Draft notes for a shot of ``duration`` seconds (handles excluded).

    ``analysis`` times are seconds from the decoded range's start, which is ``offset`` seconds
    of shot time (negative with a head handle): shot time = analysis time + offset.
    ``labels``: what the frames show, when a zero-shot classifier could tell (best first); they
    only colour the prompts.
    """
    times = np.asarray(analysis.times, dtype=np.float64) + offset
    energy = np.clip(np.asarray(analysis.energy, dtype=np.float64), 0.0, 1.0)
    inside = (times >= 0) & (times <= duration)
    t_in, e_in = times[inside], energy[inside]
    onsets_all = np.asarray(analysis.onsets, dtype=np.float64) + offset
    strengths_all = np.asarray(analysis.onset_strengths, dtype=np.float64)
    keep = (onsets_all >= 0) & (onsets_all <= duration)
    onsets, strengths = onsets_all[keep], strengths_all[keep] if len(strengths_all) == len(onsets_all) else np.ones(int(keep.sum()))
    cuts_all = np.asarray(analysis.cuts, dtype=np.float64) + offset
    cuts = cuts_all[(cuts_all > 0) & (cuts_all < duration)]
    what = labels[0] if labels else ""

    steps: list[str] = []
    mean = float(e_in.mean()) if len(e_in) else 0.0
    if len(e_in):
        peak_t = float(t_in[int(np.argmax(e_in))])
        mood = "busy" if mean > _BUSY else "still" if mean < _QUIET else "moderately active"
        seen = f"The frames look like {', '.join(labels[:3])}. " if labels else ""
        steps.append(f"{seen}The picture is {mood} (mean motion {mean:.2f} of its peak); "
                     f"the strongest movement is around {peak_t:.2f} s.")
    else:
        steps.append("The analysis saw no frames inside the shot, so the notes only hold an ambience bed.")
    if len(onsets):
        steps.append(f"Motion stops abruptly {len(onsets)} time(s), at {_times_list(list(onsets))}: "
                     "those are contacts, and each needs a hit on the frame of contact, "
                     "not at the start of the movement.")
    else:
        steps.append("No abrupt stops in the motion, so no hard hits: the sound follows the movement.")
    period = _rhythm(onsets)
    if period is not None:
        steps.append(f"The contacts come regularly, about every {period:.2f} s: a repeated action "
                     "(steps, chopping, hammering) that should sound alike but not identical.")
    if len(cuts):
        steps.append(f"The shot cuts at {_times_list(list(cuts))}; the ambience may change there.")
    segments = _segments(t_in, e_in, _SEGMENT_LEVEL) if len(t_in) else []
    if segments:
        steps.append(f"Sustained movement in {len(segments)} stretch(es), which carries cloth and body "
                     "movement under the hits.")
    plan = ["an ambience bed under the whole shot"]
    if len(onsets):
        plan.append("a hard-effect layer with one hit per contact, louder where the stop is sharper")
    if mean >= _QUIET:
        plan.append("a movement layer following the motion energy")
    steps.append("So: " + "; ".join(plan) + ".")
    reasoning = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))

    layers = [Layer(
        label="ambience",
        kind=LayerKind.BG,
        prompt=f"ambience of {what}" if what else "quiet room tone, natural ambience",
        negative_prompt="music, speech",
        events=(Event(0.0, _r(duration), "bed"),),
        gain_db=-12.0,
    )]
    if len(onsets):
        events = tuple(
            Event(_r(t), _r(t), f"contact {i}, strength {s:.2f}")
            for i, (t, s) in enumerate(zip(onsets, strengths), 1)
        )
        layers.append(Layer(
            label="impacts",
            kind=LayerKind.FX,
            prompt=f"sharp impacts, {what}" if what else "short sharp impacts on contact",
            negative_prompt="music, speech",
            events=events,
        ))
    if mean >= _QUIET:
        layers.append(Layer(
            label="movement",
            kind=LayerKind.FOLEY,
            prompt=f"movement of {what}" if what else "cloth and body movement following the action",
            negative_prompt="music, speech",
            events=tuple(Event(_r(a), _r(b), f"movement, peak {p:.2f}") for a, b, p in segments),
            energy_points=_curve(t_in, e_in, 0.0, duration),
            gain_db=-6.0,
        ))
    return Notes(reasoning=reasoning, layers=tuple(layers), version=1, shot_id=shot_id, author="analysis")
