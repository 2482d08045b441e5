"""HunyuanVideo-Foley (Tencent): video + text to 48 kHz Foley with a flow-matching transformer
(triple-stream then single-stream blocks) over a continuous DAC latent, conditioned on SigLIP2,
Synchformer and CLAP features. Released sizes XXL (5.1 B) and XL (2.9 B), under the Tencent
Hunyuan Community Licence (see ``files.LICENCE``).

Reference: github.com/Tencent-Hunyuan/HunyuanVideo-Foley. Nothing here imports it; the fixtures
in ``../shared/fixtures/hunyuan_foley`` pin the behaviour.

The engine class is imported lazily so that reading the package's files or configuration never
imports transformers.
"""

__all__ = ["HunyuanFoleyEngine"]


def __getattr__(name: str) -> object:
    if name == "HunyuanFoleyEngine":
        from foleyline.server.engines.hunyuan_foley.engine import HunyuanFoleyEngine

        return HunyuanFoleyEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
