"""The MMAudio engine family: a checkpoint-compatible implementation of MMAudio
(hkchengrex/MMAudio) with its mel VAE, BigVGAN vocoders, CLIP and Synchformer encoders.

The engine classes are imported lazily (``foleyline.server.engines.mmaudio.engine``): reading
the package's model files (``files.py``) or its configuration never imports torch."""

__all__ = ["MMAudioArchitecture", "MMAudioEngine"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from foleyline.server.engines.mmaudio import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
