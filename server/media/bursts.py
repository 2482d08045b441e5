"""Sounds that start with a sudden change out of calm, where a contact's sound starts where motion
stops: a shot's recoil, a blast's flash, a head jerking with a bark.

- **kicks**: a stroke that leaps out of rest to full speed within one frame interval. An
  impulse gives a thing its speed at once and the thing slows from there (a gun's recoil kicks
  the hand up at the shot, and the hand lowers it back); a muscle or gravity eases a thing into
  its motion and it is fastest where it strikes. So a stroke that leapt sounds where it leapt,
  and its stop (the top of the kick, the hand settling back) is no contact. A leap just after a
  contact is that contact's rebound, not a new sound.
- **flashes**: the picture brightens at once, nearly every changed pixel getting lighter (a
  burst of fireworks, an explosion, lightning, a muzzle flash lighting a dark scene). A thing
  moving changes pixels both ways (lighter where it arrives, darker where it left), and an
  exposure drift is slow. A flash is not a cut either (``light_change``). How far away the
  flash is decides how late its sound comes (fireworks a kilometre off are heard 3 s later):
  the picture cannot tell, and the sound is placed at the flash, as an editor syncs a bang.
- **motion bursts**: motion starting abruptly out of calm, anywhere (``bursts``). Too common in
  any busy picture to be a sound by themselves (on the tuning half, none of the bursts more than
  0.2 s from a contact had a sound there), they time a voice's or an animal's calls when what
  the frames show is known to call out.

Thresholds were set on the tuning half of the development set (docs/evaluation.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from foleyline.server.media.camera import spread, spreads
from foleyline.server.media.contacts import grid_cells
from foleyline.server.media.momentum import Flow
from foleyline.server.media.peaks import find_peaks

# A kick comes out of rest: in the cells its stroke moves in, some interval within KICK_WINDOW
# before the stroke's stop moves at most CALM of the stroke's fastest, and the very next
# interval at least LEAP of it. A contact less than REBOUND before the leap makes it a rebound.
KICK_WINDOW = 0.6
CALM = 0.25
LEAP = 0.7
REBOUND = 0.2
# Its speed (from the flow) is at least LEAP of its fastest in the leap's interval, and after
# the interval following the leap never again SLOWED of it: it slows from there on.
SLOWED = 0.85
_MIN_SPEED = 0.3   # pixels per frame: slower is no motion worth a direction (media.momentum)
_MIN_PIXELS = 10   # moving pixels below which a speed is not measured
# A flash: over one interval the picture's mean grey level rises by at least FLASH_LEVEL (0..255)
# and at least FLASH_SHARE of the pixels that changed got lighter. Tuning half: the bursts over
# a skyline at 7.7-26 levels and 0.91-0.99; every other clip's rises where 0.9 of the changes
# lighten are 1.3 levels at most (a drumstick's bright tip), and the largest rise elsewhere
# (7.2, a white sleeve swinging into the picture) lightens 0.81 of its changes.
FLASH_LEVEL = 3.0
FLASH_SHARE = 0.9
# Light changes the picture all over: the changed pixels reach at least LIT_SPREAD of the cells
# of a 3x3 grid (media.camera.spread). Tuning half: the skyline's flashes and their fading reach
# 0.56-1.0 of the cells but one interval (0.22); the other clips' one-way changes over 0.5 % of
# the picture reach 0.33 of the cells at most, but one interval of the anvil's sparks (0.56):
# anything from 0.34 to 0.55 gives the same. A door swinging shut over its dark doorway (the
# demo's scene) reaches 0.33.
LIT_SPREAD = 0.45
_NOISE = 6.0  # grey levels a pixel changes by to count as changed (media.contacts.NOISE_LEVEL)
_FLASH_REFRACTORY = 0.1


def light_change(previous: np.ndarray, current: np.ndarray) -> bool:
    """Whether the change from ``previous`` to ``current`` is light, not picture: nearly every
    changed pixel moved the same way (all lighter: a flash; all darker: it fading), over much
    of the picture (a light thing closing over a dark one, a door over its doorway, also only
    lightens, but where it is: LIT_SPREAD; one that covers most of the picture still reads as
    light)."""
    change = current.astype(np.float32) - previous
    lighter, darker = change > _NOISE, change < -_NOISE
    n_lighter, n_darker = int(lighter.sum()), int(darker.sum())
    return (n_lighter + n_darker > 0 and max(n_lighter, n_darker) >= FLASH_SHARE * (n_lighter + n_darker)
            and spread(lighter | darker) >= LIT_SPREAD)


# Intervals whose changes are counted in one numpy pass (bounds the temporary floats).
_CHUNK = 64


@dataclass(frozen=True)
class OneWay:
    """Per interval t (frame t-1 -> t; row 0 no interval): how many pixels got lighter and how
    many darker by more than the noise level, and the ``camera.spread`` of the changed ones.
    Counted once per clip for the light changes and the flashes."""

    lighter: np.ndarray  # (T,) int
    darker: np.ndarray   # (T,) int
    spread: np.ndarray   # (T,) 0..1

    @staticmethod
    def of(gray: np.ndarray) -> OneWay:
        n = len(gray)
        lighter, darker, spread_ = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n)
        for a in range(1, n, _CHUNK):
            frames = gray[a - 1 : a + _CHUNK]
            change = frames[1:].astype(np.float32) - frames[:-1]  # as light_change subtracts
            up, down = change > _NOISE, change < -_NOISE
            rows = slice(a, a + len(change))
            lighter[rows], darker[rows] = np.count_nonzero(up, axis=(1, 2)), np.count_nonzero(down, axis=(1, 2))
            spread_[rows] = spreads(up | down)
        return OneWay(lighter, darker, spread_)

    def light(self) -> np.ndarray:
        """(T,) bool: ``light_change`` over each interval."""
        total = self.lighter + self.darker
        one_way = np.maximum(self.lighter, self.darker) >= FLASH_SHARE * total
        return (total > 0) & one_way & (self.spread >= LIT_SPREAD)


def flashes(gray: np.ndarray, times: np.ndarray, cuts: np.ndarray,
            one_way: OneWay | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where the picture flashes: the middle of the interval it brightens over, and how much
    (0..1 of the largest flash). ``cuts``: interval indices across which nothing is compared;
    ``one_way``: ``OneWay.of(gray)``, when the caller has it already."""
    n = len(gray)
    one_way = one_way if one_way is not None else OneWay.of(gray)
    rise = np.zeros(n)
    lightens = (one_way.lighter > 0) & (one_way.lighter >= FLASH_SHARE * (one_way.lighter + one_way.darker))
    for t in np.flatnonzero(lightens[1:]) + 1:
        rise[t] = float((gray[t].astype(np.float32) - gray[t - 1]).mean())
    rise[np.asarray(cuts, int)] = 0.0
    if n < 2 or rise.max() < FLASH_LEVEL:
        return np.zeros(0), np.zeros(0)
    typical = float(np.median(np.diff(times)))
    peaks, props = find_peaks(rise, height=FLASH_LEVEL, distance=max(1, int(round(_FLASH_REFRACTORY / typical))))
    sizes = props["peak_heights"]
    if len(peaks) == 0:  # the brightest rise is the range's last interval: no peak to place
        return np.zeros(0), np.zeros(0)
    return (times[peaks - 1] + times[peaks]) / 2, sizes / sizes.max()


def leaps(cells: np.ndarray, times: np.ndarray, arrivals: np.ndarray, flow: Flow,
          masks: np.ndarray | None = None) -> np.ndarray:
    """For each stroke (``arrivals``: the frame each arrived at its stop), the time it leapt out
    of rest, or NaN where it did not: see the module docstring. ``cells``: (T, cells) moving
    fraction per interval (t-1 -> t), the stroke followed in the cells it arrived in; its speed
    from ``flow`` (the moving area cannot say how fast: a textured thing moving one pixel
    changes as many pixels as moving ten)."""
    out = np.full(len(arrivals), np.nan)
    typical = float(np.median(np.diff(times))) if len(times) > 1 else 0.0
    if typical <= 0:
        return out
    lookback = max(2, int(round(KICK_WINDOW / typical)))
    ys, xs = grid_cells(masks, flow.height, flow.width, int(round(np.sqrt(cells.shape[1]))))
    boxes = [(yr, xr) for yr in ys for xr in xs]
    for i, arrived in enumerate(arrivals):
        where = cells[arrived] >= 0.5 * cells[arrived].max()
        stroke = cells[:, where].sum(axis=1)
        start = max(1, arrived - lookback)
        window = stroke[start : arrived + 1]
        fastest = float(window.max())
        calm = np.flatnonzero(window[:-1] <= CALM * fastest)
        if fastest <= 0 or len(calm) == 0:
            continue  # it came out of other motion, not out of rest
        leap = start + int(calm[-1]) + 1  # the first interval that moves
        if stroke[leap] < LEAP * fastest or arrived - leap < 2:
            continue  # eased into its motion, or too short to tell
        region = np.zeros((flow.height, flow.width), bool)
        for (yr, xr), inside in zip(boxes, where):
            if inside:
                region[yr[0] : yr[-1] + 1, xr[0] : xr[-1] + 1] = True
        speed = np.array([_speed(flow, t, region) for t in range(leap, arrived + 1)])
        # Fastest at once and slower from there on: kicked. A swing eases in and keeps (or
        # gains) its speed to the end.
        if speed[0] > 0 and speed[0] >= LEAP * speed.max() and speed[2:].max() < SLOWED * speed[0]:
            out[i] = float(times[leap - 1] + times[leap]) / 2
    return out


def _speed(flow: Flow, t: int, region: np.ndarray) -> float:
    """How fast the fast part of what moves in ``region`` goes over interval t: the 90th
    percentile of the flow's speed (pixels per frame) where anything moves."""
    moves = flow(t)
    speed = np.hypot(moves[..., 0], moves[..., 1])[region]
    moving = speed[speed >= _MIN_SPEED]
    return float(np.percentile(moving, 90)) if len(moving) >= _MIN_PIXELS else 0.0


def rebounds(leapt: np.ndarray, contacts: np.ndarray) -> np.ndarray:
    """Which leaps (``leapt``: from ``leaps``) come less than REBOUND after one of ``contacts``:
    the thing bouncing off what it struck, part of that contact's sound."""
    leapt = np.asarray(leapt, float)
    return np.array([bool(np.isfinite(t) and np.any((contacts <= t) & (contacts > t - REBOUND))) for t in leapt], bool)


def bursts(times: np.ndarray, moving: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where motion starts abruptly out of calm (a head jerking with a bark or a cough): the
    peaks of the rise of the moving fraction (``moving``: per interval), with their size, 0..1."""
    n = len(times)
    if n < 4:
        return np.zeros(0), np.zeros(0)
    dt = float(np.median(np.diff(times)))
    w = max(1, int(round(0.07 / dt)))
    level = moving / max(float(moving.max()), 1e-9)
    csum = np.r_[0.0, np.cumsum(np.r_[np.repeat(level[:1], w), level, np.repeat(level[-1:], w)])]
    idx = np.arange(n) + w
    before = (csum[idx] - csum[idx - w]) / w          # level[t-w .. t-1]
    after = (csum[idx + w] - csum[idx]) / w           # level[t .. t+w-1]
    rise = np.maximum(after - before, 0.0) * np.clip(1.0 - before / np.maximum(after, 1e-9), 0.0, 1.0)
    for c in cuts:
        rise[max(0, c - w) : c + w + 1] = 0.0
    peaks, props = find_peaks(rise, height=max(0.1, float(np.percentile(rise, 75))),
                              distance=max(1, int(round(0.25 / dt))))
    if len(peaks) == 0:
        return np.zeros(0), np.zeros(0)
    # The burst starts during the interval that ends at frame ``peak``.
    return (times[peaks - 1] + times[peaks]) / 2, props["peak_heights"] / props["peak_heights"].max()


__all__ = ["FLASH_LEVEL", "FLASH_SHARE", "OneWay", "bursts", "flashes", "leaps", "light_change", "rebounds"]
