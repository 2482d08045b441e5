"""Sound engines. Each implements ``foleyline.server.engines.base.Engine`` and is one entry of
the engine manifest (``manifest.py``: its name, sample rates, longest window, weights' licence,
model files and parity fixtures), which the registry (``registry.py``), ``foleyline models``
and ``foleyline models parity`` all read. Adding an engine: its package here plus one manifest
entry (or, from another distribution, a ``foleyline.engines`` entry point)."""
