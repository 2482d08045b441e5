"""BigVGAN vocoders: mel -> waveform. 16 kHz: the v1-style generator shipped with MMAudio;
44.1 kHz: NVIDIA BigVGAN-v2 (128 bands, 512×). Both are built here with plain conv weights;
``fold_weight_norm`` turns checkpoint weight-norm pairs (legacy ``weight_g``/``weight_v`` or
``parametrizations.weight.original0/1``) into those weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from foleyline.errors import InvalidInput
from foleyline.server.engines.checkpoints import fit_report
from foleyline.server.engines.weight_norm import fold_weight_norm

__all__ = ["BIGVGAN_PRESETS", "BigVGANConfig", "BigVGANVocoder", "fold_weight_norm", "kaiser_sinc_filter1d", "load_bigvgan"]


@dataclass(frozen=True)
class BigVGANConfig:
    num_mels: int = 80
    upsample_rates: tuple[int, ...] = (4, 4, 2, 2, 2, 2)
    upsample_kernel_sizes: tuple[int, ...] = (8, 8, 4, 4, 4, 4)
    upsample_initial_channel: int = 1536
    resblock_kernel_sizes: tuple[int, ...] = (3, 7, 11)
    resblock_dilation_sizes: tuple[tuple[int, ...], ...] = field(default=((1, 3, 5), (1, 3, 5), (1, 3, 5)))
    snake_logscale: bool = True
    use_tanh_at_final: bool = True
    use_bias_at_final: bool = True
    resblock: str = "1"             # "1": AMPBlock1 (two convs per dilation); "2": AMPBlock2 (one)
    activation: str = "snakebeta"   # "snakebeta" (alpha and beta) or "snake" (alpha only)

    @property
    def hop_length(self) -> int:
        n = 1
        for r in self.upsample_rates:
            n *= r
        return n

    @classmethod
    def from_dict(cls, d: dict) -> BigVGANConfig:
        resblock, activation = str(d.get("resblock", "1")), str(d.get("activation", "snakebeta"))
        if resblock not in ("1", "2") or activation not in ("snake", "snakebeta"):
            raise InvalidInput(f"BigVGAN config has resblock {resblock!r} and activation {activation!r}; "
                               "BigVGAN's are resblock '1' or '2' with 'snake' or 'snakebeta'")
        return cls(
            resblock=resblock,
            activation=activation,
            num_mels=int(d["num_mels"]),
            upsample_rates=tuple(d["upsample_rates"]),
            upsample_kernel_sizes=tuple(d["upsample_kernel_sizes"]),
            upsample_initial_channel=int(d["upsample_initial_channel"]),
            resblock_kernel_sizes=tuple(d["resblock_kernel_sizes"]),
            resblock_dilation_sizes=tuple(tuple(x) for x in d["resblock_dilation_sizes"]),
            snake_logscale=bool(d.get("snake_logscale", True)),
            use_tanh_at_final=bool(d.get("use_tanh_at_final", True)),
            use_bias_at_final=bool(d.get("use_bias_at_final", True)),
        )


BIGVGAN_PRESETS = {
    "16k": BigVGANConfig(),
    "44k": BigVGANConfig(
        num_mels=128, upsample_rates=(8, 4, 2, 2, 2, 2), upsample_kernel_sizes=(16, 8, 4, 4, 4, 4),
        use_tanh_at_final=False, use_bias_at_final=False,
    ),
}


def kaiser_sinc_filter1d(cutoff: float, half_width: float, kernel_size: int) -> torch.Tensor:
    """The anti-aliasing low-pass (1, 1, kernel_size) used by BigVGAN's resampling. Checkpoints
    store it; fresh modules start with it so they are usable before loading."""
    even = kernel_size % 2 == 0
    half = kernel_size // 2
    delta_f = 4 * half_width
    attenuation = 2.285 * (half - 1) * math.pi * delta_f + 7.95
    if attenuation > 50.0:
        beta = 0.1102 * (attenuation - 8.7)
    elif attenuation >= 21.0:
        beta = 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21.0)
    else:
        beta = 0.0
    window = torch.kaiser_window(kernel_size, beta=beta, periodic=False)
    time = torch.arange(-half, half) + 0.5 if even else torch.arange(kernel_size) - half
    x = 2 * cutoff * time
    sinc = torch.where(x == 0, torch.ones_like(x), torch.sin(math.pi * x) / (math.pi * x))
    filt = 2 * cutoff * window * sinc
    return (filt / filt.sum()).view(1, 1, kernel_size)


class SnakeBeta(nn.Module):
    """x + sin²(αx)/(β + 1e-9), α and β stored in log scale."""

    def __init__(self, channels: int, *, logscale: bool = True) -> None:
        super().__init__()
        self.logscale = logscale
        self.alpha = nn.Parameter(torch.zeros(channels) if logscale else torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels) if logscale else torch.ones(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        alpha = self.alpha.unsqueeze(0).unsqueeze(-1)
        beta = self.beta.unsqueeze(0).unsqueeze(-1)
        if self.logscale:
            alpha, beta = torch.exp(alpha), torch.exp(beta)
        return x + (1.0 / (beta + 1e-9)) * torch.pow(torch.sin(x * alpha), 2)


class Snake(nn.Module):
    """x + sin²(αx)/(α + 1e-9): SnakeBeta with β tied to α (BigVGAN's ``activation: snake``)."""

    def __init__(self, channels: int, *, logscale: bool = True) -> None:
        super().__init__()
        self.logscale = logscale
        self.alpha = nn.Parameter(torch.zeros(channels) if logscale else torch.ones(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        alpha = self.alpha.unsqueeze(0).unsqueeze(-1)
        if self.logscale:
            alpha = torch.exp(alpha)
        return x + (1.0 / (alpha + 1e-9)) * torch.pow(torch.sin(x * alpha), 2)


def _snake(config: BigVGANConfig, channels: int) -> nn.Module:
    kind = Snake if config.activation == "snake" else SnakeBeta
    return kind(channels, logscale=config.snake_logscale)


class UpSample1d(nn.Module):
    """×2 upsampling with a stored 12-tap low-pass (replicate padding, transposed conv)."""

    filter: torch.Tensor

    def __init__(self, ratio: int = 2, kernel_size: int = 12) -> None:
        super().__init__()
        self.ratio = ratio
        self.pad = kernel_size // ratio - 1
        self.pad_left = self.pad * ratio + (kernel_size - ratio) // 2
        self.pad_right = self.pad * ratio + (kernel_size - ratio + 1) // 2
        self.register_buffer("filter", kaiser_sinc_filter1d(0.5 / ratio, 0.6 / ratio, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        x = F.pad(x, (self.pad, self.pad), mode="replicate")
        x = self.ratio * F.conv_transpose1d(x, self.filter.expand(c, -1, -1), stride=self.ratio, groups=c)
        return x[..., self.pad_left : -self.pad_right]


class LowPassFilter1d(nn.Module):
    filter: torch.Tensor

    def __init__(self, stride: int = 2, kernel_size: int = 12) -> None:
        super().__init__()
        even = kernel_size % 2 == 0
        self.pad_left = kernel_size // 2 - int(even)
        self.pad_right = kernel_size // 2
        self.stride = stride
        self.register_buffer("filter", kaiser_sinc_filter1d(0.5 / stride, 0.6 / stride, kernel_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        x = F.pad(x, (self.pad_left, self.pad_right), mode="replicate")
        return F.conv1d(x, self.filter.expand(c, -1, -1), stride=self.stride, groups=c)


class DownSample1d(nn.Module):
    def __init__(self, ratio: int = 2, kernel_size: int = 12) -> None:
        super().__init__()
        self.lowpass = LowPassFilter1d(stride=ratio, kernel_size=kernel_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lowpass(x)


class Activation1d(nn.Module):
    """Anti-aliased activation: upsample ×2, activation, low-pass + decimate ×2."""

    def __init__(self, act: nn.Module) -> None:
        super().__init__()
        self.act = act
        self.upsample = UpSample1d()
        self.downsample = DownSample1d()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(self.act(self.upsample(x)))


def _padding(kernel_size: int, dilation: int) -> int:
    return (kernel_size * dilation - dilation) // 2


class AMPBlock1(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dilations: Sequence[int], config: BigVGANConfig) -> None:
        super().__init__()
        self.convs1 = nn.ModuleList(
            [nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=_padding(kernel_size, d)) for d in dilations]
        )
        self.convs2 = nn.ModuleList(
            [nn.Conv1d(channels, channels, kernel_size, dilation=1, padding=_padding(kernel_size, 1)) for _ in dilations]
        )
        self.activations = nn.ModuleList([Activation1d(_snake(config, channels)) for _ in range(2 * len(dilations))])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        acts = list(self.activations)
        for c1, c2, a1, a2 in zip(self.convs1, self.convs2, acts[::2], acts[1::2], strict=True):
            x = c2(a2(c1(a1(x)))) + x
        return x


class AMPBlock2(nn.Module):
    """One dilated convolution per dilation (BigVGAN's ``resblock: "2"``)."""

    def __init__(self, channels: int, kernel_size: int, dilations: Sequence[int], config: BigVGANConfig) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=_padding(kernel_size, d)) for d in dilations]
        )
        self.activations = nn.ModuleList([Activation1d(_snake(config, channels)) for _ in dilations])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, act in zip(self.convs, self.activations, strict=True):
            x = conv(act(x)) + x
        return x


class BigVGANVocoder(nn.Module):
    def __init__(self, config: BigVGANConfig) -> None:
        super().__init__()
        self.config = config
        ch = config.upsample_initial_channel
        self.num_kernels = len(config.resblock_kernel_sizes)
        self.conv_pre = nn.Conv1d(config.num_mels, ch, 7, 1, padding=3)
        self.ups = nn.ModuleList()
        for i, (u, k) in enumerate(zip(config.upsample_rates, config.upsample_kernel_sizes, strict=True)):
            self.ups.append(
                nn.ModuleList([nn.ConvTranspose1d(ch // 2**i, ch // 2 ** (i + 1), k, u, padding=(k - u) // 2)])
            )
        self.resblocks = nn.ModuleList()
        block = AMPBlock2 if config.resblock == "2" else AMPBlock1
        for i in range(len(self.ups)):
            c = ch // 2 ** (i + 1)
            for k, d in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes, strict=True):
                self.resblocks.append(block(c, k, d, config))
        last = ch // 2 ** len(self.ups)
        self.activation_post = Activation1d(_snake(config, last))
        self.conv_post = nn.Conv1d(last, 1, 7, 1, padding=3, bias=config.use_bias_at_final)

    def forward(self, mel: torch.Tensor, *, capture: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """(B, mels, T) -> (B, 1, T · hop)."""
        x = self.conv_pre(mel)
        if capture is not None:
            capture["conv_pre"] = x
        for i, ups in enumerate(self.ups):
            for up in ups:
                x = up(x)
            if capture is not None:
                capture[f"ups.{i}"] = x
            xs = None
            for j in range(self.num_kernels):
                r = self.resblocks[i * self.num_kernels + j](x)
                if capture is not None:
                    capture[f"resblocks.{i * self.num_kernels + j}"] = r
                xs = r if xs is None else xs + r
            x = xs / self.num_kernels  # type: ignore[operator]
        x = self.conv_post(self.activation_post(x))
        return torch.tanh(x) if self.config.use_tanh_at_final else x.clamp(-1.0, 1.0)


def load_bigvgan(state_dict: dict[str, torch.Tensor], config: BigVGANConfig) -> BigVGANVocoder:
    """Build and strictly load a vocoder from a (possibly weight-normed, possibly wrapped) dict.

    The anti-aliasing filters are persistent buffers in BigVGAN, but they are fixed Kaiser
    windows, not learned: a file saved without them (or by a port that registers them
    non-persistent) gets the module's own."""
    if "generator" in state_dict and isinstance(state_dict["generator"], dict):
        state_dict = state_dict["generator"]
    model = BigVGANVocoder(config)
    sd = fold_weight_norm(state_dict)
    for key, buffer in model.state_dict().items():
        if key.endswith(".filter") and key not in sd:
            sd[key] = buffer
    problem = fit_report(model.state_dict(), sd)
    if problem:
        raise InvalidInput(
            f"the vocoder checkpoint does not fit this BigVGAN configuration ({config.num_mels} mels, "
            f"initial channels {config.upsample_initial_channel}, upsampling {list(config.upsample_rates)}): {problem}"
        )
    model.load_state_dict(sd, strict=True)
    return model
