"""Benchmark: one guided flow step and a full 25-step sample of MMAudio small_16k at its real
size (random weights), on the CPU and, when present, on a GPU (bf16). Prints time and peak memory.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/mmaudio_step.py [--variant small_16k] [--steps 25]
        [--batch 1] [--rounds 5] [--device cpu|cuda] [--skip-full] [--memory] [--upstream DIR]

A guided step is timed two ways in paired rounds on the same network and inputs: as the
reference runs it (``predict_flow`` on the conditional, then on the unconditional conditions,
each with the dense per-token conditioning, combined; hkchengrex/MMAudio's ``ode_wrapper``), and
as ``MMAudioModel.ode_wrapper`` runs it (one pass over the doubled batch, the latent projected
once, the per-token adaLN on distinct rows only, each convolution on the faster of its two CPU
kernels). The conditional pass alone is timed the same way. The reference form always runs
torch's convolution, as the reference's ``nn.Conv1d`` does. Medians [min-max] of CPU time (steady on a
shared machine; wall time on a GPU), their ratio (target <= 0.9 for the guided step) and the
largest difference between the two velocities. Prints the machine's load.

The reference form runs on our network, whose pre-only joint block skips the clip/text queries
the reference computes and discards: the reference form timed here is, if anything, faster than
hkchengrex/MMAudio's, so the ratio errs against us. The learned empty features and the sync
position embedding are drawn at random like the weights (a checkpoint's are not zero: with
zeros the empty branch would have fewer distinct rows than it really has).

``--upstream DIR`` (a checkout of hkchengrex/MMAudio; it needs einops) replaces the reference
form with the checkout's own network: built by its ``get_my_mmaudio(variant)``, given our
weights by name with strict=True (a name or shape that differs is listed and the run stops),
its conditions from its own ``preprocess_conditions``/``get_empty_conditions``, its guided
step its ``ode_wrapper``. The two velocities must agree within the tests' ACTIVATION
tolerance before anything is timed.

Peak memory: on the CPU the process's peak resident set size (ru_maxrss, includes the Python
runtime and the weights); on a GPU torch's peak allocated memory. ``--memory`` also runs two
guided steps of each form in a fresh process of its own and compares their peaks. With
``--upstream`` both processes build both networks (upstream's on the meta device, then given
our very tensors) and both forms' conditions; on the CPU the peak is then restarted
(/proc/self/clear_refs) once only the timed form is left, and read as VmHWM after the steps.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import torch
from torch_devices import peak_mb, synchronize
from upstream import WeightMismatch, import_from_checkout, parity_tolerance, share_into, timestep_table

from foleyline.server.engines.mmaudio.configuration_mmaudio import MMAudioConfig
from foleyline.server.engines.mmaudio.modeling_mmaudio import MMAudioConditions, MMAudioModel
from foleyline.server.engines.mmdit import cfg_combine, compute_dtype, conv_kernel, euler_sample, euler_times

Form = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@torch.inference_mode()
def setup(variant: str, device: torch.device, batch: int,
          upstream: str | None = None) -> tuple[MMAudioModel, dict[str, Form], torch.Tensor, float]:
    """The network, the step forms by name, the starting noise and the conditions' time. With
    ``upstream`` (a checkout of hkchengrex/MMAudio) the baseline forms are the checkout's own
    network, holding our weights; without it, the reference form run on our network."""
    dtype = compute_dtype(device)
    cfg = MMAudioConfig.preset(variant)
    torch.manual_seed(0)
    model = MMAudioModel(cfg)
    with torch.no_grad():
        model.latent_mean.zero_()
        model.latent_std.fill_(1.0)
        for learned in (model.empty_string_feat, model.empty_clip_feat, model.empty_sync_feat, model.sync_pos_emb):
            learned.normal_()
    model = model.eval().to(device, dtype)
    seq = cfg.sequence
    clip = torch.randn(batch, seq.clip_seq_len, cfg.clip_dim, device=device, dtype=dtype)
    sync = torch.randn(batch, seq.sync_seq_len, cfg.sync_dim, device=device, dtype=dtype)
    text = torch.randn(batch, cfg.text_seq_len, cfg.text_dim, device=device, dtype=dtype)
    neg = torch.randn(batch, cfg.text_seq_len, cfg.text_dim, device=device, dtype=dtype)
    x0 = torch.randn(batch, seq.latent_seq_len, cfg.latent_dim, device=device, dtype=dtype)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    t0 = time.perf_counter()
    cond = model.preprocess_conditions(clip, sync, text)
    empty = model.get_empty_conditions(batch, negative_text_features=neg)
    synchronize(device)
    t_cond = time.perf_counter() - t0

    def times(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return t.to(device) * torch.ones(len(x), device=device, dtype=x.dtype)

    if upstream is not None:
        baseline = upstream_forms(model, upstream, variant, (clip, sync, text, neg), times)
    else:
        baseline = reference_forms(model, cond, empty, times)
    forms: dict[str, Form] = {
        "reference guided": baseline["guided"],
        "guided": lambda t, x: model.ode_wrapper(t.to(device), x, cond, empty, 4.5),
        "reference conditional": baseline["conditional"],
        "conditional": lambda t, x: model.predict_flow(x, times(t, x), cond),
    }
    return model, forms, x0, t_cond


def reference_forms(model: MMAudioModel, cond: MMAudioConditions, empty: MMAudioConditions,
                    times: Form) -> dict[str, Form]:
    """The reference's guided step and conditional pass run on our network: two passes, the
    per-token conditioning dense, nothing kept between steps, torch's convolution."""
    dense_cond, dense_empty = replace(cond, sync_rows=None), replace(empty, sync_rows=None)

    def guided(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        with conv_kernel("conv"):  # the reference's nn.Conv1d
            return cfg_combine(model.predict_flow(x, times(t, x), dense_cond),
                               model.predict_flow(x, times(t, x), dense_empty), 4.5)

    def conditional(t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        with conv_kernel("conv"):
            return model.predict_flow(x, times(t, x), dense_cond)

    return {"guided": guided, "conditional": conditional}


def upstream_forms(model: MMAudioModel, checkout: str, variant: str, features: tuple[torch.Tensor, ...],
                   times: Form) -> dict[str, Form]:
    """hkchengrex/MMAudio's own network, imported from ``checkout``, built as ``variant`` and
    holding our weights (the very tensors, by name, strictly: no second copy of a 1 B network),
    with its own conditions; its guided step is its ``ode_wrapper`` as its sampler calls it, its
    conditional pass its ``predict_flow``."""
    networks = import_from_checkout(checkout, "mmaudio.model.networks")
    try:
        reference = share_into(lambda: networks.get_my_mmaudio(variant), model)
    except WeightMismatch as error:
        raise SystemExit(str(error)) from None
    # its tables, built on the meta device with it, by its own code: now on the weights' device
    reference.t_embed.freqs = timestep_table(reference.t_embed).to(model.latent_mean.device)
    reference.initialize_rotations()
    reference.eval()
    print(f"  upstream: {networks.__file__} ({type(reference).__name__}), our {len(model.state_dict())} tensors "
          f"loaded by name with strict=True")
    clip, sync, text, neg = features
    cond = reference.preprocess_conditions(clip, sync, text)
    empty = reference.get_empty_conditions(len(clip), negative_text_features=neg)
    return {
        "guided": lambda t, x: reference.ode_wrapper(t.to(x.device), x, cond, empty, 4.5),
        "conditional": lambda t, x: reference.predict_flow(x, times(t, x), cond),
    }


@torch.inference_mode()
def run(variant: str, device: torch.device, steps: int, batch: int, full: bool, rounds: int,
        upstream: str | None = None) -> None:
    model, forms, x0, t_cond = setup(variant, device, batch, upstream)
    cfg = model.config
    params = sum(p.numel() for p in model.parameters())
    print(f"{variant} on {device} ({x0.dtype}), {params / 1e6:.1f} M parameters, batch {batch}, "
          f"latent {cfg.sequence.latent_seq_len}x{cfg.latent_dim}, torch threads {torch.get_num_threads()}")
    baseline = "upstream" if upstream else "reference form"
    t = torch.tensor(0.5)
    differences = {}
    for name in ("guided", "conditional"):
        expected = forms[f"reference {name}"](t, x0)
        scale = float(expected.abs().max())
        differences[name] = (float((forms[name](t, x0) - expected).abs().max()), scale)
    if upstream:
        tolerance = parity_tolerance()
        print(f"  parity with upstream at t = 0.5 (tolerance {tolerance:.0e} of the largest velocity, "
              "tests/tolerances.py ACTIVATION):")
        for name, (difference, scale) in differences.items():
            verdict = "ok" if difference <= tolerance * scale else "FAILS"
            verdict = verdict if x0.dtype == torch.float32 else f"(not judged in {x0.dtype})"
            print(f"    {name}: largest difference {difference:.2e}, largest velocity {scale:.2f}, "
                  f"relative {difference / scale:.2e} {verdict}")
        # the tolerance is float32's: in bf16 (a GPU) the differences are shown, not judged
        if x0.dtype == torch.float32 and any(d > tolerance * s for d, s in differences.values()):
            raise SystemExit("the velocities differ from upstream's beyond the tolerance: timing stopped")

    def clock() -> float:
        synchronize(device)
        return time.perf_counter() if device.type == "cuda" else time.process_time()

    timings: dict[str, list[float]] = {name: [] for name in forms}
    for form in forms.values():  # warm-up
        form(t, x0)
    for _ in range(rounds):
        for name, form in forms.items():
            started = clock()
            form(t, x0)
            timings[name].append(clock() - started)
    what = "wall" if device.type == "cuda" else "CPU"

    def spread(values: list[float]) -> str:
        return f"{1000 * statistics.median(values):8.1f} ms [{1000 * min(values):.1f}-{1000 * max(values):.1f}]"

    print(f"  conditions (once per sample):        {t_cond * 1000:8.1f} ms")
    for name in ("guided", "conditional"):
        reference, ours = timings[f"reference {name}"], timings[name]
        difference, scale = differences[name]
        per_round = [o / r for o, r in zip(ours, reference)]
        label = name + " step" if name == "guided" else name + " pass"
        print(f"  {label}, {baseline + ':':15} {spread(reference)} {what}, {rounds} paired rounds")
        print(f"  {label}, {'ours:':15} {spread(ours)} {what}")
        print(f"    ratio ours/{baseline} {statistics.median(ours) / statistics.median(reference):.3f}"
              f"{' (target <= 0.9)' if name == 'guided' else ''}, per round [{min(per_round):.3f}-{max(per_round):.3f}]; "
              f"largest velocity difference {difference:.2e} (largest velocity {scale:.2f})")
    print(f"  load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if full:
        t0 = time.perf_counter()
        euler_sample(forms["guided"], x0, euler_times(steps))
        synchronize(device)
        print(f"  full {steps}-step sample:             {time.perf_counter() - t0:8.2f} s")
    both = " (both forms' conditions and activations: see --memory)" if upstream and device.type == "cpu" else ""
    print(f"  peak memory:                         {peak_mb(device):8.0f} MB{both}")


def _reset_peak_rss() -> None:
    """Restart the kernel's peak-RSS count (VmHWM) from the current RSS (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


@torch.inference_mode()
def memory_child(variant: str, device: torch.device, batch: int, form: str, upstream: str | None) -> None:
    """Two steps of ``form``; prints the peak memory. Both forms' processes set up alike (with
    ``upstream``, the upstream network holds our very tensors); with ``upstream`` on the CPU
    the peak is restarted once only the timed form is left, so it is that form's alone."""
    model, forms, x0, _ = setup(variant, device, batch, upstream)
    step = forms[form]
    if upstream and device.type == "cpu":
        del model, forms
        gc.collect()
        _reset_peak_rss()
    for t in (0.2, 0.6):
        step(torch.tensor(t), x0)
    print(f"{_peak_rss_mb() if upstream and device.type == 'cpu' else peak_mb(device):.1f}")


def compare_memory(variant: str, device: torch.device, batch: int, upstream: str | None) -> None:
    peaks = {}
    for form in ("reference guided", "guided"):
        command = [sys.executable, __file__, "--variant", variant, "--device", device.type, "--batch", str(batch),
                   "--memory-child", form] + (["--upstream", upstream] if upstream else [])
        peaks[form] = float(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-1])
    baseline = "upstream" if upstream else "reference form"
    print(f"  peak memory of two guided steps, each in a fresh process: {baseline} {peaks['reference guided']:.0f} MB, "
          f"ours {peaks['guided']:.0f} MB (ratio {peaks['guided'] / peaks['reference guided']:.3f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="small_16k")
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None,
                        help="default: the CPU, then the GPU too when one is available")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds of the step timing")
    parser.add_argument("--skip-full", action="store_true", help="only time one step")
    parser.add_argument("--memory", action="store_true", help="compare the two forms' peak memory")
    parser.add_argument("--upstream", metavar="DIR",
                        help="a checkout of hkchengrex/MMAudio: time its own network (our weights) as the baseline")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    devices = [args.device] if args.device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    if args.memory_child:
        memory_child(args.variant, torch.device(devices[0]), args.batch, args.memory_child, args.upstream)
        return 0
    for name in devices:
        run(args.variant, torch.device(name), args.steps, args.batch, not args.skip_full, args.rounds, args.upstream)
        if args.memory:
            compare_memory(args.variant, torch.device(name), args.batch, args.upstream)
    return 0


if __name__ == "__main__":
    sys.exit(main())
