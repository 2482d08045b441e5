"""What kind of source makes the sound in an analysed region (the whole picture, or the region
an editor drew): contacts, steps, a continuous source, or nothing that sounds.

Decided from how things move, never from what they look like (no detector ships with its
weights in our dependencies: OpenCV 5 dropped its Haar and HOG detectors from the main module,
and its face detector needs a model file downloaded separately):

- **nothing that sounds**: almost nothing moves (an engine bay at idle, a still room).
- **steps**: several separate things of a size move at once and none dominates (a crowd
  of pedestrians: footsteps or a crowd bed, never a hit per stop); or one walker, whose
  feet land at a walking cadence (``media.walkers``): in a region that follows the walker
  (the editor's region of interest), or one thing travelling across the whole picture.
- **continuous**: the motion never stops (a train passing, surf, fire, a crowd waving): a
  texture that follows the motion, no hits.
- **contacts**: strokes that end abruptly (``media.analysis``): a hit on each.
- **bursts**: a stroke that leaps out of rest at full speed and slows from there (a gun's
  recoil), or the picture flashing (fireworks, a blast): a sound where the change starts
  (``media.bursts``). With contacts they join the contacts' events; otherwise they are a
  source of their own.

A voice or an animal (barks, coughs, song) cannot be told from motion alone: the analysis
reports the bursts of motion (where movement starts abruptly, e.g. a head jerking with a bark)
as ``bursts``, and the notes writer uses them when what the frames show is known to vocalise
(labels from a zero-shot model, or the editor's words).

Thresholds were set on the tuning half of the development set (docs/evaluation.md); each
sits on a plateau of settings that give the same kinds there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from foleyline.server.media.camera import Camera, ChangedPixels, changed_pixels
from foleyline.server.media.frames import SoundSource, SourceKind
from foleyline.server.media.walkers import boxes_of, cadence_fits, foot_contacts, periodic, walker

# Nothing moves that would sound when less than this share of the region moves (90th
# percentile over the intervals): compression shimmer and sensor noise. Tuning half: the
# engine bay at 0.2%, the next quietest picture (a bird in a cage) at 2.4%; a 10-pixel ball
# moving 4 pixels a frame on the 160x90 analysis frames is 0.56%.
STILL_LEVEL = 0.004
# Motion that never stops: the quietest fifth of the intervals still move this share of the
# busiest tenth, and the strokes' stops are shallow (the moving fraction after a contact
# keeps more than this share of its level before). Tuning half: the train at 0.68 / 0.25;
# every contact clip below 0.53, the drumstick clips' handheld shake included.
SUSTAINED = 0.6
SHALLOW_STOPS = 0.4
# Movers: separate moving blobs (at least MIN_BLOB_PX pixels of the analysis frames); the
# ones at least COMPARABLE of the largest one's size count. A crowd: at least CROWD of them at
# once (median over the shot). Tuning half: the plaza of pedestrians at 3, every other clip
# at 1 or 2 (a stick and the hand holding it; a hammer and its sparks).
MIN_BLOB_PX = 4
COMPARABLE = 0.3
# Moving pixels less than this many pixels apart are one thing. With a handheld camera's motion
# taken out (the frames smoothed, media.camera), what is left of a body moving comes in patches
# (an arm, a leg): HANDHELD_GAP_PX there (one walker followed by the camera, media.walkers).
GAP_PX = 1
HANDHELD_GAP_PX = 3
# Intervals moving less than this share of the region's busiest tenth have no movers to count.
# Tuning half: 0.1-0.25 count the same as counting every interval (and a still moment filmed
# handheld, tests/media/test_camera.py, is no crowd).
MOVING = 0.1
CROWD = 2.5


@dataclass
class Motion:
    """What the analysis measured of a region, for deciding its source kind."""

    times: np.ndarray          # (T,) seconds of the distinct frames
    moving: np.ndarray         # (T,) moving fraction of the region per interval (t-1 -> t)
    gray: np.ndarray           # (T, H, W) distinct frames' levels (uint8 as decoded, or float32)
    mask: np.ndarray | None    # (H, W) or (T, H, W) bool: the region, None for the whole picture
    contacts: np.ndarray       # (K,) interval indices of the contacts found (falls)
    onsets: np.ndarray         # (K,) seconds
    strengths: np.ndarray      # (K,) 0..1
    cuts: np.ndarray           # interval indices of cuts
    camera: Camera | None = None  # the camera's own motion (media.camera)
    cells: np.ndarray | None = None    # (T, cells) moving fraction per grid cell
    arrived: np.ndarray | None = None  # (K,) the frame each contact's stroke arrived at
    sizes: np.ndarray | None = None    # (K,) each contact's fall, unscaled
    # (T, H, W) bool, the pixels that changed per interval: worked out once, when first read
    # (not carried over by ``dataclasses.replace``, which may change the camera).
    _changed: ChangedPixels | None = field(default=None, init=False, repr=False, compare=False)
    _blobs: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def changed(self) -> ChangedPixels:
        """(T, H, W) bool: where frame t differs from frame t-1, the camera's motion removed
        (``camera.changed_pixels``)."""
        if self._changed is None:
            self._changed = changed_pixels(self.gray, self.camera)
        return self._changed

    def blobs(self, t: int, gap: int) -> np.ndarray:
        """The moving blobs of interval t in the whole picture, moving pixels up to ``gap`` apart
        joined: OpenCV's component stats, background first. The movers' count and a walker's box
        both read them (worked out once for the two)."""
        if (t, gap) not in self._blobs:
            kernel = np.ones((2 * gap + 1, 2 * gap + 1), np.uint8)
            moving = cv2.morphologyEx(self.changed[t].astype(np.uint8), cv2.MORPH_CLOSE, kernel)
            self._blobs[t, gap] = blob_stats(moving)
        return self._blobs[t, gap]


def blob_stats(moving: np.ndarray) -> np.ndarray:
    """OpenCV's component stats of a (H, W) uint8 picture of moving pixels (8-connected),
    background first. Labelled in 16 bits where they fit (a picture of under 2**16 pixels has
    fewer components): the same stats at less than half the cost of 32-bit labels at 160x90."""
    ltype = cv2.CV_16U if moving.size < 2**16 else cv2.CV_32S
    return cv2.connectedComponentsWithStats(moving, connectivity=8, ltype=ltype)[2]


def comparable_movers(motion: Motion) -> float:
    """How many separate things move at once: per interval, the moving blobs (pixels that
    change, closed over gaps of up to GAP_PX) at least COMPARABLE of the largest one's size; the
    median over the intervals where things move (at least MOVING of the region's busiest tenth:
    specks a handheld camera's taken-out motion leaves in a still moment are not movers). One
    stroke, one hand or one passing train is one or two (a stick and the hand holding it); a
    crowd is several of about the same size."""
    kernel = np.ones((2 * GAP_PX + 1, 2 * GAP_PX + 1), np.uint8)
    counts = []
    mask = motion.mask
    busy = MOVING * float(np.percentile(motion.moving, 90)) if len(motion.moving) else 0.0
    for t in range(1, len(motion.gray)):
        if motion.moving[t] < busy:
            continue
        if mask is None:
            stats = motion.blobs(t, GAP_PX)
        else:
            moving = motion.changed[t] & ((mask[t] | mask[t - 1]) if mask.ndim == 3 else mask)
            stats = blob_stats(cv2.morphologyEx(moving.astype(np.uint8), cv2.MORPH_CLOSE, kernel))
        count = len(stats)
        areas = stats[1:count, cv2.CC_STAT_AREA]
        areas = areas[areas >= MIN_BLOB_PX]
        if len(areas):
            counts.append(int((areas >= COMPARABLE * areas.max()).sum()))
    return float(np.median(counts)) if counts else 0.0


def _gap(motion: Motion) -> int:
    """Pixels apart that moving patches may be and still be one thing (GAP_PX, HANDHELD_GAP_PX)."""
    return HANDHELD_GAP_PX if motion.camera is not None and motion.camera.smoothing > 0 else GAP_PX


def _stop_depth(motion: Motion) -> float:
    """How completely the motion stops after the contacts: the median over contacts of one less
    the moving fraction just after over just before (1: full stops; 0: no stop at all)."""
    if len(motion.contacts) == 0:
        return 0.0
    dt = float(np.median(np.diff(motion.times)))
    w = max(1, int(round(0.07 / dt)))
    depths = []
    for p in motion.contacts:
        before = motion.moving[max(1, p - w + 1) : p + 1].mean()
        after = motion.moving[p + 1 : p + 1 + 2 * w]
        if before > 0 and len(after):
            depths.append(1.0 - float(after.min()) / float(before))
    return float(np.median(depths)) if depths else 0.0


def describe_sources(motion: Motion, following: Callable[[], Motion] | None = None) -> tuple[SoundSource, ...]:
    """The kinds of source the region shows, most prominent first (see the module docstring).

    ``motion``: the region's motion as filmed, on which the kind and the contacts are judged;
    ``following``: gives the motion with the camera's motion taken out (media.camera), where a
    walker the camera follows is looked for (default: ``motion``); called only when a walker is
    looked for (the camera's motion costs as much as the rest of the analysis).

    In a region that follows its subject (per-frame boxes), a steady landing of the region's
    lowest third is added as a second source, a walker's steps: a footsteps layer drawn on a
    walker takes its times from there, an impacts layer from the contacts.
    """
    primary = _primary(motion)
    if motion.mask is not None and motion.mask.ndim == 3 and primary.kind is not SourceKind.NONE:
        steps, strengths = foot_contacts(motion, boxes_of(motion.mask))
        if periodic(steps):
            return (primary, SoundSource(SourceKind.STEPS, onsets=steps, strengths=strengths,
                                         evidence=f"the lowest third of the region lands {len(steps)} times at a "
                                                  "walking cadence: a walker's steps"))
    if motion.mask is None and primary.kind is not SourceKind.NONE and cadence_fits(motion.times):
        # One thing crossing the picture whose feet land at a walking cadence: a walker, whose
        # sound is its steps (its body glides on, the stops of its arms are silent), whatever
        # the rest of the picture does (a camera panning with it makes the place stream by).
        followed = following() if following is not None else motion
        steps = walker(followed, _gap(followed))
        if steps is not None:
            return (steps, primary)
    return (primary,)


def _primary(motion: Motion) -> SoundSource:
    level = float(np.percentile(motion.moving, 90)) if len(motion.moving) else 0.0
    if level < STILL_LEVEL:
        return SoundSource(SourceKind.NONE, evidence=f"almost nothing moves ({level:.1%} of the picture at most)")
    movers = comparable_movers(motion)
    if movers >= CROWD:
        return SoundSource(SourceKind.STEPS, movers=int(round(movers)),
                           evidence=f"about {movers:.0f} separate things of a size move at once and none dominates: "
                                    "a crowd (people walking), whose steps are a bed, not a hit per stop")
    sustained = float(np.percentile(motion.moving, 20)) / level
    depth = _stop_depth(motion)
    if sustained >= SUSTAINED and depth < SHALLOW_STOPS:
        return SoundSource(SourceKind.CONTINUOUS,
                           evidence=f"the motion never stops (its quietest moments keep {sustained:.0%} of its "
                                    f"level) and the strokes barely stop ({depth:.0%})")
    if len(motion.onsets):
        return SoundSource(SourceKind.CONTACTS, onsets=motion.onsets, strengths=motion.strengths,
                           evidence=f"{len(motion.onsets)} strokes end abruptly (their motion stops by {depth:.0%})")
    return SoundSource(SourceKind.NONE, evidence="things move, but nothing stops or strikes")


# Two events of the one-shot stream this close are one (a flash at the moment of a contact,
# the sparks a hammer sets leaping and the hammer's stop after its bounce, three frames apart).
SAME_EVENT = 0.12

Events = tuple[np.ndarray, np.ndarray]  # (times, strengths 0..1)


def _merged(*streams: Events) -> Events:
    """The events of several streams, sorted, with events closer than SAME_EVENT made one."""
    times = np.concatenate([np.asarray(t, float) for t, _ in streams]) if streams else np.zeros(0)
    strengths = np.concatenate([np.asarray(s, float) for _, s in streams]) if streams else np.zeros(0)
    order = np.argsort(times, kind="stable")
    kept_t: list[float] = []
    kept_s: list[float] = []
    for t, s in zip(times[order], strengths[order]):
        if kept_t and t - kept_t[-1] <= SAME_EVENT + 1e-6:
            # One sound: it starts at its first sign (sparks leaping before the hammer's
            # bounce stops), as loud as its strongest.
            kept_s[-1] = max(kept_s[-1], float(s))
            continue
        kept_t.append(float(t))
        kept_s.append(float(s))
    return np.array(kept_t), np.array(kept_s)


def with_bursts(sources: tuple[SoundSource, ...], kicks: Events, flashes: Events) -> tuple[SoundSource, ...]:
    """The sources with the picture's bursts (kicks, flashes) added: into the contacts' events
    when the region shows contacts, else as a source of their own after the main one."""
    bursts = _merged(kicks, flashes)
    if len(bursts[0]) == 0:
        return sources
    said = [f"{len(kicks[0])} stroke(s) leap out of rest at full speed and slow from there (a kick, as a gun's recoil)"
            if len(kicks[0]) else "",
            f"the picture flashes {len(flashes[0])} time(s) (fireworks, a blast)" if len(flashes[0]) else ""]
    evidence = " and ".join(s for s in said if s)
    main = sources[0]
    if main.kind is SourceKind.CONTACTS:
        onsets, strengths = _merged((main.onsets, main.strengths), bursts)
        return (replace(main, onsets=onsets, strengths=strengths, evidence=f"{main.evidence}; {evidence}"),
                *sources[1:])
    return (*sources, SoundSource(SourceKind.BURSTS, onsets=bursts[0], strengths=bursts[1],
                                  evidence=f"{evidence}: a sound where each starts"))


def events(sources: tuple[SoundSource, ...]) -> Events:
    """The region's one-shot events (what a hit or a bang fires at): its contacts (with their
    bursts) when it shows contacts, else its bursts; a crowd's or a continuous source's motion
    has none, and a walker's steps are a stream of their own."""
    picked = [(s.onsets, s.strengths) for s in sources if s.kind in (SourceKind.CONTACTS, SourceKind.BURSTS)]
    return _merged(*picked) if picked else (np.zeros(0), np.zeros(0))


__all__ = ["Motion", "SAME_EVENT", "comparable_movers", "describe_sources", "events", "with_bursts"]
