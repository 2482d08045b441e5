"""T5 and MetaCLIP load through transformers from a local folder, never from the network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import tolerances

from foleyline.errors import InvalidInput, Unavailable
from foleyline.server.engines.thinksound import files
from foleyline.server.engines.thinksound.encoders import MetaClipEncoder, T5TextEncoder, pad_to_square


@pytest.fixture(scope="module")
def t5(tiny_models_root: Path) -> T5TextEncoder:
    return T5TextEncoder(files.package_dir(tiny_models_root) / files.T5_FOLDER)


@pytest.fixture(scope="module")
def metaclip(tiny_models_root: Path) -> MetaClipEncoder:
    return MetaClipEncoder(files.package_dir(tiny_models_root) / files.METACLIP_FOLDER)


def test_t5_encodes_cot_text_to_77_tokens_of_2048(t5: T5TextEncoder) -> None:
    features = t5.encode(["Foley: footsteps on a wood floor.", "rain"])
    assert features.shape == (2, 77, 2048) and features.dtype == torch.float32
    assert torch.isfinite(features).all()
    assert not torch.equal(features[0], features[1])


def test_t5_token_count_includes_the_end_token_and_is_never_truncated(t5: T5TextEncoder) -> None:
    assert t5.count_tokens("door") == 2  # "▁door" + "</s>"
    assert t5.count_tokens("door slam " * 60) == 121


def test_metaclip_encodes_captions_to_77_tokens_of_1024(metaclip: MetaClipEncoder) -> None:
    features = metaclip.encode_text(["door slam", "rain on glass"])
    assert features.shape == (2, 77, 1024)
    assert metaclip.text_width == 1024


def test_metaclip_encodes_letterboxed_frames(metaclip: MetaClipEncoder) -> None:
    frames = np.random.default_rng(0).integers(0, 255, (5, 126, 224, 3), dtype=np.uint8)
    features = metaclip.encode_frames(frames, batch_size=2)
    assert features.shape == (5, metaclip.image_width)
    single = metaclip.encode_frames(frames[:1])
    torch.testing.assert_close(single[0], features[0], rtol=tolerances.ACTIVATION, atol=tolerances.ACTIVATION)


def test_pad_to_square_centres_the_picture_on_black() -> None:
    frames = np.full((1, 2, 6, 3), 200, dtype=np.uint8)
    square = pad_to_square(frames)
    assert square.shape == (1, 6, 6, 3)
    assert (square[0, 2:4] == 200).all() and (square[0, :2] == 0).all() and (square[0, 4:] == 0).all()
    with pytest.raises(InvalidInput):
        pad_to_square(np.zeros((4, 4, 3), dtype=np.uint8))


@pytest.mark.parametrize("encoder", [T5TextEncoder, MetaClipEncoder])
def test_a_missing_folder_says_how_to_get_it(tmp_path: Path, encoder: type) -> None:
    with pytest.raises(Unavailable, match="foleyline models pull thinksound"):
        encoder(tmp_path / "absent")
