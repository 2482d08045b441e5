"""ThinkSound: chain-of-thought notes condition a flow-matching audio network (MMAudio family)
that decodes through Stable Audio's Oobleck VAE at 44.1 kHz stereo.

Reference: github.com/FunAudioLLM/ThinkSound (moved from liuhuadai/ThinkSound). Nothing here
imports the reference; the fixtures in ``../shared/fixtures/thinksound`` pin the behaviour.

The engine class is imported lazily (``foleyline.server.engines.thinksound.engine``) so that
reading the package's files or configuration never imports diffusers or transformers.
"""

__all__ = ["ThinkSoundEngine"]


def __getattr__(name: str) -> object:
    if name == "ThinkSoundEngine":
        from foleyline.server.engines.thinksound.engine import ThinkSoundEngine

        return ThinkSoundEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
