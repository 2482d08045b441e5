"""Benchmark: one guided flow step and a full 25-step sample of MMAudio small_16k at its real
size (random weights), on the CPU and, when present, on a GPU (bf16). Prints time and peak memory.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/mmaudio_step.py [--variant small_16k] [--steps 25]
        [--batch 1] [--device cpu|cuda] [--skip-full]

Peak memory: on the CPU the process's peak resident set size (ru_maxrss, includes the Python
runtime and the weights); on a GPU torch's peak allocated memory.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
from torch_devices import peak_mb, synchronize

from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmdit import euler_sample, euler_times


@torch.inference_mode()
def run(variant: str, device: torch.device, steps: int, batch: int, full: bool) -> None:
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    cfg = MMAudioConfig.preset(variant)
    torch.manual_seed(0)
    model = MMAudioModel(cfg)
    with torch.no_grad():
        model.latent_mean.zero_()
        model.latent_std.fill_(1.0)
    model = model.eval().to(device, dtype)
    model._set_rotations()
    params = sum(p.numel() for p in model.parameters())
    seq = cfg.sequence
    clip = torch.randn(batch, seq.clip_seq_len, cfg.clip_dim, device=device, dtype=dtype)
    sync = torch.randn(batch, seq.sync_seq_len, cfg.sync_dim, device=device, dtype=dtype)
    text = torch.randn(batch, cfg.text_seq_len, cfg.text_dim, device=device, dtype=dtype)
    neg = torch.randn(batch, cfg.text_seq_len, cfg.text_dim, device=device, dtype=dtype)
    x0 = torch.randn(batch, seq.latent_seq_len, cfg.latent_dim, device=device, dtype=dtype)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    print(f"{variant} on {device} ({dtype}), {params / 1e6:.1f} M parameters, batch {batch}, "
          f"latent {seq.latent_seq_len}x{cfg.latent_dim}, torch threads {torch.get_num_threads()}")

    t0 = time.perf_counter()
    cond = model.preprocess_conditions(clip, sync, text)
    empty = model.get_empty_conditions(batch, negative_text_features=neg)
    synchronize(device)
    t_cond = time.perf_counter() - t0

    def fn(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return model.ode_wrapper(t.to(device), x, cond, empty, 4.5)

    fn(torch.tensor(0.0), x0)  # warm-up
    synchronize(device)
    t0 = time.perf_counter()
    repeats = 3
    for _ in range(repeats):
        fn(torch.tensor(0.5), x0)
    synchronize(device)
    t_step = (time.perf_counter() - t0) / repeats
    print(f"  conditions (once per sample):      {t_cond * 1000:8.1f} ms")
    print(f"  one flow step (CFG: 2 evaluations): {t_step * 1000:8.1f} ms  (mean of {repeats})")
    if full:
        t0 = time.perf_counter()
        euler_sample(fn, x0, euler_times(steps))
        synchronize(device)
        print(f"  full {steps}-step sample:            {time.perf_counter() - t0:8.2f} s")
    print(f"  peak memory:                       {peak_mb(device):8.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="small_16k")
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None,
                        help="default: the CPU, then the GPU too when one is available")
    parser.add_argument("--skip-full", action="store_true", help="only time one step")
    args = parser.parse_args(argv)
    devices = [args.device] if args.device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for name in devices:
        run(args.variant, torch.device(name), args.steps, args.batch, not args.skip_full)
    return 0


if __name__ == "__main__":
    sys.exit(main())
