"""HunyuanVideo-Foley's 48 kHz audio VAE: a continuous Descript Audio Codec (DAC).

The encoder and decoder are transformers' ``DacEncoder``/``DacDecoder`` (the same Snake
activations, residual units, strided and transposed convolutions). HunyuanVideo's DAC is the
continuous variant, which transformers does not ship: instead of the vector quantiser it has
``quant_conv`` (posterior mean and log-variance) and ``post_quant_conv`` (decoder input), both
kernel-1 convolutions, added here. Its decoder rates include odd strides (5, 3), whose
transposed convolutions need ``output_padding = stride mod 2`` to keep the length exactly
N·hop; transformers' block omits it, so it is set on those layers.

Checkpoints are in the reference's layout (``vae_128d_48k.pth``: ``{"state_dict", "metadata":
{"kwargs"}}``, keys ``encoder.block.N...`` / ``decoder.model.N...``, legacy weight norm
``weight_g``/``weight_v``). ``convert_reference_state`` folds the weight norm (w = g·v/‖v‖, norm
over every axis but 0, which for the transposed convolutions is the input-channel axis) and
renames the keys. Decoding always runs in float32, as the reference does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report
from foleyline.server.engines.weight_norm import fold_weight_norm

__all__ = ["DacVAE", "DacVAEConfig", "convert_reference_state", "output_channels"]

LOGVAR_RANGE = (-30.0, 20.0)


@dataclass(frozen=True)
class DacVAEConfig:
    """The DAC constructor kwargs that shape the continuous model. Defaults are the released
    ``vae_128d_48k`` values (not in the reference repository: its loader reads them from the
    checkpoint's metadata, which is also where this engine takes them from when present)."""

    encoder_dim: int = 128
    encoder_rates: tuple[int, ...] = (2, 3, 4, 5, 8)
    latent_dim: int = 128
    decoder_dim: int = 2048
    decoder_rates: tuple[int, ...] = (8, 5, 4, 3, 2)
    sample_rate: int = 48000
    channels: int = 1   # the decoder's output channels (DAC's d_out; the release is mono)

    @property
    def hop_length(self) -> int:
        return math.prod(self.encoder_rates)

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, object], *, channels: int = 1) -> DacVAEConfig:
        """From DAC's constructor kwargs (keys it does not know are ignored, as ``DAC.load``
        does); ``continuous`` must be true: the discrete codec is not this model. ``channels``
        is not a kwarg of the reference (its decoder is always mono): ``output_channels`` reads
        it from the weights."""
        if not bool(kwargs.get("continuous", True)):
            raise InvalidInput("the VAE's metadata says continuous=False; HunyuanVideo-Foley's VAE is the continuous DAC")
        base = cls()
        try:
            return cls(
                encoder_dim=int(kwargs.get("encoder_dim", base.encoder_dim)),
                encoder_rates=tuple(int(r) for r in kwargs.get("encoder_rates", base.encoder_rates)),  # type: ignore[union-attr]
                latent_dim=int(kwargs.get("latent_dim", base.latent_dim)),
                decoder_dim=int(kwargs.get("decoder_dim", base.decoder_dim)),
                decoder_rates=tuple(int(r) for r in kwargs.get("decoder_rates", base.decoder_rates)),  # type: ignore[union-attr]
                sample_rate=int(kwargs.get("sample_rate", base.sample_rate)),
                channels=int(channels),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"malformed DAC kwargs {dict(kwargs)}: {exc}") from None


class DacVAE(nn.Module):
    """Latents (B, latent_dim, N) <-> 48 kHz audio (B, channels, N·hop); the release is mono."""

    def __init__(self, config: DacVAEConfig = DacVAEConfig(), *, with_encoder: bool = True) -> None:
        super().__init__()
        from transformers import DacConfig  # deferred: transformers is heavy
        from transformers.models.dac.modeling_dac import DacDecoder, DacEncoder

        self.config = config
        dac = DacConfig(encoder_hidden_size=config.encoder_dim, downsampling_ratios=list(config.encoder_rates),
                        decoder_hidden_size=config.decoder_dim, sampling_rate=config.sample_rate)
        # transformers derives these from the encoder; the continuous DAC sets them itself
        dac.hidden_size = config.latent_dim
        dac.upsampling_ratios = list(config.decoder_rates)
        if with_encoder:
            self.encoder = DacEncoder(dac)
            self.quant_conv = nn.Conv1d(config.latent_dim, 2 * config.latent_dim, 1)
        self.post_quant_conv = nn.Conv1d(config.latent_dim, config.latent_dim, 1)
        self.decoder = DacDecoder(dac)
        for block, stride in zip(self.decoder.block, config.decoder_rates, strict=True):
            block.conv_t1.output_padding = (stride % 2,)
        if config.channels != 1:
            last = self.decoder.conv2
            self.decoder.conv2 = nn.Conv1d(last.in_channels, config.channels, last.kernel_size, padding=last.padding)

    @property
    def has_encoder(self) -> bool:
        return hasattr(self, "encoder")

    @torch.no_grad()
    def decode(self, latent: torch.Tensor) -> torch.Tensor:
        """(B, latent_dim, N) -> (B, channels, N·hop) in -1..1, float32."""
        if latent.dim() != 3 or latent.shape[1] != self.config.latent_dim:
            raise InvalidInput(f"expected a latent (B, {self.config.latent_dim}, N), got {tuple(latent.shape)}")
        return self.decoder(self.post_quant_conv(latent.float()))

    @torch.no_grad()
    def encode_moments(self, audio: torch.Tensor) -> torch.Tensor:
        """(B, 1, T) audio (T a multiple of the hop) -> (B, 2·latent_dim, T/hop) unclamped moments."""
        if not self.has_encoder:
            raise InvalidInput("this VAE was loaded without its encoder")
        if audio.dim() != 3 or audio.shape[1] != 1 or audio.shape[-1] % self.config.hop_length:
            raise InvalidInput(f"expected mono audio (B, 1, k·{self.config.hop_length}), got {tuple(audio.shape)}")
        return self.quant_conv(self.encoder(audio.float()))

    @staticmethod
    def posterior(moments: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, log-variance clamped to the reference's [-30, 20])."""
        mean, logvar = moments.chunk(2, dim=1)
        return mean, logvar.clamp(*LOGVAR_RANGE)

    def load_reference_state(self, state: Mapping[str, torch.Tensor]) -> None:
        """Load a reference-layout state dict strictly (the reference's loader is not strict,
        so a differently spelled file would silently keep random weights; this one refuses)."""
        converted = convert_reference_state(state, len(self.config.encoder_rates), len(self.config.decoder_rates))
        if not self.has_encoder:
            converted = {k: v for k, v in converted.items() if not k.startswith(("encoder.", "quant_conv."))}
        problem = fit_report(self.state_dict(), converted)
        if problem:
            c = self.config
            raise InvalidInput(
                f"the VAE weights do not fit the DAC built from their kwargs (encoder {c.encoder_dim}, decoder "
                f"{c.decoder_dim}, latent {c.latent_dim}, rates {list(c.decoder_rates)}), in the module's names: {problem}"
            )
        self.load_state_dict(converted, strict=True)


_RESIDUAL = {"0": "snake1", "1": "conv1", "2": "snake2", "3": "conv2"}
_ENCODER_BLOCK = {"0": "res_unit1", "1": "res_unit2", "2": "res_unit3", "3": "snake1", "4": "conv1"}
_DECODER_BLOCK = {"0": "snake1", "1": "conv_t1", "2": "res_unit1", "3": "res_unit2", "4": "res_unit3"}
_KEY = re.compile(r"^(?:(encoder)\.block|(decoder)\.model)\.(\d+)\.(.+)$")


def _convert_key(key: str, n_encoder: int, n_decoder: int) -> str:
    match = _KEY.match(key)
    if not match:
        if key.startswith(("quant_conv.", "post_quant_conv.")):
            return key
        raise InvalidInput(f"unexpected VAE key {key!r}")
    side = match.group(1) or match.group(2)
    index, rest = int(match.group(3)), match.group(4)
    blocks = n_encoder if side == "encoder" else n_decoder
    if index == 0:
        return f"{side}.conv1.{rest}"
    if index == blocks + 1:
        return f"{side}.snake1.{rest}"
    if index == blocks + 2:
        return f"{side}.conv2.{rest}"
    if not 1 <= index <= blocks or not rest.startswith("block."):
        raise InvalidInput(f"unexpected VAE key {key!r}")
    parts = rest.split(".")
    member = (_ENCODER_BLOCK if side == "encoder" else _DECODER_BLOCK).get(parts[1])
    if member is None:
        raise InvalidInput(f"unexpected VAE key {key!r}")
    tail = parts[2:]
    if member.startswith("res_unit"):
        if len(tail) != 3 or tail[0] != "block" or tail[1] not in _RESIDUAL:
            raise InvalidInput(f"unexpected VAE key {key!r}")
        member, tail = f"{member}.{_RESIDUAL[tail[1]]}", tail[2:]
    return f"{side}.block.{index - 1}.{member}.{'.'.join(tail)}"


def output_channels(state: Mapping[str, torch.Tensor], n_decoder: int = 5) -> int:
    """The decoder's output channels, read from its last convolution in a reference state dict."""
    for suffix in ("weight_v", "weight", "parametrizations.weight.original1"):
        tensor = state.get(f"decoder.model.{n_decoder + 2}.{suffix}")
        if isinstance(tensor, torch.Tensor):
            return int(tensor.shape[0])
    raise InvalidInput(f"the VAE weights have no decoder output convolution (decoder.model.{n_decoder + 2})")


def convert_reference_state(
    state: Mapping[str, torch.Tensor], n_encoder: int = 5, n_decoder: int = 5,
) -> dict[str, torch.Tensor]:
    """The reference DAC's state dict (weight-normed) in this module's names, weights folded."""
    folded = fold_weight_norm({k: v for k, v in state.items() if isinstance(v, torch.Tensor)})
    return {_convert_key(k, n_encoder, n_decoder): v for k, v in folded.items()}
