"""The demo's picture: four short scenes with motion a Foley editor would spot, drawn with
numpy (no assets). Motion is simulated per frame, so the contacts are where the physics puts
them: a bouncing ball, a pushed crate sliding to a stop, a door swinging shut, blocks dropped
one after another.

Each scene is ``SCENE_FRAMES`` long; the demo's shots use its middle and leave ``HANDLE``
frames either side as handles.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from foleyline.timebase import DEFAULT_HANDLE_FRAMES

FPS = Fraction(24000, 1001)
WIDTH, HEIGHT = 320, 180
SCENE_FRAMES = 96
HANDLE = DEFAULT_HANDLE_FRAMES
FLOOR = 150  # y of the floor line
GRAVITY = 900.0  # pixels / s^2


@dataclass(frozen=True)
class Scene:
    name: str
    description: str


SCENES = (
    Scene("ball_bounce", "a ball drops and bounces on a wooden floor"),
    Scene("crate_slide", "a crate is pushed and slides across a concrete floor"),
    Scene("door_slam", "a door swings shut and slams"),
    Scene("blocks_fall", "three blocks fall one after another onto the floor"),
)


def _background(tone: tuple[int, int, int]) -> np.ndarray:
    image = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    ramp = np.linspace(0.75, 1.0, HEIGHT)[:, None, None]
    image[:] = (np.array(tone)[None, None, :] * ramp).astype(np.uint8)
    image[FLOOR:] = (90, 70, 55)
    image[FLOOR : FLOOR + 2] = (40, 30, 25)
    return image


def _disc(image: np.ndarray, cx: float, cy: float, r: float, color: tuple[int, int, int]) -> None:
    yy, xx = np.ogrid[:HEIGHT, :WIDTH]
    image[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = color


def _box(image: np.ndarray, x0: float, y0: float, x1: float, y1: float, color: tuple[int, int, int]) -> None:
    xa, xb = int(max(0, round(x0))), int(min(WIDTH, round(x1)))
    ya, yb = int(max(0, round(y0))), int(min(HEIGHT, round(y1)))
    if xb > xa and yb > ya:
        image[ya:yb, xa:xb] = color


def _fall(height: float, t: float, restitution: float = 0.55, bounces: int = 4) -> float:
    """Height above the floor at time t of something dropped from ``height`` at t = 0."""
    v = 0.0
    h = height
    while bounces >= 0:
        # time to reach the floor from height h with upward speed v
        t_hit = (v + np.sqrt(v * v + 2 * GRAVITY * h)) / GRAVITY
        if t < t_hit:
            return h + v * t - 0.5 * GRAVITY * t * t
        t -= t_hit
        v = restitution * (GRAVITY * t_hit - v)
        h = 0.0
        bounces -= 1
    return 0.0


def _ball(frame: int) -> np.ndarray:
    image = _background((150, 170, 200))
    t = max(0.0, (frame - 14) / float(FPS))
    r = 12
    height = _fall(115.0, t) if frame >= 14 else 115.0
    _disc(image, 150, FLOOR - r - height, r, (200, 50, 40))
    return image


def _crate(frame: int) -> np.ndarray:
    image = _background((170, 170, 160))
    t = frame / float(FPS)
    # pushed at 0.6 s with 260 px/s, friction stops it; pushed again at 2.3 s
    x = 20.0
    for start, speed in ((0.6, 260.0), (2.3, 200.0)):
        if t > start:
            decel = 220.0
            dt = min(t - start, speed / decel)
            x += speed * dt - 0.5 * decel * dt * dt
    _box(image, x, FLOOR - 40, x + 50, FLOOR, (140, 100, 50))
    _box(image, x + 4, FLOOR - 36, x + 46, FLOOR - 33, (110, 75, 35))
    return image


def _door(frame: int) -> np.ndarray:
    image = _background((190, 180, 150))
    t = frame / float(FPS)
    # open (80 deg) until 0.9 s, swings shut with angular acceleration, slams at contact,
    # rebounds a little and settles
    start, accel = 0.9, 9.0
    t_close = np.sqrt(2 * np.radians(80) / accel)
    if t < start:
        angle = np.radians(80)
    elif t < start + t_close:
        angle = np.radians(80) - 0.5 * accel * (t - start) ** 2
    else:
        since = t - start - t_close
        angle = np.radians(6) * abs(np.sin(since * 9)) * np.exp(-since * 4)
    frame_x, top, width = 110, 30, 90
    _box(image, frame_x - 6, top - 6, frame_x + width + 6, FLOOR, (80, 60, 40))  # door frame
    _box(image, frame_x, top, frame_x + width, FLOOR, (30, 30, 35))  # the dark doorway
    visible = width * np.cos(angle)
    _box(image, frame_x, top, frame_x + max(3.0, visible), FLOOR, (150, 110, 70))
    _disc(image, frame_x + max(3.0, visible) - 8, (top + FLOOR) / 2, 3, (220, 200, 90))
    return image


def _blocks(frame: int) -> np.ndarray:
    image = _background((160, 190, 170))
    for i, (drop_frame, x, color) in enumerate(((10, 60, (60, 90, 170)), (34, 145, (170, 140, 40)), (58, 230, (90, 150, 60)))):
        t = max(0.0, (frame - drop_frame) / float(FPS))
        size = 28 - 4 * i
        height = _fall(100.0, t, restitution=0.2, bounces=1) if frame >= drop_frame else 100.0
        y1 = FLOOR - height
        _box(image, x, y1 - size, x + size, y1, color)
    return image


_RENDER = {"ball_bounce": _ball, "crate_slide": _crate, "door_slam": _door, "blocks_fall": _blocks}


def render(scene_index: int, frame: int) -> np.ndarray:
    """RGB frame ``frame`` (0-based within the scene) of scene ``scene_index``."""
    return _RENDER[SCENES[scene_index].name](frame)
