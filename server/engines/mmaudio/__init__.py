"""The MMAudio engine family: a checkpoint-compatible implementation of MMAudio
(hkchengrex/MMAudio) with its mel VAE, BigVGAN vocoders, CLIP and Synchformer encoders.

Heavy imports (torch) happen only when this package is imported, i.e. when the registry asks
for the engine."""

from foleyline.server.engines.mmaudio.engine import MMAudioArchitecture, MMAudioEngine

__all__ = ["MMAudioArchitecture", "MMAudioEngine"]
