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
the top of a backswing is silent). Repeated frames (pulldown, 25 -> 29.97 conversions) are
left out, since a repeat shows no motion and would look like a stop.

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
in the ~150 ms before the fall. An axe that sinks into a log, a knife that slows through a
cabbage, a hammer that bounces off the anvil and leaves the picture: each keeps moving after the
contact, so the fall comes late, by up to ~190 ms on these clips, while the arrival does not.
The contact happens between the arrival frame and the next, whose middle is the unbiased
estimate (+-17 ms at 30 fps, +-33 ms at 15 fps).

Measured against the clips' own sound (tests/media/test_analysis.py): every README hit on
hitting_metal and every hit on hitting_bag gets an onset within 0.1 s, 13 of 15 knife cuts on
chopping; extra onsets remain (other stops), ranked lower by ``onset_strengths``. ``foleyline
eval`` (procedural engine, seeds 0-4) gives onset accuracy / AP at +-0.1 s of 0.81/0.97 on
chopping, 1.00/0.97 on hitting_bag, 1.00/0.85 on hitting_metal, 1.00/0.91 on the axe, 1.00/1.00 on
the anvil and 0.86/0.80 on the pistol. The clips' own sound also has onsets no picture shows: on
the ice (cracks running after a stomp) and the walking dog (the street around it), the visual
onsets find the sound's onsets no more often than onsets placed at random would (0.42 and 0.40
against 0.39 and 0.44 by chance), which bounds what visual onsets alone can reach there.

The flow costs about 3 ms per frame pair around each onset (~0.4 s of CPU for 10 s of 30 fps
picture, against ~0.1 s for the rest of the analysis).

Cuts (a change of shot inside the clip) are found from luminance-histogram jumps; the
difference across a cut is not motion, so the energy there is bridged and no onset is placed.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from scipy.signal import find_peaks

from foleyline.errors import InvalidInput
from foleyline.server.media.frames import FrameStream, MotionAnalysis

Box = tuple[float, float, float, float]  # x, y, width, height, normalised 0..1, origin top-left

# A pixel "moves" when it changes by more than this (0..255 grey levels): above sensor noise
# and compression shimmer. Energy is the moving fraction of the picture (or region), which
# follows the size of what moves and ignores small brightness drifts.
_NOISE_LEVEL = 6.0
# Histogram L1 distance (0..2) above which consecutive frames belong to different shots.
_CUT_DISTANCE = 0.7
_HIST_BINS = 32
# Contacts are found per cell of a grid over the picture (or region): a contact is local, and
# the stop of the part that touches is drowned in the whole picture by the rest of the motion
# (the far end of a stick, a hand, camera shake).
_GRID = 3
# A frame is a repeat of the previous one when it differs by less than this (mean grey
# levels, i.e. only compression noise) and its neighbours' differences are this many times
# larger.
_REPEAT_LEVEL = 0.25
_REPEAT_CONTRAST = 4.0
# Direction of a stroke: the centre of the moving pixels is trusted when this many move; a
# stroke moving down by _DOWNWARD_SCALE of the picture height per frame gets the full weight
# (x1.5), the same moving up x0.5.
_MIN_MOVING_PIXELS = 20
_DOWNWARD_SCALE = 0.05
_DOWNWARD_WEIGHT = 0.5
# A contact is timed at the stroke's arrival: the end of its last interval at (nearly) top speed,
# looked for up to this many seconds before the fall that shows the stroke ended.
_ARRIVAL_LOOKBACK = 0.15
_ARRIVAL_LEVEL = 0.85
# Farneback on the small analysis frames: a 3-level pyramid follows ~10 px per frame; 9 px
# windows keep a hand or a stick apart from the background. About 2-3 ms per frame pair.
_FLOW_PARAMS = dict(pyr_scale=0.5, levels=3, winsize=9, iterations=3, poly_n=5, poly_sigma=1.1, flags=0)
# Grey levels by which a pixel may differ from where its flow says it came from before the
# flow there is not trusted (twice the motion noise level: interpolation and compression).
_FLOW_MISMATCH = 2 * _NOISE_LEVEL
# A pixel slower than this (pixels per frame) has no direction worth trusting.
_MIN_SPEED = 0.3
# Momentum losses are scaled to the clip's largest, but never to less than this (pixels per
# frame, cell mean), so a still picture's noise is not blown up into strength.
_MIN_DECELERATION = 0.05


def _gray(frames: np.ndarray) -> np.ndarray:
    if frames.ndim == 3:
        return frames.astype(np.float32)
    if frames.ndim == 4 and frames.shape[-1] == 3:
        return frames.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    raise InvalidInput(f"expected frames (T, H, W) or (T, H, W, 3), got {frames.shape=}")


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


def _grid(masks: np.ndarray | None, height: int, width: int, grid: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Row and column index groups of the grid cells: ``grid`` x ``grid`` over the picture, or
    over a fixed region's bounding box; one cell (the box) with per-frame boxes."""
    if masks is not None and masks.ndim == 2:
        rows, cols = np.nonzero(masks.any(axis=1))[0], np.nonzero(masks.any(axis=0))[0]
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    else:
        y0, y1, x0, x1 = 0, height, 0, width
    if masks is not None and masks.ndim == 3:
        grid = 1
    return (np.array_split(np.arange(y0, y1), min(grid, y1 - y0)),
            np.array_split(np.arange(x0, x1), min(grid, x1 - x0)))


def _cell_differences(
    gray: np.ndarray, masks: np.ndarray | None, grid: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Moving fraction per frame, overall (T,) and per grid cell (T, cells), and the height of
    the moving pixels' centre (T,), 0 top .. 1 bottom, NaN when too little moves; index t:
    t-1 -> t.

    With a fixed region the cells tile its bounding box; with per-frame boxes there is one
    cell (the box), since a tracked box moves with its subject.
    """
    n, height, width = gray.shape
    ys, xs = _grid(masks, height, width, grid)
    overall = np.zeros(n, np.float64)
    cells = np.zeros((n, len(ys) * len(xs)), np.float64)
    centre = np.full(n, np.nan)
    rows = (np.arange(height) + 0.5) / height
    for t in range(1, n):
        moving = np.abs(gray[t] - gray[t - 1]) > _NOISE_LEVEL
        if masks is not None:
            mask = (masks[t] | masks[t - 1]) if masks.ndim == 3 else masks
            overall[t] = float(moving[mask].mean()) if mask.any() else 0.0
            moving = moving & mask
        else:
            overall[t] = float(moving.mean())
        per_row = moving.sum(axis=1)
        if per_row.sum() >= _MIN_MOVING_PIXELS:
            centre[t] = float(per_row @ rows / per_row.sum())
        k = 0
        for yr in ys:
            band = moving[yr[0] : yr[-1] + 1]
            for xr in xs:
                cells[t, k] = float(band[:, xr[0] : xr[-1] + 1].mean())
                k += 1
    overall[0], cells[0] = overall[1], cells[1]
    return overall, cells, centre


def _momentum_lost(
    gray: np.ndarray,
    masks: np.ndarray | None,
    times: np.ndarray,
    window: int,
    grid: int,
    peaks: np.ndarray,
    cuts: np.ndarray,
) -> np.ndarray:
    """Per peak (an interval index t: frame t-1 -> t), how much momentum the moving material
    lost there: the largest over intervals t-1..t+1 (the flow may see the same stop a frame
    off) of the cells' losses, each cell scaled to the largest cell loss seen, summed.

    A pixel's velocity over interval t against its mean velocity over the ``window`` intervals
    after, read where the flow carried it: see the module docstring. Flow is computed only
    around the peaks, since it ranks the onsets and does not place them.
    """
    n, height, width = gray.shape
    if n < 3 or len(peaks) == 0:
        return np.zeros(len(peaks))
    ys, xs = _grid(masks, height, width, grid)
    boxes = [(yr[0], yr[-1] + 1, xr[0], xr[-1] + 1) for yr in ys for xr in xs]
    pictures = np.clip(gray, 0, 255).astype(np.uint8)
    intervals = np.diff(times)
    typical = float(np.median(intervals))
    grid_y, grid_x = np.mgrid[0:height, 0:width].astype(np.float32)
    flows: dict[int, np.ndarray] = {}

    def flow_of(t: int) -> np.ndarray:
        if t not in flows:
            flow = cv2.calcOpticalFlowFarneback(pictures[t - 1], pictures[t], None, **_FLOW_PARAMS)
            # Trust the flow only where it explains the picture: the previous frame, moved
            # along it, must match this one.
            moved = cv2.remap(pictures[t], grid_x + flow[..., 0], grid_y + flow[..., 1], cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
            flow[np.abs(moved.astype(np.float32) - gray[t - 1]) > _FLOW_MISMATCH] = 0.0
            # Per typical frame interval: after a dropped frame the same speed reads the same.
            flows[t] = flow * np.float32(typical / intervals[t - 1])
        return flows[t]

    def cell_losses(t: int) -> np.ndarray:
        flow = flow_of(t)
        after = np.mean([flow_of(k) for k in range(t + 1, min(t + window, n - 1) + 1)], axis=0)
        map_x, map_y = grid_x + flow[..., 0], grid_y + flow[..., 1]
        later = cv2.remap(after, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        speed = np.hypot(flow[..., 0], flow[..., 1])
        safe = np.maximum(speed, 1e-6)
        # Speed lost along the way it was going (v -> 0: |v|; a bounce back: up to 2|v|),
        # times how complete the loss was, times the gravity prior of its heading.
        lost = np.maximum(((flow - later) * flow).sum(axis=-1) / safe, 0.0)
        stop = lost * np.clip(lost / safe, 0.0, 1.0) * (1.0 + _DOWNWARD_WEIGHT * flow[..., 1] / safe)
        gone = (map_x < 0) | (map_x > width - 1) | (map_y < 0) | (map_y > height - 1)
        stop[(speed < _MIN_SPEED) | gone] = 0.0  # no direction; left the picture, not stopped
        weight = None
        if masks is not None:
            weight = ((masks[t] | masks[t - 1]) if masks.ndim == 3 else masks).astype(np.float32)
            stop = stop * weight
        out = np.zeros(len(boxes))
        for k, (a, b, c, d) in enumerate(boxes):
            area = float(weight[a:b, c:d].sum()) if weight is not None else float((b - a) * (d - c))
            out[k] = float(stop[a:b, c:d].sum()) / max(area, 1.0)
        return out

    # Intervals whose flow (or the flow after them) crosses a cut measure no motion.
    blocked = {t for c in cuts for t in range(c - window, c + 1)}
    judged = sorted({t for p in peaks for t in (p - 1, p, p + 1) if 1 <= t < n - 1 and t not in blocked})
    losses = {t: cell_losses(t) for t in judged}
    scale = max([float(v.max()) for v in losses.values()] + [_MIN_DECELERATION])
    totals = {t: float(v.sum()) / scale for t, v in losses.items()}
    return np.array([max([totals.get(t, 0.0) for t in (p - 1, p, p + 1)]) for p in peaks])


def detect_cuts(gray: np.ndarray, times: np.ndarray, threshold: float = _CUT_DISTANCE) -> np.ndarray:
    """Indices t where frame t starts a new shot (histogram jump from t-1)."""
    if len(gray) < 2:
        return np.zeros(0, int)
    hists = np.stack([np.histogram(g, bins=_HIST_BINS, range=(0, 256))[0] for g in gray]).astype(np.float64)
    hists /= np.maximum(hists.sum(axis=1, keepdims=True), 1)
    distance = np.abs(np.diff(hists, axis=0)).sum(axis=1)
    # A cut is a jump that is large and stands out from its neighbours (a slow pan or a light
    # change moves the histogram steadily, not in one step).
    cuts = []
    for i, value in enumerate(distance):
        neighbours = np.r_[distance[max(0, i - 3) : i], distance[i + 1 : i + 4]]
        floor = float(np.median(neighbours)) if len(neighbours) else 0.0
        if value > threshold and value > 3 * floor:
            cuts.append(i + 1)
    return np.asarray(cuts, int)


def _robust_threshold(values: np.ndarray, k: float) -> float:
    positive = values[values > 0]
    if len(positive) == 0:
        return np.inf
    median = float(np.median(positive))
    mad = float(np.median(np.abs(positive - median))) or median
    return median + k * mad


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
    cut_index = detect_cuts(gray, times)
    # Repeated frames (pulldown, frame-rate conversion) show no motion though the subject
    # moves: analyse the distinct pictures only, each difference over its real interval.
    keep = distinct_frames(gray)
    kept_times = times[keep]
    kept_masks = masks[keep] if masks is not None and masks.ndim == 3 else masks
    raw, cells, centre = _cell_differences(gray[keep], kept_masks, _GRID)
    # The moving fraction is not rescaled by the interval between distinct frames: the area a
    # moving thing sweeps saturates rather than growing with time, and dividing by a longer
    # interval (after a repeat, in variable-rate video) would invent a dip, i.e. a fake stop.
    intervals = np.diff(kept_times)
    typical = float(np.median(intervals))

    kept_cuts = np.searchsorted(keep, cut_index)  # a cut is never a repeat, so it is kept
    for c in kept_cuts:  # bridge the cut: the jump is not motion
        raw[c], cells[c] = raw[c - 1], cells[c - 1]

    peak = float(raw.max())
    kept_energy = raw / peak if peak > 0 else np.zeros_like(raw)
    # Back on every frame: a repeated frame belongs to the interval that ends at the next
    # distinct one.
    energy = kept_energy[np.minimum(np.searchsorted(keep, np.arange(len(times))), len(keep) - 1)]
    cell_peak = float(cells.max())
    peaks, falls = _contacts(
        cells / cell_peak if cell_peak > 0 else cells, centre, typical, kept_cuts, refractory, sensitivity
    )
    # The stroke moved at full speed up to frame ``arrived`` and slower after it: contact happened
    # between that frame and the next, and their middle is the unbiased estimate.
    arrived = _arrivals(cells.sum(axis=1), peaks, typical)
    onsets = (kept_times[arrived] + kept_times[np.minimum(arrived + 1, len(keep) - 1)]) / 2
    # Strength: the fall plus the momentum lost there, each scaled to the clip's largest.
    strengths = falls / falls.max() if len(peaks) else empty
    window = max(1, int(round(0.07 / typical)))
    lost = _momentum_lost(gray[keep], kept_masks, kept_times, window, _GRID, peaks, kept_cuts)
    if len(peaks) and lost.max() > 0:
        strengths = strengths + lost / lost.max()
        strengths = np.clip(strengths / strengths.max(), 0.0, 1.0)
    return MotionAnalysis(
        times=times,
        energy=energy,
        onsets=onsets,
        onset_strengths=strengths,
        cuts=times[cut_index] if len(cut_index) else empty,
    )


def _arrivals(motion: np.ndarray, falls: np.ndarray, frame_interval: float) -> np.ndarray:
    """For each fall (an interval index), the frame at which the stroke it ends arrived: the end
    of the last interval, at most ``_ARRIVAL_LOOKBACK`` before the fall, in which the picture
    moved at ``_ARRIVAL_LEVEL`` of the stroke's fastest or more."""
    lookback = max(1, int(round(_ARRIVAL_LOOKBACK / frame_interval)))
    out = np.empty(len(falls), int)
    for i, fall in enumerate(falls):
        start = max(1, fall - lookback)
        stroke = motion[start : fall + 1]
        out[i] = start + int(np.flatnonzero(stroke >= _ARRIVAL_LEVEL * stroke.max())[-1])
    return out


def distinct_frames(gray: np.ndarray) -> np.ndarray:
    """Indices of the frames to analyse: all but isolated repeats of the previous picture.

    A repeat differs from its predecessor by almost nothing while the differences on both
    sides are several times larger (so "x x 0 x x 0" from 24 -> 30 fps pulldown). A run of
    still frames is not a repeat: that is the subject at rest, and contacts need it.
    """
    n = len(gray)
    mad = np.zeros(n)
    for t in range(1, n):
        mad[t] = float(np.abs(gray[t] - gray[t - 1]).mean())
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


def _contacts(
    cells: np.ndarray,
    centre: np.ndarray,
    frame_interval: float,
    cuts: np.ndarray,
    refractory: float,
    sensitivity: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Where motion falls abruptly after being high, summed over the grid cells: the interval
    indices t (the fall happens between frames t and t+1) and the size of each fall."""
    n = len(cells)
    # Compare ~70 ms before with ~70 ms after (one frame at 15 fps, four at 60 fps).
    w = max(1, int(round(0.07 / frame_interval)))
    padded = np.concatenate([np.repeat(cells[:1], w, 0), cells, np.repeat(cells[-1:], w, 0)])
    csum = np.concatenate([np.zeros((1, cells.shape[1])), np.cumsum(padded, axis=0)])
    idx = np.arange(n) + w
    before = (csum[idx + 1] - csum[idx + 1 - w]) / w      # cells[t-w+1 .. t]
    after = (csum[idx + 1 + w] - csum[idx + 1]) / w       # cells[t+1 .. t+w]
    drop = np.maximum(before - after, 0.0)
    # Weight each fall by how complete it is: a swing that ends (most of the motion gone)
    # counts more than a wobble in a busy shot.
    fall = (drop * np.clip(drop / np.maximum(before, 1e-9), 0.0, 1.0)).sum(axis=1)
    # Gravity: a stroke that ends going down (a foot, a knife, a hammer, a falling thing) is
    # more often a contact than one that ends going up (the top of a backswing). The moving
    # pixels' centre over the stroke's last ~140 ms says which way it went.
    step = np.nan_to_num(np.diff(centre, prepend=np.nan))
    run = np.r_[0.0, np.cumsum(step)]
    span = 2 * w
    downward = (run[np.arange(n) + 1] - run[np.maximum(np.arange(n) + 1 - span, 0)]) / span
    fall = fall * (1.0 + _DOWNWARD_WEIGHT * np.clip(downward / _DOWNWARD_SCALE, -1.0, 1.0))
    fall[-1] = 0.0
    for c in cuts:  # no onset can straddle a cut
        fall[max(0, c - w) : c + 1] = 0.0
    threshold = max(_robust_threshold(fall, 1.0 / sensitivity), 0.02 / sensitivity)
    distance = max(1, int(round(refractory / frame_interval))) if refractory > 0 else 1
    peaks, props = find_peaks(fall, height=threshold, distance=distance)
    if len(peaks) == 0:
        return np.zeros(0, int), np.zeros(0)
    return peaks, props["peak_heights"]


__all__ = ["Box", "analyze_motion", "detect_cuts", "distinct_frames"]
