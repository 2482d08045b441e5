"""Malformed media, made by damaging a real clip anywhere: probing and decoding either work or
raise MediaError / InvalidInput saying what is wrong, never anything else, and never hang."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foleyline.errors import InvalidInput, MediaError
from foleyline.probe import probe
from foleyline.server.media.decode import decode_shot
from foleyline.server.media.frames import ANALYSIS_STREAM


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory) -> bytes:
    from small_clips import write_small_clip

    return write_small_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", rate=25, frames=25).read_bytes()


@st.composite
def _damage(draw, size: int) -> list[tuple[str, int, int]]:
    """A few cuts and overwrites at places anywhere in a file of ``size`` bytes."""
    kinds = st.sampled_from(["truncate", "zero", "flip", "garbage"])
    return draw(st.lists(st.tuples(kinds, st.integers(0, size - 1), st.integers(1, 4096)), min_size=1, max_size=4))


def _damaged(data: bytes, damage: list[tuple[str, int, int]], seed: int) -> bytes:
    out = bytearray(data)
    for kind, at, length in damage:
        at = min(at, max(0, len(out) - 1))
        if kind == "truncate":
            del out[at:]
        elif kind == "zero":
            out[at:at + length] = bytes(len(out[at:at + length]))
        elif kind == "flip":
            out[at:at + length] = bytes(b ^ 0xFF for b in out[at:at + length])
        else:
            out[at:at + length] = bytes((seed * 31 + i * 7) % 256 for i in range(len(out[at:at + length])))
    return bytes(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_media_is_read_or_refused_with_a_media_error(clip_bytes: bytes, tmp_path: Path, data) -> None:
    damage = data.draw(_damage(len(clip_bytes)))
    path = tmp_path / "damaged.mp4"
    path.write_bytes(_damaged(clip_bytes, damage, data.draw(st.integers(0, 255))))
    try:
        info = probe(path)
        decode_shot(path, 0.0, min(0.9, info.duration), [ANALYSIS_STREAM])
    except (MediaError, InvalidInput) as exc:
        assert str(exc) and "Traceback" not in str(exc)
