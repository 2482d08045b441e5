"""Benchmark: one guided flow step and a full sample of HunyuanVideo-Foley at a released size
(random weights), plus the DAC decode, on the CPU (fp32) and, when present, on a GPU (bf16).
Prints time, per-block time and peak memory.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/hunyuan_foley_step.py [--size xl|xxl|tiny]
        [--seconds 8] [--steps 50] [--sample-steps N] [--repeat 2] [--device cpu|cuda]
        [--one-block]

A guided step is ONE network call on a batch of 2 ([unconditional; conditional]). The full
sample runs ``--sample-steps`` steps (default ``--steps``) and, when fewer, also prints the time
``--steps`` would take (the steps are identical in cost). Before building, the weights' size is
compared with the memory available; when they would not fit (or with ``--one-block``) the
network is built with one triple and one single block and the step time is scaled from the
measured per-block times: other + triple·depth_triple + single·depth_single (said in the output).

Peak memory: on the CPU the process's peak resident set size (ru_maxrss: runtime, weights and
activations); on a GPU torch's peak allocated memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import defaultdict

import torch
from torch_devices import peak_mb, synchronize

from foleyline.server.engines.hunyuan_foley.configuration_hunyuan_foley import HunyuanFoleyConfig, SequenceLengths
from foleyline.server.engines.hunyuan_foley.dac_vae import DacVAE, DacVAEConfig
from foleyline.server.engines.hunyuan_foley.modeling_hunyuan_foley import HunyuanFoleyModel
from foleyline.server.engines.hunyuan_foley.sampling import guided_velocity, sample_latent

TEXT_TOKENS = 20  # a typical prompt's CLAP tokens


def _available_bytes(device: torch.device) -> int:
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 1 << 62


def _random_init(module: torch.nn.Module, device: torch.device, dtype: torch.dtype) -> torch.nn.Module:
    """Allocate on ``device`` and draw N(0, 1/fan_in) weights (norm scales 1, biases small):
    values that keep activations finite, which is all a timing needs."""
    module = module.to_empty(device=device).to(dtype)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() >= 2:
                p.normal_(0.0, (p[0].numel()) ** -0.5)
            elif name.endswith(("norm.weight", "alpha")):
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02)
    return module.eval().requires_grad_(False)


class BlockTimer:
    """Wall time per block kind, from forward pre/post hooks (synchronised on a GPU)."""

    def __init__(self, model: HunyuanFoleyModel, device: torch.device) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.device = device
        for kind, blocks in (("triple", model.triple_blocks), ("single", model.single_blocks)):
            for block in blocks:
                block.register_forward_pre_hook(self._start)
                block.register_forward_hook(lambda _m, _i, _o, kind=kind: self._stop(kind))

    def _start(self, *_args) -> None:
        synchronize(self.device)
        self._t0 = time.perf_counter()

    def _stop(self, kind: str) -> None:
        synchronize(self.device)
        self.totals[kind] += time.perf_counter() - self._t0


@torch.inference_mode()
def run(args: argparse.Namespace, device: torch.device) -> None:
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    config = HunyuanFoleyConfig.preset(args.size)
    with torch.device("meta"):
        full_params = sum(p.numel() for p in HunyuanFoleyModel(config).parameters())
    need = full_params * torch.finfo(dtype).bits // 8
    available = _available_bytes(device)
    scaled = args.one_block or need * 1.15 > available
    built = dataclasses.replace(config, depth_triple_blocks=1, depth_single_blocks=1) if scaled else config
    print(f"HunyuanVideo-Foley {args.size.upper()} on {device} ({dtype}): {full_params / 1e9:.3f} B parameters, "
          f"{need / 2**30:.1f} GiB of weights, {available / 2**30:.1f} GiB available; torch threads {torch.get_num_threads()}")
    if scaled:
        print("  built with ONE triple and ONE single block; the step is scaled from the per-block times")

    t0 = time.perf_counter()
    with torch.device("meta"):
        model = HunyuanFoleyModel(built)
    model = _random_init(model, device, dtype)
    print(f"  random weights in place:             {time.perf_counter() - t0:8.1f} s")
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)

    lengths = SequenceLengths.for_seconds(args.seconds)
    g = torch.Generator().manual_seed(0)

    def feat(n: int, width: int) -> torch.Tensor:
        return torch.randn(1, n, width, generator=g).to(device, dtype)

    cond = model.prepare_conditions(feat(lengths.clip, config.clip_dim), feat(lengths.sync, config.sync_feat_dim),
                                    feat(TEXT_TOKENS, config.condition_dim), lengths.latent)
    empty_clip, empty_sync = model.empty_features(1, lengths.clip, lengths.sync)
    uncond = model.prepare_conditions(empty_clip, empty_sync, feat(TEXT_TOKENS, config.condition_dim), lengths.latent)
    x = torch.randn(1, config.audio_vae_latent_dim, lengths.latent, generator=g).to(device)
    print(f"  {args.seconds:g} s: latent {lengths.latent} x {config.audio_vae_latent_dim}, "
          f"{lengths.clip} visual, {lengths.sync} sync, {TEXT_TOKENS} text tokens; batch 2 per step")

    timer = BlockTimer(model, device)
    guided_velocity(model, x, torch.tensor(1000.0), cond, uncond, 4.5)  # warm-up
    synchronize(device)
    timer.totals.clear()
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        guided_velocity(model, x, torch.tensor(500.0), cond, uncond, 4.5)
    synchronize(device)
    step = (time.perf_counter() - t0) / args.repeat
    triple = timer.totals["triple"] / args.repeat / built.depth_triple_blocks
    single = timer.totals["single"] / args.repeat / max(1, built.depth_single_blocks)
    other = step - triple * built.depth_triple_blocks - single * built.depth_single_blocks
    full_step = other + triple * config.depth_triple_blocks + single * config.depth_single_blocks
    print(f"  per block: triple {triple * 1000:.1f} ms, single {single * 1000:.1f} ms, "
          f"embeddings and final layer {other * 1000:.1f} ms")
    label = "one guided step (scaled)" if scaled else "one guided step"
    print(f"  {label + ':':<37}{full_step:8.2f} s  (mean of {args.repeat})")

    sample_steps = args.sample_steps or args.steps
    if not scaled and sample_steps > 0:
        t0 = time.perf_counter()
        sample_latent(model, x, cond, uncond, steps=sample_steps)
        synchronize(device)
        took = time.perf_counter() - t0
        print(f"  full {sample_steps}-step sample:{'':<17}{took:8.1f} s")
        if sample_steps != args.steps:
            print(f"  => {args.steps} steps would take about  {took / sample_steps * args.steps:8.1f} s")
    else:
        print(f"  => a {args.steps}-step sample would take about {full_step * args.steps:8.1f} s")

    del model
    vae = _random_init(DacVAE(DacVAEConfig(), with_encoder=False), device, torch.float32)
    latent = torch.randn(1, 128, lengths.latent, generator=g).to(device) * 0.5
    t0 = time.perf_counter()
    vae.decode(latent)
    synchronize(device)
    print(f"  DAC decode of {args.seconds:g} s (float32):{'':<9}{time.perf_counter() - t0:8.1f} s")
    print(f"  peak memory:{'':<26}{peak_mb(device):8.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("xl", "xxl", "tiny"), default="xl")
    parser.add_argument("--seconds", type=float, default=8.0, help="clip length (at most 15)")
    parser.add_argument("--steps", type=int, default=50, help="steps of a full sample (release default 50)")
    parser.add_argument("--sample-steps", type=int, default=None,
                        help="steps actually run for the full-sample figure (default: --steps; 0 skips it)")
    parser.add_argument("--repeat", type=int, default=2, help="guided steps averaged for the step time")
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None,
                        help="default: the CPU, then the GPU too when one is available")
    parser.add_argument("--one-block", action="store_true", help="build one block of each kind and scale")
    args = parser.parse_args(argv)
    devices = [args.device] if args.device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for name in devices:
        run(args, torch.device(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
