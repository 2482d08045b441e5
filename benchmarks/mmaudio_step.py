"""Benchmark: one guided flow step and a full 25-step sample of MMAudio small_16k at its real
size (random weights), on the CPU and, when present, on a GPU (bf16). Prints time and peak memory.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/mmaudio_step.py [--variant small_16k] [--steps 25]
        [--batch 1] [--rounds 5] [--device cpu|cuda] [--skip-full]

A guided step is timed two ways in paired rounds on the same network and inputs: as the
reference runs it (``predict_flow`` on the conditional, then on the unconditional conditions,
combined; hkchengrex/MMAudio's ``ode_wrapper``), and as ``MMAudioModel.ode_wrapper`` runs it
(one pass over the doubled batch, the step-independent conditioning computed once). Medians
[min-max] of CPU time (steady on a shared machine; wall time on a GPU), their ratio (target
<= 0.9) and the largest difference between the two velocities. Prints the machine's load.

Peak memory: on the CPU the process's peak resident set size (ru_maxrss, includes the Python
runtime and the weights); on a GPU torch's peak allocated memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace

import torch
from torch_devices import peak_mb, synchronize

from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioModel
from foleyline.server.engines.mmdit import cfg_combine, compute_dtype, euler_sample, euler_times


@torch.inference_mode()
def run(variant: str, device: torch.device, steps: int, batch: int, full: bool, rounds: int) -> None:
    dtype = compute_dtype(device)
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

    # The reference's conditions: the sync features dense, nothing kept between steps.
    dense_cond, dense_empty = replace(cond, sync_rows=None), replace(empty, sync_rows=None)

    def two_passes(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        tt = t.to(device) * torch.ones(len(x), device=device, dtype=x.dtype)
        return cfg_combine(model.predict_flow(x, tt, dense_cond), model.predict_flow(x, tt, dense_empty), 4.5)

    def clock() -> float:
        synchronize(device)
        return time.perf_counter() if device.type == "cuda" else time.process_time()

    t = torch.tensor(0.5)
    fn(t, x0), two_passes(t, x0)  # warm-up
    reference, ours = [], []
    for _ in range(rounds):
        for form, times in ((two_passes, reference), (fn, ours)):
            started = clock()
            form(t, x0)
            times.append(clock() - started)
    difference = float((fn(t, x0) - two_passes(t, x0)).abs().max())
    what = "wall" if device.type == "cuda" else "CPU"

    def spread(values: list[float]) -> str:
        return f"{1000 * statistics.median(values):8.1f} ms [{1000 * min(values):.1f}-{1000 * max(values):.1f}]"

    print(f"  conditions (once per sample):       {t_cond * 1000:8.1f} ms")
    print(f"  guided step, two passes (reference): {spread(reference)} {what}, {rounds} paired rounds")
    print(f"  guided step, one doubled batch:      {spread(ours)} {what}")
    print(f"  ratio {statistics.median(ours) / statistics.median(reference):.3f} (target <= 0.9); largest velocity "
          f"difference {difference:.2e}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
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
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds of the step timing")
    parser.add_argument("--skip-full", action="store_true", help="only time one step")
    args = parser.parse_args(argv)
    devices = [args.device] if args.device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for name in devices:
        run(args.variant, torch.device(name), args.steps, args.batch, not args.skip_full, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
