"""What the picture does over time: motion energy, visual onsets at contact, cuts.

Motion energy is frame differencing on the small grey ANALYSIS stream, optionally inside a
region of interest (one box, or one box per frame from a tracker): the fraction of the picture
whose grey level changes between frames t-1 and t, i.e. how much moves *during* that interval,
scaled to 0..1 over the shot.

Onsets are placed at CONTACT, where motion stops abruptly, not where it starts: a drumstick
moves fast, hits, and stops (or rebounds slowly), so the energy falls off a cliff right after
the frame where it touches. Placing hits on rises of frame difference puts them early::

    energy   ___/‾‾‾‾‾‾\\___         the stick swings ...
                        ^           ... and stops here: contact, the sound
                   ^                (not here: that is where the swing starts)

The fall is measured per cell of a 3x3 grid and summed: a contact is local, and the stop of
the part that touches would be drowned by the rest of the picture's motion. A stroke that
ends going down weighs more than one ending going up (gravity: feet, knives, hammers land;
the top of a backswing is silent), and a stroke that *arrived* mostly going up, by the flow
over its last two intervals, is no contact at all (``RISING``). Repeated frames (pulldown, 25 -> 29.97 conversions) are
left out, since a repeat shows no motion and would look like a stop. Frames dropped unevenly
(a 30 fps camera shown at 21.5 fps) are the opposite case: the intervals that span two of the
camera's frames move twice as far, and the short one after each reads as a stop. Where the
picture's changes follow such a beat (``media.pacing``), the moving area of the long intervals
is evened out and the flow reads velocities over the camera's own intervals.

An onset's strength (how loud its hit will be) adds to that fall how much momentum the moving
material lost there, from dense optical flow (Farneback): each pixel's velocity just before
the onset against its velocity just after, read where the flow carried it (so a thing that
crosses the picture keeps its speed and scores nothing, one that stops scores its speed and one
that bounces back up to twice that), weighted by the same gravity prior per pixel. Flow that
does not explain the picture (a thin stick blurred by its speed, a thing entering the frame) is
not trusted, and material carried out of the picture has left, not stopped. The flow ranks the
onsets; it does not place them: on thin fast things its velocities are too noisy to time a
contact, which the moving area does well.

The fall says *that* a stroke ended; its timing comes from the stroke itself. The contact is
where the thing arrives: the end of the stroke's last interval at (nearly) top speed, looked for
in the ~200 ms before the fall (four intervals at least: at 15 fps a rebound holds the moving
area up for as many intervals as at 30 fps) and after the previous fall. An axe that sinks into
a log, a knife that slows through a cabbage, a hammer that bounces off the anvil and leaves the
picture: each keeps moving after the contact, so the fall comes late, by up to ~190 ms on these
clips, while the arrival does not.
The contact happens between the arrival frame and the next, whose middle is the unbiased
estimate (+-17 ms at 30 fps, +-33 ms at 15 fps).

Every threshold here was set on pictures 1/30 to 1/15 s apart. A faster source (50, 59.94, 60,
120 fps) is read on every 2nd to 4th picture (``ANALYSIS_RATE``): the pictures a 25-30 fps
camera would have taken, on the source's own clock, in the half whose pictures differ most (a
rate doubled by blending puts the camera's frames in one half). Cuts are still found among all
the pictures, at the source's own frames.

Whether the stops are contacts at all depends on what kind of source the picture shows
(``media.sources``): a crowd walking, surf or a passing train stop and start without striking
anything, so their analysis has no contacts, and the flow is not computed for them.

Measured against the clips' own sound (tests/media/test_analysis.py): every README hit on
hitting_metal and every hit on hitting_bag gets an onset within 0.1 s, 13 of 15 knife cuts on
chopping; extra onsets remain (other stops), ranked lower by ``onset_strengths``. ``foleyline
eval --split tune|validation`` gives the tables per clip and category (docs/evaluation.md). The
clips' own sound also has onsets no picture shows (cracks running after a stomp on ice, the
street around a walking dog): there the visual onsets find the sound's onsets about as often
as onsets placed at random would (the chance column), which bounds what visual onsets alone
can reach.

The flow costs about 2 ms per frame pair around each contact (momentum.py: 2380 pairs over the
33 development clips, nearly every interval of a clip of contacts); the camera's motion,
estimated only where a walker is looked for, 0.3-1 ms per frame on a handheld clip; the source
kinds (moving blobs counted per interval) about 0.15 ms per interval. The differences between
consecutive frames are gone over once, for the cuts, the repeats, the light's changes and the
changed pixels (``_Changes``). Over the 33 development clips (317 s of picture) the analysis
takes about 9 CPU s on one thread, about 47 % of it the flow and 30 % the camera's motion
(`benchmarks/decode.py`; docs/evaluation.md).

The per-cell moving fractions, falls and arrivals live in ``media.contacts`` (the steps of
``media.sources`` use them too); the flow's momentum in ``media.momentum``.

Cuts (a change of shot inside the clip) are found from luminance-histogram jumps; the
difference across a cut is not motion, so the energy there is bridged and no onset is placed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from foleyline.errors import InvalidInput
from foleyline.server.media.bursts import KICK_WINDOW, OneWay, bursts, flashes, leaps, light_change, rebounds
from foleyline.server.media.camera import Camera, ChangedPixels, camera_motion, changed_pixels, spreads
from foleyline.server.media.contacts import GRID, NOISE_LEVEL, arrivals, cell_differences, falls, settling
from foleyline.server.media.frames import FrameStream, MotionAnalysis, SourceKind
from foleyline.server.media.momentum import Flow, momentum_totals, rising, scaled_losses
from foleyline.server.media.pacing import uneven_pacing
from foleyline.server.media.sources import Motion, describe_sources, events, with_bursts

Box = tuple[float, float, float, float]  # x, y, width, height, normalised 0..1, origin top-left

# A stop is no contact when what arrived there was mostly going up (``momentum.rising``: the
# share heading up less the share heading down, -1..1). Tuning half: seven stops at 0.72-0.93
# (the knife's backswing tops, a hand lifting the pan), every stop with a sound at 0.66 or
# less (a hammer whose bounce off the anvil falls inside the arrival interval); 0.67-0.71 all
# give the same. What arrived rising a little is kept, RISING_WEIGHT quieter per unit
# (0.3-0.9 give the same mean AP on the tuning half's contacts, +0.02 over none).
RISING = 0.7
RISING_WEIGHT = 0.5

# Histogram L1 distance (0..2) above which consecutive frames belong to different shots.
_CUT_DISTANCE = 0.7
_HIST_BINS = 32
# A jump cut the histograms miss (the same place from another angle, a camera jolted between
# two frames): at least _JUMP of the picture changes at once, _JUMP_CONTRAST times more than in
# the two intervals either side. Tuning half: a pool table's last frame at 0.64 (10x); no stroke
# of the contact clips changes more than 0.45 of the picture.
_JUMP = 0.5
_JUMP_CONTRAST = 4.0
# A frame is a repeat of the previous one when it differs by less than this (mean grey
# levels, i.e. only compression noise) and its neighbours' differences are this many times
# larger.
_REPEAT_LEVEL = 0.25
_REPEAT_CONTRAST = 4.0
# Intervals whose differences are worked out in one numpy pass (bounds the temporary floats).
_CHUNK = 64


# The contacts of a long shot are judged on the flow in groups this many intervals long, and the
# flow before the next group's reach is let go (a 2-minute 30 fps shot's flow, kept whole: 400 MB;
# a group's, 7 MB and its reach at 160x90). A group of 256 held 11 MB more of a 79 s shot's peak
# for the same time; only the flow at the groups' edges is computed twice.
_FLOW_GROUP = 64


def _judged_on_flow(gray: np.ndarray, times: np.ndarray, masks: np.ndarray | None, cells: np.ndarray,
                    arrived: np.ndarray, peaks: np.ndarray, cuts: np.ndarray,
                    window: int, captured: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per contact, what the flow says of it: the share that arrived going up (``rising``), the
    momentum lost (``momentum_totals``, scaled to the clip's largest) and when it leapt out of
    rest (``leaps``). Each contact is judged on its own intervals; flow is deterministic, so
    judging them a group at a time gives what judging them all at once would. ``captured``:
    when the camera took each frame (``times`` but where frames were dropped unevenly:
    ``media.pacing``), over which the flow's velocities are read."""
    flow = Flow(gray, captured)
    count = len(peaks)
    heading, totals, leapt = np.zeros(count), np.zeros(count), np.full(count, np.nan)
    largest = 0.0
    # How far before its arrival and its stop a contact's flow reaches (the leap's look-back);
    # letting go of less only costs flow computed twice, never a different answer.
    reach = max(2, int(round(KICK_WINDOW / flow.typical))) + 2
    ordered = bool(np.all(np.diff(peaks) >= 0))
    first = 0
    while first < count:
        last = int(np.searchsorted(peaks, peaks[first] + _FLOW_GROUP)) if ordered else count
        group = slice(first, max(last, first + 1))
        heading[group] = rising(flow, arrived[group], masks)
        totals[group], top = momentum_totals(flow, masks, window, GRID, peaks[group], cuts)
        largest = max(largest, top)
        leapt[group] = leaps(cells, times, arrived[group], flow, masks)
        first = group.stop
        if first < count:
            flow.forget(int(min(arrived[first:].min(), peaks[first:].min())) - reach)
    return heading, scaled_losses(totals, largest), leapt


def _gray(frames: np.ndarray) -> np.ndarray:
    """The levels the analysis reads: decoded 8-bit grey pictures as they are (a float copy of a
    long shot's would be four times their size: 136 MB for 79 s at 30 fps; each consumer takes
    floats a frame or a chunk at a time, exactly the same numbers), else float32 levels."""
    if frames.ndim == 3:
        return frames if frames.dtype == np.uint8 else frames.astype(np.float32)
    if frames.ndim == 4 and frames.shape[-1] == 3:
        return frames.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    raise InvalidInput(f"expected frames (T, H, W) or (T, H, W, 3), got {frames.shape=}")


class _Picked:
    """Some of a shot's pictures, ``levels[index]``, read as the (T, H, W) array they would make
    without making it: a picture (``[t]``) is the one in ``levels``, a run of them (``[a:b]``)
    a copy of just those."""

    def __init__(self, levels: np.ndarray, index: np.ndarray) -> None:
        self.levels, self.index = levels, index
        self.shape = (len(index), *levels.shape[1:])
        self.dtype, self.ndim = levels.dtype, levels.ndim

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self[key[0]][key[1:]]
        return self.levels[self.index[key]]


def _box_mask(box: Box, height: int, width: int) -> np.ndarray:
    x, y, w, h = (float(v) for v in box)
    if not (w > 0 and h > 0):
        raise InvalidInput(f"a region box needs a positive width and height, got {box}")
    x0 = int(np.clip(np.floor(x * width), 0, width - 1))
    y0 = int(np.clip(np.floor(y * height), 0, height - 1))
    x1 = int(np.clip(np.ceil((x + w) * width), x0 + 1, width))
    y1 = int(np.clip(np.ceil((y + h) * height), y0 + 1, height))
    mask = np.zeros((height, width), bool)
    mask[y0:y1, x0:x1] = True
    return mask


def _region_of(region: object) -> Box:
    """A box from a tuple or from anything with x/y/width/height (e.g. notes.Region)."""
    if hasattr(region, "width") and hasattr(region, "x"):
        return (region.x, region.y, region.width, region.height)  # type: ignore[attr-defined]
    values = tuple(region)  # type: ignore[arg-type]
    if len(values) != 4:
        raise InvalidInput(f"a region is (x, y, width, height) normalised 0..1, got {region!r}")
    return values  # type: ignore[return-value]


def detect_cuts(gray: np.ndarray, times: np.ndarray, threshold: float = _CUT_DISTANCE, *,
                shares: np.ndarray | None = None) -> np.ndarray:
    """Indices t where frame t starts a new shot: a histogram jump from t-1, or a jump cut
    (most of the picture changes at once, between intervals where little does), unless the
    change is light (a flash, or its fading: ``bursts.light_change``). ``gray``: uint8 levels,
    or floats 0..255; ``shares``: its ``changed_shares``, when the caller has them."""
    if len(gray) < 2:
        return np.zeros(0, int)
    if gray.dtype == np.uint8:
        # Whole grey levels: a bin is a run of 256 / bins levels; the same counts as
        # np.histogram at a fraction of its cost.
        hists = _level_histograms(gray)
    else:
        hists = np.stack([np.histogram(g, bins=_HIST_BINS, range=(0, 256))[0] for g in gray]).astype(np.float64)
    hists /= np.maximum(hists.sum(axis=1, keepdims=True), 1)
    distance = np.abs(np.diff(hists, axis=0)).sum(axis=1).tolist()
    changed = (changed_shares(gray) if shares is None else shares).tolist()
    # A cut is a jump that is large and stands out from its neighbours (a slow pan or a light
    # change moves the histogram steadily, not in one step). The neighbours are looked at only
    # where the jump itself is large enough (most intervals are not).
    cuts = []
    for i, value in enumerate(distance):
        cut = value > threshold and value > 3 * _median(distance[max(0, i - 3) : i] + distance[i + 1 : i + 4])
        if not cut and changed[i] >= _JUMP:
            around = changed[max(0, i - 2) : i] + changed[i + 1 : i + 3]
            cut = changed[i] >= _JUMP_CONTRAST * (max(around) if around else 0.0)
        if cut and not light_change(gray[i], gray[i + 1]):
            cuts.append(i + 1)
    return np.asarray(cuts, int)


def _level_histograms(gray: np.ndarray) -> np.ndarray:
    """(T, _HIST_BINS) float64: each uint8 frame's count of pixels per bin of 256 / bins levels
    (np.histogram's counts, at a tenth of its cost: OpenCV's table of the 256 levels)."""
    hists = np.empty((len(gray), _HIST_BINS), np.float64)
    for t, frame in enumerate(gray):
        hists[t] = cv2.calcHist([frame], [0], None, [_HIST_BINS], [0, 256]).ravel()
    return hists


def _median(values: list[float]) -> float:
    """np.median of a few floats (0 for none), without numpy's per-call cost."""
    if not values:
        return 0.0
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(values) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class _Changes:
    """What the analysis reads of the differences between consecutive frames, from one pass
    over them (grey levels, as float32 a chunk at a time; index t: interval t-1 -> t, row 0
    none): ``mad``, the mean absolute difference (``distinct_frames``); ``changed``, the pixels
    that change by more than NOISE_LEVEL (``camera.changed_pixels`` of a still camera);
    ``shares``, their share of the picture (``changed_shares``); ``one_way``, how many got
    lighter and darker (``bursts.OneWay``, worked out when first read). Each is what its own
    function gives, which would go over the differences again."""

    def __init__(self, gray: np.ndarray) -> None:
        n = len(gray)
        self.mad = np.zeros(n)
        self.changed: ChangedPixels | None = ChangedPixels(gray.shape)
        self._counts, self._lighter = np.zeros(n, np.int64), np.zeros(n, np.int64)
        for a in range(1, n, _CHUNK):
            step = np.diff(np.asarray(gray[a - 1 : a + _CHUNK], np.float32), axis=0)
            rows = slice(a, a + len(step))
            self._lighter[rows] = np.count_nonzero(step > NOISE_LEVEL, axis=(1, 2))
            np.abs(step, out=step)
            self.mad[rows] = step.mean(axis=(1, 2))
            moved = step > NOISE_LEVEL
            self._counts[rows] = np.count_nonzero(moved, axis=(1, 2))
            self.changed[rows] = moved
        self.shares = self._counts[1:] / (gray[0].size if n else 1)
        self._one_way: OneWay | None = None

    @property
    def one_way(self) -> OneWay:
        if self._one_way is None:
            changed, spread_ = self.changed, np.zeros(len(self.changed))
            for a in range(1, len(changed), _CHUNK):
                part = changed[a : a + _CHUNK]
                spread_[a : a + len(part)] = spreads(part)
            self._one_way = OneWay(self._lighter, self._counts - self._lighter, spread_)
        return self._one_way


def changed_shares(gray: np.ndarray) -> np.ndarray:
    """(T-1,) per interval t-1 -> t, the share of the pixels whose grey level changes by more
    than NOISE_LEVEL. ``gray``: uint8 levels, or floats 0..255."""
    out = np.zeros(max(len(gray) - 1, 0))
    size = gray[0].size if len(gray) else 1
    for a in range(1, len(gray), _CHUNK):
        step = np.diff(np.asarray(gray[a - 1 : a + _CHUNK], np.float32), axis=0)
        np.abs(step, out=step)
        out[a - 1 : a - 1 + len(step)] = np.count_nonzero(step > NOISE_LEVEL, axis=(1, 2)) / size
    return out


def analyze_motion(
    stream: FrameStream,
    *,
    region: Box | object | None = None,
    boxes: Sequence[Box] | np.ndarray | None = None,
    refractory: float = 0.25,
    sensitivity: float = 1.0,
) -> MotionAnalysis:
    """Motion energy, onsets at contact and cuts of a frame stream (normally ANALYSIS_STREAM).

    ``region``: one box (x, y, width, height, 0..1) or a ``notes.Region``; ``boxes``: one box
    per frame (a tracked region), overriding ``region``. ``refractory``: the shortest time
    between two onsets, seconds. ``sensitivity``: > 1 finds weaker onsets, < 1 fewer.
    """
    frames, times = stream.frames, np.asarray(stream.times, np.float64)
    if len(frames) != len(times):
        raise InvalidInput(f"frames and times differ in length: {frames.shape=} {times.shape=}")
    if refractory < 0 or sensitivity <= 0:
        raise InvalidInput(f"refractory must be >= 0 and sensitivity > 0, got {refractory}, {sensitivity}")
    empty = np.zeros(0)
    if len(frames) < 3:
        return MotionAnalysis(times=times, energy=np.zeros(len(times)), onsets=empty, onset_strengths=empty, cuts=empty)
    gray = _gray(frames)
    height, width = gray.shape[1:]
    masks = None
    if boxes is not None:
        if len(boxes) != len(frames):
            raise InvalidInput(f"boxes must give one box per frame: {len(boxes)} boxes for {len(frames)} frames")
        masks = np.stack([_box_mask(_region_of(b), height, width) for b in boxes])
    elif region is not None:
        masks = _box_mask(_region_of(region), height, width)

    if np.any(np.diff(times) <= 0):
        raise InvalidInput("frame times must increase")
    # Above ANALYSIS_RATE the analysis reads every step-th picture (the rates it was set at);
    # the cuts are found among all of them, at the source's own frames.
    step = analysis_step(times)
    if step > 1:
        sampled = np.arange(_sharpest_phase(gray, step), len(gray), step)
        sampled_gray = _Picked(gray, sampled)
        changes = _Changes(sampled_gray)
        cut_index = detect_cuts(gray, times)
    else:
        sampled, sampled_gray = np.arange(len(gray)), gray
        changes = _Changes(gray)
        cut_index = detect_cuts(gray, times, shares=changes.shares)
    # Repeated frames (pulldown, frame-rate conversion) show no motion though the subject
    # moves: analyse the distinct pictures only, each difference over its real interval.
    distinct = distinct_frames(sampled_gray, changes.mad)
    keep = sampled[distinct]
    kept_times = times[keep]
    kept_masks = masks[keep] if masks is not None and masks.ndim == 3 else masks
    kept_cuts = np.searchsorted(keep, cut_index)  # a cut is never a repeat, so it is kept
    # With no repeats, the pictures and the differences between them are the ones had; else the
    # kept pictures (read through the levels had, not copied: a level a pixel is 50 MB for two
    # minutes at 30 fps) and their own differences.
    if len(keep) == len(gray):
        kept_gray, kept_changes = gray, changes
    elif len(distinct) == len(sampled):
        kept_gray, kept_changes = _Picked(gray, keep), changes
    else:
        del changes
        kept_gray = _Picked(gray, keep)
        kept_changes = _Changes(kept_gray)
    intervals = np.diff(kept_times)
    typical = float(np.median(intervals))
    # Light that flashes or fades changes pixels without anything moving: bridged like a cut.
    one_way = kept_changes.one_way
    lit = np.flatnonzero(one_way.light()[1:]) + 1
    bridged = np.array([*kept_cuts, *lit], int)
    # Frames dropped unevenly from a camera's (30 -> 21.5 fps): the long intervals' motion is
    # evened out, or their beat reads as a stop every few frames.
    pacing = uneven_pacing(kept_times, kept_changes.mad)

    def measured(camera: Camera) -> Motion:
        still = camera.smoothing <= 0 and not camera.shifts.any()
        changed = kept_changes.changed if still else changed_pixels(kept_gray, camera)
        raw, cells, centre = cell_differences(kept_gray, kept_masks, GRID, camera, changed)
        # The moving fraction is not rescaled by the interval between distinct frames: the area
        # a moving thing sweeps saturates rather than growing with time, and dividing by a
        # longer interval (after a repeat, in variable-rate video) would invent a dip, a fake stop.
        if pacing is not None:
            raw, cells = pacing.evened(raw, cells)
        for c in bridged:  # the jump is not motion
            raw[c], cells[c] = raw[c - 1], cells[c - 1]
        cell_peak = float(cells.max())
        peaks, sizes = falls(cells / cell_peak if cell_peak > 0 else cells, centre, typical, kept_cuts, refractory,
                             sensitivity)
        # The stroke moved at full speed up to frame ``arrived`` and slower after it: contact
        # happened between that frame and the next, and their middle is the unbiased estimate.
        arrived = arrivals(cells.sum(axis=1), peaks, typical)
        onsets = (kept_times[arrived] + kept_times[np.minimum(arrived + 1, len(keep) - 1)]) / 2
        found = Motion(times=kept_times, moving=raw, gray=kept_gray, mask=kept_masks, contacts=peaks, onsets=onsets,
                       strengths=sizes / sizes.max() if len(peaks) else empty, cuts=kept_cuts, camera=camera,
                       cells=cells, arrived=arrived, sizes=sizes)
        found._changed = changed
        return found

    # The kind of source and its contacts are judged on the picture as filmed (the rules were
    # set on it; a handheld shot of a crowd roaring or dogs at play never settles, camera and
    # all). Taking a handheld camera's motion out before finding contacts was measured on the
    # tuning half and left out: it added stops (boots on ice 13 -> 17 onsets for 12, AP 0.61 ->
    # 0.48) and gained nothing on the other handheld clips, whose sound is not tied to what
    # moves (docs/evaluation.md). It is taken out where a walker the camera follows is looked
    # for: followed, the walker holds still in the picture while the place streams by. The
    # camera's motion costs as much as the rest of the analysis, so it is estimated only when
    # a walker is looked for, and the walker reads only the picture it leaves (no contacts).
    motion = measured(Camera.still(len(keep)))

    def following() -> Motion:
        camera = camera_motion(kept_gray)
        return replace(motion, camera=camera) if camera.smoothing > 0 else motion

    raw, cells, peaks, fall_sizes, arrived, onsets = (motion.moving, motion.cells, motion.contacts, motion.sizes,
                                                      motion.arrived, motion.onsets)
    peak = float(raw.max())
    kept_energy = raw / peak if peak > 0 else np.zeros_like(raw)
    # Back on every frame: a repeated frame belongs to the interval that ends at the next
    # distinct one.
    energy = kept_energy[np.minimum(np.searchsorted(keep, np.arange(len(times))), len(keep) - 1)]
    # What kind of source this is decides whether the stops are contacts at all: a crowd
    # walking, surf or a passing train stop and start without striking anything.
    sources = describe_sources(motion, following)
    burst_times, burst_strengths = bursts(kept_times, raw, kept_cuts)
    flash_times, flash_strengths = flashes(kept_gray, kept_times, kept_cuts, one_way)
    kick_times, kick_strengths = empty, empty
    # Which pixels changed is read by now (the cells, the sources, the light): let go of it
    # before the flow is held (a bool a pixel: 29 MB for a 79 s shot at 30 fps).
    kept_changes.changed = motion._changed = None
    if sources[0].kind is not SourceKind.CONTACTS:
        onsets, strengths = empty, empty
    else:
        # The flow is computed only here, around the contacts, where it decides two things: a
        # stroke that arrived going up (the top of a backswing, a hand lifting, a gun's recoil)
        # is no contact, and how much momentum the rest lost ranks them.
        window = max(1, int(round(0.07 / typical)))
        heading, lost, leapt = _judged_on_flow(kept_gray, kept_times, kept_masks, cells, arrived, peaks, kept_cuts,
                                               window, kept_times if pacing is None else pacing.capture_times(kept_times))
        # Strength: the fall plus the momentum lost there, each scaled to the clip's largest.
        strengths = fall_sizes / fall_sizes.max() if len(peaks) else empty
        if len(peaks) and lost.max() > 0:
            strengths = strengths + lost / lost.max()
            strengths = np.clip(strengths / strengths.max(), 0.0, 1.0)
        # A stroke that leapt out of rest was a kick (a recoil): it sounds where it leapt, not
        # where it stops; of the rest, what arrived going up is no contact.
        # (A leap just after a contact is its rebound: that stroke is judged as any other.)
        contact = (heading < RISING) & np.isnan(leapt)
        leapt[rebounds(leapt, onsets[contact])] = np.nan
        kicked = np.isfinite(leapt)
        hit = (heading < RISING) & ~kicked
        kick_times, kick_strengths = leapt[kicked], strengths[kicked]
        onsets, strengths = onsets[hit], strengths[hit] * (1.0 - RISING_WEIGHT * np.clip(heading[hit], 0.0, 1.0))
        calm = ~settling(onsets, strengths)  # a strike's settling is no strike (media.contacts)
        onsets, strengths = onsets[calm], strengths[calm]
        sources = (replace(sources[0], onsets=onsets, strengths=strengths), *sources[1:])
    sources = with_bursts(sources, (kick_times, kick_strengths), (flash_times, flash_strengths))
    onsets, strengths = events(sources)
    return MotionAnalysis(
        times=times,
        energy=energy,
        onsets=onsets,
        onset_strengths=strengths,
        cuts=times[cut_index] if len(cut_index) else empty,
        sources=sources,
        bursts=burst_times,
        burst_strengths=burst_strengths,
        camera_rate=None if pacing is None else pacing.rate,
    )


# The most pictures a second the analysis reads. Its thresholds were set on footage at 15-30 fps,
# and at twice the rate the same motion reads otherwise: each interval changes half as much (more
# of a moving edge under NOISE_LEVEL: the drumstick's moving share 0.074 -> 0.044), a stroke's
# centre travels half as far (DOWNWARD_SCALE), the flow is half as fast (its speed floors).
# Measured on the tuning half at 59.94 by repeated frames (docs/evaluation.md, rate pass): read
# whole 0.50 / 0.43 / 0.58 (accuracy / precision / AP; 0.54 / 0.55 / 0.68 at the own rates), a
# train read as 21 hits; read on every 2nd picture 0.54 / 0.53 / 0.68, and likewise by motion
# interpolation and blending, at 0.54-0.87 of the analysis' cost. Onsets stay on the source's
# clock, +-17 ms at 30 fps read (inside the +-0.1 s a sound is heard in sync). Any value from 31
# to 42 reads the same pictures of every variant measured: 29.97, 30 and a 30 fps clip with
# jittered timestamps (30.3) whole, 43 (21.5 doubled) to 60 on every 2nd picture.
ANALYSIS_RATE = 32.0


def analysis_step(times: np.ndarray) -> int:
    """Every how many pictures the analysis reads one: the smallest step that brings the
    source's typical rate (median interval) to ANALYSIS_RATE or under, 1 for short shots."""
    if len(times) < 2:
        return 1
    rate = 1.0 / float(np.median(np.diff(times)))
    step = max(1, int(np.ceil(rate / ANALYSIS_RATE - 1e-9)))
    return step if len(times) >= 3 * step else 1


def _sharpest_phase(gray: np.ndarray, step: int) -> int:
    """Which of the ``step`` ways of reading every step-th picture reads the camera's own: the one
    whose pictures differ most from one another. A rate doubled by blending puts the mean of two
    camera frames between them, and blends differ from one another by half as much (|C - A| / 2
    against |B - A|); repeats and a camera's own frames read alike in either. Every other pixel
    of every other row tells (a quarter of the cost)."""
    totals = np.zeros(step)
    for phase in range(step):
        index = np.arange(phase, len(gray), step)
        for a in range(0, len(index) - 1, _CHUNK):
            run = np.asarray(gray[index[a : a + _CHUNK + 1]][:, ::2, ::2], np.float32)
            totals[phase] += float(np.abs(np.diff(run, axis=0)).mean(axis=(1, 2)).sum())
        totals[phase] /= max(len(index) - 1, 1)
    return int(np.argmax(totals))


def distinct_frames(gray: np.ndarray, mad: np.ndarray | None = None) -> np.ndarray:
    """Indices of the frames to analyse: all but isolated repeats of the previous picture.

    A repeat differs from its predecessor by almost nothing while the differences on both
    sides are several times larger (so "x x 0 x x 0" from 24 -> 30 fps pulldown). A run of
    still frames is not a repeat: that is the subject at rest, and contacts need it. ``mad``:
    each frame's mean absolute difference from the previous one, when the caller has it.
    """
    n = len(gray)
    if mad is None:
        mad = _Changes(gray).mad
    repeat = np.zeros(n, bool)
    for t in range(1, n):
        if mad[t] >= _REPEAT_LEVEL:
            continue
        floor = _REPEAT_CONTRAST * max(mad[t], 0.05)
        left = t == 1 or mad[t - 1] > floor
        right = t == n - 1 or mad[t + 1] > floor
        repeat[t] = left and right and not (t == 1 and t == n - 1)
    keep = np.nonzero(~repeat)[0]
    return keep if len(keep) >= 3 else np.arange(n)


__all__ = ["Box", "analyze_motion", "detect_cuts", "distinct_frames"]
