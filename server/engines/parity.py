"""Parity checks of our engine implementations against reference fixtures.

A fixture is three files: a JSON config describing the reference constructor arguments, a
safetensors weights file and a safetensors "io" file with inputs (``in.*``), constants
(``const.*``) and reference outputs (``out.*``). ``run_parity`` picks the engine from the config
and returns, per output, the worst relative error ``max|ours − ref| / max|ref|`` against its
tolerance (``parity_check``). ``foleyline models parity`` prints it and exits non-zero on any
failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from foleyline.errors import InvalidInput, NotFound
from foleyline.server.engines.mmaudio import parity as mmaudio_parity
from foleyline.server.engines.parity_check import ParityResult, load_fixture_config
from foleyline.server.engines.thinksound import parity as thinksound_parity

__all__ = ["run_parity"]


def run_parity(config: Path, weights: Sequence[Path], io: Path) -> ParityResult:
    """Dispatch on the fixture config: ThinkSound configs carry ``mmmodule_constructor_args``;
    MMAudio network configs ``constructor_args``; VAE+vocoder chain configs ``vae``/``vocoder``."""
    data = load_fixture_config(config)
    if not io.is_file():
        raise NotFound(f"fixture io file {io} does not exist")
    for w in weights:
        if not w.is_file():
            raise NotFound(f"weights file {w} does not exist")
    if "mmmodule_constructor_args" in data:
        return thinksound_parity.run_parity(config, weights[0] if weights else None, io)
    if "constructor_args" in data:
        return mmaudio_parity.run_network_parity(config, data, weights, io)
    if "vae" in data and "vocoder" in data:
        return mmaudio_parity.run_chain_parity(config, data, weights, io)
    raise InvalidInput(
        f"{config} is not a fixture config this version knows: expected 'mmmodule_constructor_args' "
        "(ThinkSound), 'constructor_args' (MMAudio network) or 'vae' + 'vocoder' (MMAudio decoder chain)"
    )
