"""Any shot length: whole-second network runs, trimmed to the sample, fed the right frames."""

from __future__ import annotations

import numpy as np
import pytest

from foleyline.errors import InvalidInput
from foleyline.server.engines.thinksound.configuration_thinksound import HOP_LENGTH, ThinkSoundConfig
from foleyline.server.engines.thinksound.durations import (
    clip_frame_times,
    frame_indices,
    model_seconds,
    sync_frame_times,
)


@pytest.mark.parametrize("samples", [1, 44100, 44101, 88200, 100000, 396900, 441000, 23 * 1001 * 44100 // 24000])
def test_model_length_covers_the_window(samples: int) -> None:
    seconds = model_seconds(samples)
    assert ThinkSoundConfig.sequence_lengths(seconds).latent * HOP_LENGTH >= samples
    assert seconds == 1 or ThinkSoundConfig.sequence_lengths(seconds - 1).latent * HOP_LENGTH < samples


def test_two_seconds_needs_three_because_the_latent_rounds_down() -> None:
    # round(21.53 · 2) = 43 frames decode 88,064 samples < 88,200
    assert model_seconds(88200) == 3


def test_feature_frames_follow_the_reference_rates() -> None:
    lengths = ThinkSoundConfig.sequence_lengths(9)
    clip = clip_frame_times(1.0, lengths)
    assert len(clip) == 72 and clip[0] == 1.0 and clip[1] - clip[0] == pytest.approx(1 / 8)
    sync = sync_frame_times(0.0, lengths)
    # 27 segments of 16 frames every 8 frames
    assert len(sync) == 8 * 26 + 16 and sync[1] == pytest.approx(1 / 25)


def test_frames_are_the_ones_on_screen_and_the_last_is_held() -> None:
    stream_times = np.arange(10) / 24.0
    wanted = np.array([0.0, 1 / 24.0, 0.06, 5.0])
    assert frame_indices(stream_times, wanted).tolist() == [0, 1, 1, 9]


def test_an_empty_window_is_refused() -> None:
    with pytest.raises(InvalidInput):
        model_seconds(0)


def test_the_longest_window_runs_as_the_reference_longest_length() -> None:
    from foleyline.server.engines.thinksound.durations import MAX_WINDOW_SECONDS
    from foleyline.timebase import seconds_to_samples

    assert model_seconds(seconds_to_samples(MAX_WINDOW_SECONDS, 44100)) == 10
