"""Synchformer's visual encoder: per 16-frame segment, 8 tokens of audio-visual sync features."""

from foleyline.server.engines.synchformer.modeling_synchformer import (
    SynchformerConfig,
    SynchformerEncoder,
    load_synchformer,
    segment_frames,
)

__all__ = ["SynchformerConfig", "SynchformerEncoder", "load_synchformer", "segment_frames"]
