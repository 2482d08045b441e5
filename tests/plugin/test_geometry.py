"""Properties of clip placement, over random edits: every take sits under its shot, inside its
WAV, and never on top of another clip of its track; by default cut exactly to its shot, with
``expose_handles`` showing what it can of its handles."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
from hypothesis import given, settings
from hypothesis import strategies as st

from foleyline.notes.schema import LayerKind
from foleyline.plugin.shots import Shot
from foleyline.plugin.timeline.writeback import Placement, placed_clips
from foleyline.plugin.timeline.track_names import PRESETS

TC = otio.opentime
RATE = 24.0

edits = st.lists(
    st.tuples(st.integers(0, 400), st.integers(1, 80), st.sampled_from(list(LayerKind)), st.integers(0, 24), st.integers(0, 24)),
    min_size=1, max_size=25,
)


def _timeline() -> otio.schema.Timeline:
    timeline = otio.schema.Timeline(global_start_time=TC.RationalTime(86400, RATE))
    timeline.tracks.append(otio.schema.Track(kind=otio.schema.TrackKind.Video))
    return timeline


def _placements(edit) -> list[Placement]:
    result = []
    for i, (start, length, kind, head, tail) in enumerate(edit):
        record = TC.TimeRange(TC.RationalTime(86400 + start, RATE), TC.RationalTime(length, RATE))
        shot = Shot(f"s{i}", f"S{i}", None, record, record, None, RATE, False, 1)
        result.append(Placement(shot, f"t{i}", "layer", kind, Path(f"/nonexistent/{i}.wav"), head, tail))
    return result


def _check(placed, trimmed: bool, exposed: bool = True) -> None:
    for clip in placed:
        p = clip.placement
        shot_start = round(p.shot.record_range.start_time.value) - 86400
        shot_len = round(p.shot.record_range.duration.value)
        if not exposed:  # cut to the shot; the used range starts after the head handle
            assert (clip.start, clip.duration, clip.head, clip.tail) == (shot_start, shot_len, 0, 0)
            assert clip.media_start == p.handle_head_frames
        # whatever is shown, the WAV holds the whole handles (these WAVs are head + shot + tail)
        assert (clip.head_available, clip.tail_available) == (p.handle_head_frames, p.handle_tail_frames)
        assert clip.start + clip.head == shot_start  # the shot's first frame is where it was
        assert clip.duration == clip.head + shot_len + clip.tail  # the whole shot is covered
        assert 0 <= clip.head <= p.handle_head_frames and 0 <= clip.tail <= p.handle_tail_frames
        assert clip.start >= 0
        assert 0 <= clip.media_start and clip.media_start + clip.duration <= clip.media_frames
        assert clip.track_name.startswith(p.track_names.base(p.kind))
    by_track: dict[str, list] = {}
    for clip in placed:
        by_track.setdefault(clip.track_name, []).append((clip.start, clip.start + clip.duration))
    for spans in by_track.values():
        spans.sort()
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def _shots_overlap(placed, kind) -> bool:
    shots = sorted((round(c.placement.shot.record_range.start_time.value), round(c.placement.shot.record_range.end_time_exclusive().value))
                   for c in placed if c.placement.kind == kind)
    return not all(a_end <= b_start for (_, a_end), (b_start, _) in zip(shots, shots[1:]))


@settings(max_examples=60, deadline=None)
@given(edits)
def test_placement_cut_to_the_shots(edit):
    placed = placed_clips(_timeline(), _placements(edit))
    _check(placed, trimmed=False, exposed=False)
    # only takes whose shots overlap need a further track of their kind
    for kind in LayerKind:
        if not _shots_overlap(placed, kind):
            assert {c.track_name for c in placed if c.placement.kind == kind} <= {PRESETS["foley"].base(kind)}


@settings(max_examples=60, deadline=None)
@given(edits)
def test_checkerboarded_placement(edit):
    _check(placed_clips(_timeline(), _placements(edit), expose_handles=True), trimmed=False)


@settings(max_examples=60, deadline=None)
@given(edits)
def test_trimmed_placement_for_cut_lists(edit):
    placed = placed_clips(_timeline(), _placements(edit), trim_overlaps=True, expose_handles=True)
    _check(placed, trimmed=True)
    # shots that do not overlap each other never need a second track of their kind
    for kind in LayerKind:
        if not _shots_overlap(placed, kind):
            assert {c.track_name for c in placed if c.placement.kind == kind} <= {PRESETS["foley"].base(kind)}
