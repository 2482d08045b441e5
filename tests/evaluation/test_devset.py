"""The development set's split, and the sync target measured on its validation half.

The split (server/evaluation/devset.toml, docs/evaluation.md) was made once, by clip, before
any score; thresholds of the analysis are set on the tuning half. The target is the issue's:
through the default path (notes drafted from the picture, the default engine), onset accuracy
and AP of at least 0.7 at +-0.1 s against the clip's own sound.
"""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pytest

from foleyline.errors import InvalidInput, NotFound
from foleyline.server.engines.procedural import ProceduralEngine
from foleyline.server.evaluation import devset
from foleyline.server.evaluation.report import category_rows, clip_rows
from foleyline.server.evaluation.runner import evaluate_takes

TARGET = 0.7         # accuracy and AP at +-0.1 s
TOLERANCE = 0.1
VIDEO_SUFFIXES = {".mp4", ".mkv", ".avi", ".mov"}


def test_every_clip_is_in_exactly_one_half(media_dir):
    listed = [c.file for c in devset.load()]
    on_disk = sorted(p.name for p in media_dir.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed)


def test_the_halves_are_balanced_per_category():
    halves = Counter((c.category, c.split) for c in devset.load())
    for category in devset.CATEGORIES:
        tune, validation = halves[(category, "tune")], halves[(category, "validation")]
        assert tune >= 1 and validation >= 1, category
        assert abs(tune - validation) <= 1, (category, tune, validation)


def test_a_split_selects_its_clips_and_a_wrong_folder_says_what_to_do(media_dir, tmp_path):
    validation = devset.select("validation", media_dir)
    assert validation and all(c.split == "validation" and path.is_file() for path, c in validation)
    assert len(devset.select("all", media_dir)) == len(devset.load())
    with pytest.raises(NotFound, match="--media"):
        devset.select("tune", tmp_path)
    with pytest.raises(InvalidInput, match="tune, validation or all"):
        devset.select("dev", media_dir)


def test_a_malformed_split_file_names_the_clip(tmp_path):
    bad = tmp_path / "split.toml"
    bad.write_text('[[clip]]\nfile = "a.mp4"\ncategory = "explosions"\nsplit = "tune"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="a.mp4"):
        devset.load(bad)


@pytest.fixture(scope="module")
def engine():
    return ProceduralEngine()


# The CI check: the validation half's contact clips of at most 6 s whose strike is on screen
# (a drumstick on a bag, a Greatest-Hits drumstick, a pistol's shots). The button press, the
# fourth short one, is left out of the fast check: its one click is at -49 dBFS (README); the
# whole half, per category, is the slow test below and `foleyline eval --split validation`.
CI_CLIPS = ["condfoleygen_hitting_bag.mp4", "condfoleygen_gh_orig_20150221.mp4", "foleycrafter_avsync_1.mp4"]


def test_the_default_take_meets_the_sync_target_on_validation_contacts(media_dir, engine):
    results = [r for clip in CI_CLIPS for r in evaluate_takes(media_dir / clip, engine, seeds=(0,))]
    assert all(r.category == "contacts" and r.skipped is None for r in results)
    (contacts,) = [g for g in category_rows(clip_rows(results)) if g.category == "contacts"]
    assert contacts.accuracy >= TARGET and contacts.ap >= TARGET, [(r.path.name, r.score(TOLERANCE)) for r in results]
    for r in results:  # each clip's take follows its picture, not chance
        score = r.score(TOLERANCE)
        assert score.accuracy > score.chance, (r.path.name, score)


# Per category over the whole validation half (minutes: FOLEYLINE_SLOW=1). Where the target is
# not met the test says so with the measured numbers (seeds 0-2, docs/evaluation.md), strictly:
# it fails the day the target is met, so the mark comes off.
NOT_MET = {
    "steps": "acc 0.13: a small dog's steps are silent; its sound is the street",
    "voices": "acc 0.25: barks and cries are not motion that stops; without labels no calls are drafted",
    "machines": "acc 0.12 at 7.6x the original's onsets: surf and a chainsaw show are taken for contacts",
    "ambiences": "acc 0.13: a crowd's roar and distant fireworks are not tied to the picture",
}


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("FOLEYLINE_SLOW"), reason="the whole validation half takes minutes; FOLEYLINE_SLOW=1")
@pytest.mark.parametrize("category", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=NOT_MET[c])) if c in NOT_MET else c
    for c in devset.CATEGORIES
])
def test_the_sync_target_per_category_on_the_validation_half(media_dir, engine, category):
    clips = [path for path, c in devset.select("validation", media_dir) if c.category == category]
    results = [r for path in clips for r in evaluate_takes(path, engine, seeds=(0, 1, 2))]
    (group,) = [g for g in category_rows(clip_rows(results)) if g.category == category]
    assert group.accuracy >= TARGET and group.ap >= TARGET
    assert group.ratio is not None and group.ratio <= 1.5
    assert np.isfinite(group.chance)
