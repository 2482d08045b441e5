"""Drafting a shot's notes down the ladder (``drafters.plan`` picks the models):

1. a vision-language model writes them from the frames (``draft_vlm``);
2. else CLIP labels the frames and the motion analysis' layers are named after what it saw
   (``draft_labels``);
3. else the motion analysis alone (``draft_analysis``).

A rung that fails (a model that will not load, two invalid answers) hands the shot to the next
one and says why. The notes' ``author:`` says which rung wrote them; ``DraftResult`` says who,
what the better rungs lacked and how to get them. With the target engine's token counter the
notes are fitted to its text limit (``fitting``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

import numpy as np

from foleyline.errors import InvalidInput, Unavailable
from foleyline.notes.schema import Notes
from foleyline.server.engines.manifest import load_target
from foleyline.server.media.analysis import analyze_motion
from foleyline.server.media.frames import (ANALYSIS_STREAM, CLIP_STREAM, FrameStream, MotionAnalysis,
                                           StreamSpec)
from foleyline.server.notes.devices import Hardware
from foleyline.server.notes.draft_analysis import draft_from_analysis
from foleyline.server.notes.draft_labels import LabelSettings, draft_from_labels, label_shot
from foleyline.server.notes.draft_vlm import VlmAttempt, VlmSettings, draft_with_vlm, sample_frames
from foleyline.server.notes.drafters import RUNG_ORDER, Plan, load_clip, plan
from foleyline.server.notes.fitting import CountsOf, fit_to_limit
from foleyline.server.notes.zero_shot import ZeroShot

__all__ = ["Writer", "WRITERS", "ShotLike", "DraftResult", "draft", "drafting_plan", "required_streams", "shot_duration"]

log = logging.getLogger(__name__)

Writer = Literal["auto", "vlm", "clip", "analysis"]
WRITERS = ("auto", "vlm", "clip", "analysis")
_CLIP_FRAMES = 4


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
    writer: str                      # the rung that wrote them: "vlm", "clip" or "analysis"
    warnings: list[str] = field(default_factory=list)   # what went wrong on the way
    attempts: list[VlmAttempt] = field(default_factory=list)  # the VLM's answers, when it was asked
    drafter: str = ""                # who wrote them, in words
    missing: list[str] = field(default_factory=list)    # what the better rungs lacked, and the fix
    runs: list[str] = field(default_factory=list)       # the VLM's passes: time and memory


def _check_writer(writer: str) -> str:
    writer = writer or "auto"
    if writer not in WRITERS:
        raise InvalidInput(f"unknown notes writer {writer!r}; use one of {', '.join(WRITERS)}")
    return writer


def drafting_plan(writer: str = "auto", hw: Hardware | None = None) -> Plan:
    """The rungs ``writer`` will use (``drafters.plan``), the writer checked first. A shot's plan
    is made once: the streams decoded for it and the draft then agree (and the models'
    folders are looked through once, not twice)."""
    return plan(_check_writer(writer), hw)


def required_streams(writer: str = "auto", hw: Hardware | None = None, *,
                     chosen: Plan | None = None) -> Sequence[StreamSpec]:
    """The frame streams the decoder must produce for ``writer``: colour frames only when a
    model (a VLM, or CLIP for the labels) will look at them. ``chosen``: the shot's plan, when
    already made (``drafting_plan``; ``writer`` and ``hw`` are then not read)."""
    chosen = chosen if chosen is not None else drafting_plan(writer, hw)
    wants_colour = chosen.vlm is not None or chosen.clip is not None
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
        if not stream.spec.gray and len(stream):  # RGB (read without decoding a long shot's pictures)
            return stream
    return None


def _frames(shot: ShotLike, stream: FrameStream, duration: float, count: int) -> list[tuple[float, np.ndarray]]:
    """``count`` frames from inside the shot, with their shot times."""
    picked = sample_frames(stream, stream.times, start=-shot.offset, end=duration - shot.offset, count=count)
    return [(t + shot.offset, f) for t, f in picked]


class _Ladder:
    """One shot's way down the ladder: what each rung did, for the result."""

    def __init__(self, shot: ShotLike, writer: str, chosen: Plan) -> None:
        self.shot, self.writer, self.plan = shot, writer, chosen
        self.duration = shot_duration(shot)
        self.warnings: list[str] = []
        self.attempts: list[VlmAttempt] = []
        self.runs: list[str] = []
        self.stream = _rgb_stream(shot)

    def _no_frames(self, rung: str) -> bool:
        if self.stream is not None:
            return False
        reason = f"the shot has no colour frames decoded for the {rung.upper()} (ask for CLIP_STREAM)"
        if self.writer == rung:
            raise Unavailable(f"cannot draft notes with {rung.upper()}: {reason}")
        self.warnings.append(f"{rung.upper()} not used: {reason}")
        return True

    def vlm(self, settings: VlmSettings) -> Notes | None:
        drafter = self.plan.vlm
        if drafter is None or self._no_frames("vlm"):
            return None
        if self.plan.cpu_vlm:
            self.warnings.append(f"the VLM {drafter.name} runs on the CPU as asked: expect minutes per shot")
        frames = _frames(self.shot, self.stream, self.duration, settings.frames)  # type: ignore[arg-type]
        if self.plan.cpu_vlm and settings.device is None:
            settings = replace(settings, device="cpu")
        try:
            vlm = load_target(drafter.loader)(drafter.folder, settings)
            outcome = draft_with_vlm(vlm, frames, duration=self.duration, shot_id=self.shot.shot_id)
        except (Unavailable, RuntimeError, ValueError) as exc:
            # A model that will not load or run (out of memory, a broken folder) must not cost
            # the editor their notes: "auto" takes the next rung and says why.
            if self.writer == "vlm":
                raise Unavailable(f"the VLM could not draft notes: {exc}") from exc
            log.warning("VLM failed, drafting from the next rung: %s", exc)
            self.warnings.append(f"the VLM failed ({exc}); drafted from the next rung instead")
            return None
        self.attempts = outcome.attempts
        self.runs = [f"{drafter.name}: {run.describe()}" for run in outcome.runs]
        if outcome.notes is None:
            last = "; ".join(self.attempts[-1].problems[:3]) if self.attempts else "no answer"
            self.warnings.append(f"the VLM's answers were not valid notes twice ({last}); "
                                 "drafted from the next rung instead")
        return outcome.notes

    def clip(self, analysis: MotionAnalysis, settings: LabelSettings) -> Notes | None:
        drafter = self.plan.clip
        if drafter is None or self._no_frames("clip"):
            return None
        frames = [f for _, f in _frames(self.shot, self.stream, self.duration, _CLIP_FRAMES)]  # type: ignore[arg-type]
        try:
            seen = label_shot(ZeroShot(load_clip(drafter)), frames, settings, drafter.name)
        except (Unavailable, RuntimeError, ValueError) as exc:
            if self.writer == "clip":
                raise Unavailable(f"CLIP could not label the frames: {exc}") from exc
            self.warnings.append(f"zero-shot labels not used: {exc}")
            return None
        return draft_from_labels(analysis, seen, duration=self.duration, offset=self.shot.offset,
                                 shot_id=self.shot.shot_id)

    def result(self, notes: Notes, rung: str, counts_of: CountsOf | None) -> DraftResult:
        if counts_of is not None:
            notes, fitted = fit_to_limit(notes, counts_of)
            self.warnings += fitted
        if rung == "vlm":
            who = f"VLM {self.plan.vlm.name}" if self.plan.vlm else "the VLM"
        elif rung == "clip":
            who = f"CLIP {self.plan.clip.name} labels with the motion analysis' events" if self.plan.clip else "CLIP"
        else:
            who = "the motion analysis alone"
        missing = [message for better, message in self.plan.skipped if RUNG_ORDER[better] < RUNG_ORDER[rung]]
        return DraftResult(notes, rung, self.warnings, self.attempts, who, missing, self.runs)


def draft(shot: ShotLike, writer: str = "auto", *, vlm_settings: VlmSettings = VlmSettings(),
          label_settings: LabelSettings = LabelSettings(), counts_of: CountsOf | None = None,
          hw: Hardware | None = None, chosen: Plan | None = None) -> DraftResult:
    """Draft notes for ``shot`` with ``writer``: "auto" (the best rung this machine has), "vlm",
    "clip" or "analysis".

    "vlm" and "clip" fail with ``Unavailable`` (saying what to pull) when their model is not
    installed or the shot has no colour frames; "auto" takes the next rung and says why.
    ``counts_of``: the target engine's per-layer token count, to fit the notes to its limit.
    ``chosen``: the shot's plan for ``writer``, when already made (``drafting_plan``).
    """
    writer = _check_writer(writer)
    if chosen is not None and chosen.writer != writer:
        raise ValueError(f"a plan for writer {chosen.writer!r} was given to draft with {writer!r}")
    ladder = _Ladder(shot, writer, chosen if chosen is not None else plan(writer, hw))
    notes = ladder.vlm(vlm_settings) if writer in ("auto", "vlm") else None
    if notes is not None:
        return ladder.result(notes, "vlm", counts_of)
    analysis = _analysis(shot, ladder.warnings)
    notes = ladder.clip(analysis, label_settings) if writer != "analysis" else None
    if notes is not None:
        return ladder.result(notes, "clip", counts_of)
    notes = draft_from_analysis(analysis, duration=ladder.duration, offset=shot.offset, shot_id=shot.shot_id)
    return ladder.result(notes, "analysis", counts_of)
