"""Malformed timelines, made by damaging real exports anywhere: reading either works or raises
a Foleyline error saying what is wrong (one line at the command line), never anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foleyline.errors import FoleylineError
from foleyline.plugin.timeline import find_shots
from foleyline.plugin.timeline.formats import read_timelines

SAMPLES = ["TEST.edl", "premiere_example.xml", "50.fcpxml", "kdenlive_example_v240770.kdenlive"]


@st.composite
def _damage(draw, size: int) -> list[tuple[str, int, bytes]]:
    """Cuts, deletions and replacements (numbers too large, not numbers, stray markup) anywhere."""
    junk = st.sampled_from([b"", b"nan", b"1e308", b"-1", b"9223372036854775808", b"<", b"\x00", b"\xff\xfe", b'"'])
    kinds = st.sampled_from(["truncate", "delete", "replace"])
    return draw(st.lists(st.tuples(kinds, st.integers(0, size - 1), junk), min_size=1, max_size=3))


def _damaged(data: bytes, damage: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, at, junk in damage:
        at = min(at, max(0, len(out) - 1))
        if kind == "truncate":
            del out[at:]
        elif kind == "delete":
            del out[at:at + 8]
        else:
            out[at:at + max(1, len(junk))] = junk
    return bytes(out)


@pytest.mark.parametrize("sample", SAMPLES)
def test_a_damaged_export_is_read_or_refused_with_a_foleyline_error(otio_samples_dir: Path, tmp_path_factory, sample: str) -> None:
    data = (otio_samples_dir / sample).read_bytes()
    folder = tmp_path_factory.mktemp("damaged")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(_damage(len(data)))
    def check(damage) -> None:
        path = folder / sample
        path.write_bytes(_damaged(data, damage))
        try:
            for timeline in read_timelines(path, rate=24.0):
                find_shots(timeline)
        except FoleylineError as exc:
            assert str(exc)

    check()
