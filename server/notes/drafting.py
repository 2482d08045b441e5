"""Choosing the notes writer for a shot: the VLM when one is installed and frames are at hand,
else the motion analysis. A VLM whose two answers are both invalid falls back to the analysis."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes.schema import Notes
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.frames import (ANALYSIS_STREAM, CLIP_STREAM, FrameStream, MotionAnalysis,
                                           StreamSpec)
from foleyline.server.notes.draft_analysis import draft_from_analysis
from foleyline.server.notes.draft_vlm import (VlmAttempt, VlmSettings, draft_with_vlm, find_vlm, load_vlm,
                                              sample_frames)
from foleyline.server.notes.zero_shot import find_clip, load_zero_shot

__all__ = ["Writer", "ShotLike", "DraftResult", "draft", "required_streams", "shot_duration"]

log = logging.getLogger(__name__)

Writer = Literal["auto", "analysis", "vlm"]
WRITERS = ("auto", "analysis", "vlm")


class ShotLike(Protocol):
    """What drafting reads of a shot; ``foleyline.server.engines.base.ShotInput`` fits."""

    shot_id: str
    duration: float                 # seconds of decoded audio range, handles included
    offset: float                   # shot time of the range's start (negative with a head handle)
    streams: dict[str, FrameStream]
    analysis: MotionAnalysis | None
    extras: dict[str, object]       # "shot_duration": the shot's own length, handles excluded


@dataclass
class DraftResult:
    notes: Notes
    writer: str                      # "analysis" or "vlm"
    warnings: list[str] = field(default_factory=list)
    attempts: list[VlmAttempt] = field(default_factory=list)  # the VLM's answers, when it was asked


def required_streams(writer: str = "auto") -> Sequence[StreamSpec]:
    """The frame streams the decoder must produce for ``writer``: colour frames only when a
    model (VLM, or CLIP for the analysis writer's labels) will look at them."""
    wants_colour = writer == "vlm" or find_clip() is not None or (writer == "auto" and find_vlm() is not None)
    return (ANALYSIS_STREAM, CLIP_STREAM) if wants_colour else (ANALYSIS_STREAM,)


def shot_duration(shot: ShotLike) -> float:
    """The shot's length without handles: ``extras["shot_duration"]`` when the pipeline set it,
    else the decoded range less a head handle of ``-offset`` and a tail handle of the same size."""
    given = getattr(shot, "extras", {}).get("shot_duration")
    if given is not None:
        return float(given)  # type: ignore[arg-type]
    return max(0.0, shot.duration + 2 * min(shot.offset, 0.0))


def _analysis(shot: ShotLike, warnings: list[str]) -> MotionAnalysis:
    if shot.analysis is not None:
        return shot.analysis
    stream = shot.streams.get(ANALYSIS_STREAM.name)
    if stream is not None:
        return analyze_motion(stream)
    warnings.append("no analysis frames were decoded for this shot; the notes hold an ambience bed only")
    empty = np.zeros(0)
    return MotionAnalysis(times=empty, energy=empty, onsets=empty, onset_strengths=empty)


def _rgb_stream(shot: ShotLike) -> FrameStream | None:
    if CLIP_STREAM.name in shot.streams:
        return shot.streams[CLIP_STREAM.name]
    for stream in shot.streams.values():
        if stream.frames.ndim == 4 and stream.frames.shape[-1] == 3 and len(stream):
            return stream
    return None


def _scene_labels(shot: ShotLike, duration: float, warnings: list[str]) -> list[str]:
    """What a local CLIP model says the frames show; nothing when none is installed."""
    folder = find_clip()
    stream = _rgb_stream(shot)
    if folder is None or stream is None:
        return []
    frames = sample_frames(stream.frames, stream.times, start=-shot.offset, end=duration - shot.offset, count=4)
    try:
        return [label for label, _ in load_zero_shot(folder).labels([f for _, f in frames])]
    except (Unavailable, RuntimeError, ValueError) as exc:
        warnings.append(f"zero-shot labels not used: {exc}")
        return []


def draft(shot: ShotLike, writer: str = "auto", *, vlm_folder: Path | None = None,
          vlm_settings: VlmSettings = VlmSettings()) -> DraftResult:
    """Draft notes for ``shot`` with ``writer`` ("auto", "analysis" or "vlm").

    "vlm" fails with ``Unavailable`` when no model is installed or the shot has no RGB frames;
    "auto" uses the VLM when it can and says in ``warnings`` why it did not or why it fell back.
    """
    writer = writer or "auto"
    if writer not in WRITERS:
        raise InvalidInput(f"unknown notes writer {writer!r}; use one of {', '.join(WRITERS)}")
    duration = shot_duration(shot)
    warnings: list[str] = []
    attempts: list[VlmAttempt] = []
    if writer in ("auto", "vlm"):
        folder = vlm_folder or find_vlm()
        stream = _rgb_stream(shot)
        if folder is None or stream is None:
            reason = ("no vision-language model is installed" if folder is None
                      else "the shot has no colour frames decoded for the VLM (ask for CLIP_STREAM)")
            if writer == "vlm":
                raise Unavailable(f"cannot draft notes with the VLM: {reason}")
            if folder is not None:
                warnings.append(f"VLM not used: {reason}")
        else:
            frames = sample_frames(stream.frames, stream.times, start=-shot.offset,
                                   end=duration - shot.offset, count=vlm_settings.frames)
            frames = [(t + shot.offset, f) for t, f in frames]  # the model is told shot times
            try:
                outcome = draft_with_vlm(load_vlm(folder, vlm_settings), frames, duration=duration,
                                         shot_id=shot.shot_id)
            except (Unavailable, RuntimeError, ValueError) as exc:
                # A model that will not load or run (out of memory, a broken folder) must not
                # cost the editor their notes: "auto" drafts from the analysis and says why.
                if writer == "vlm":
                    raise Unavailable(f"the VLM could not draft notes: {exc}") from exc
                log.warning("VLM failed, drafting from the analysis: %s", exc)
                warnings.append(f"the VLM failed ({exc}); drafted from the motion analysis instead")
            else:
                attempts = outcome.attempts
                if outcome.notes is not None:
                    return DraftResult(outcome.notes, "vlm", warnings, attempts)
                last = "; ".join(attempts[-1].problems[:3]) if attempts else "no answer"
                warnings.append(f"the VLM's answers were not valid notes twice ({last}); "
                                "drafted from the motion analysis instead")
    notes = draft_from_analysis(_analysis(shot, warnings), duration=duration, offset=shot.offset,
                                shot_id=shot.shot_id, labels=_scene_labels(shot, duration, warnings))
    return DraftResult(notes, "analysis", warnings, attempts)

