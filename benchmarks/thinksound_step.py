"""ThinkSound at the real size (1.277 B parameters, random weights) on CPU: one guided flow step
against the reference's, and a full 24-step CFG sample, with time and peak memory.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/thinksound_step.py [--dtype fp32 bf16] [--seconds 9]
        [--steps 24] [--threads 1] [--repeats 3] [--no-sample | --no-step] [--decode] [--memory]
        [--upstream DIR]

Each measurement runs in a fresh subprocess so its peak RSS is its own. A guided step is one CFG
velocity evaluation over the batch doubled to [conditional; unconditional], timed two ways in
paired rounds (CPU time, medians [min-max]): as the reference's sampler runs it (the conditions
projected at every call, the per-token conditioning dense, the latent projected in both halves)
and as ``ThinkSoundNetwork.velocity`` runs it with the conditions of ``cfg_conditions`` (projected
once per sample, the per-token adaLN on distinct rows, the latent projected once, each
convolution on the faster of its two CPU kernels; the reference form runs torch's convolution,
as the reference's ``nn.Conv1d`` does). ``--memory``
runs two steps of each form in processes of their own and compares their peaks. The full sample
projects the conditions once and takes ``--steps`` Euler steps. ``--decode`` also times the
Oobleck VAE decode (156 M parameters) of the sampled latent.

The learned empty features are drawn at random like the weights (a checkpoint's are not zero).
The reference form runs on our network, whose pre-only joint block skips the clip/text queries
the reference computes and discards: if anything it is faster than the reference's own code.

``--upstream DIR`` (a checkout of FunAudioLLM/ThinkSound, fp32 only) makes the reference the
checkout's own ``MMmodule``, holding our weights (by name, strict=True), called as its sampler
calls it (``forward`` with ``cfg_scale``); the two velocities must agree within the tests'
ACTIVATION tolerance before anything is timed. The checkout itself needs einops.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import fields, replace


def _random_network(dtype):
    import torch

    from foleyline.server.engines.thinksound.configuration_thinksound import ThinkSoundConfig
    from foleyline.server.engines.thinksound.modeling_thinksound import ThinkSoundNetwork

    with torch.device("meta"):
        net = ThinkSoundNetwork(ThinkSoundConfig.official())
    # allocated directly in the target dtype (the derived tables stay float32)
    net = net.to(dtype).to_empty(device="cpu")
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if p.dim() >= 2:  # N(0, 1/fan_in), as the fixtures draw them: activations stay sane
                fan_in = p[0].numel()
                p.normal_(0.0, 1.0 / math.sqrt(fan_in), generator=gen)
            elif name.endswith("norm.weight"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02, generator=gen)
        for learned in (net.empty_clip_feat, net.empty_sync_feat, net.sync_pos_emb):
            learned.normal_(generator=gen)
    return net.eval()


def _upstream_network(net, checkout: str):
    """FunAudioLLM/ThinkSound's own ``MMmodule``, imported from ``checkout`` and built with our
    configuration (the release's v2 network), holding our weights: the very tensors, loaded by
    name with strict=True (assign: a second 5 GB copy would not fit beside ours on a laptop). Its
    non-persistent tables, built on the meta device with it, are then computed by its own code."""
    from upstream import WeightMismatch, import_from_checkout, share_into, timestep_table

    mmdit = import_from_checkout(checkout, "ThinkSound.models.mmdit")
    config = net.config
    lengths = net.lengths
    arguments = {f.name: getattr(config, f.name) for f in fields(config)}
    arguments.update(latent_seq_len=lengths.latent, clip_seq_len=lengths.clip, sync_seq_len=lengths.sync)
    try:
        reference = share_into(lambda: mmdit.MMmodule(v2=True, **arguments), net)
    except WeightMismatch as error:
        raise SystemExit(str(error)) from None
    reference.t_embed.freqs = timestep_table(reference.t_embed)
    reference.update_seq_lengths(lengths.latent, lengths.clip, lengths.sync)
    return reference.eval()


def _step_forms(net, inputs: dict, dtype, upstream: str | None = None) -> dict:
    """The guided step as the reference runs it, and as ours does, by name: fn(x, t) -> velocity.
    With ``upstream`` (a checkout of FunAudioLLM/ThinkSound) the reference is its own network's
    forward with ``cfg_scale``, as its sampler calls it: the doubled batch built and the
    conditions projected inside, at every step."""
    import torch

    from foleyline.server.engines.mmdit import conv_kernel

    features = [inputs[k].to(dtype) for k in ("clip_f", "sync_f", "text_f", "t5_f")]
    kept = []  # our conditions, computed at the first call (the warm-up): once per sample

    def ours(x, t):
        if not kept:
            kept.append(net.cfg_conditions(*features))
        return net.velocity(x, t, kept[0], 5.0)

    if upstream is not None:
        reference_net = _upstream_network(net, upstream)
        clip_f, sync_f, text_f, t5_f = features
        return {"reference": lambda x, t: reference_net(x, t, clip_f, sync_f, text_f, None, t5_f, None, 5.0, 0.0, 0.0),
                "ours": ours}

    def reference(x, t):
        with conv_kernel("conv"):  # the reference's nn.Conv1d
            dense = replace(net.cfg_conditions(*features), sync_rows=None)
            latent = x.transpose(1, 2)
            flow = net.predict_flow(torch.cat([latent, latent]), torch.cat([t, t]), dense)
        cond_out, uncond_out = flow.chunk(2, dim=0)
        return (uncond_out + (cond_out - uncond_out) * 5.0).transpose(1, 2)

    return {"reference": reference, "ours": ours}


def _check_parity(result: dict, difference: float, scale: float) -> None:
    """Stop before timing if our velocity is not upstream's within the tests' ACTIVATION tolerance."""
    from upstream import parity_tolerance

    tolerance = parity_tolerance()
    result.update(parity=f"{difference / scale:.2e} of the largest velocity (tolerance {tolerance:.0e}, "
                         "tests/tolerances.py ACTIVATION)")
    if difference > tolerance * scale:
        print(json.dumps(result))
        raise SystemExit("the velocities differ from upstream's beyond the tolerance: timing stopped")


def _child(args: argparse.Namespace) -> dict:
    import torch

    from foleyline.server.engines.thinksound.configuration_thinksound import ThinkSoundConfig
    from foleyline.server.engines.thinksound.sampling import sample_latent

    torch.set_num_threads(args.threads)
    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    started = time.perf_counter()
    net = _random_network(dtype)
    build_s = time.perf_counter() - started
    lengths = ThinkSoundConfig.sequence_lengths(args.seconds)
    net.set_sequence_lengths(lengths)
    gen = torch.Generator().manual_seed(1)
    cfg = net.config
    inputs = dict(
        clip_f=torch.randn(1, lengths.clip, cfg.clip_dim, generator=gen),
        sync_f=torch.randn(1, lengths.sync, cfg.sync_dim, generator=gen),
        text_f=torch.randn(1, 77, 1024, generator=gen),
        t5_f=torch.randn(1, 77, 2048, generator=gen) * 0.1,
    )
    noise = torch.randn(1, cfg.latent_dim, lengths.latent, generator=gen)
    result = {"dtype": args.dtype, "seconds": args.seconds, "threads": args.threads,
              "params": sum(p.numel() for p in net.parameters()), "build_s": round(build_s, 1)}
    with torch.no_grad():
        t = torch.tensor([0.5])
        if args.what == "step":
            forms = _step_forms(net, inputs, dtype, args.upstream)
            x = noise.to(dtype)
            expected, v = forms["reference"](x, t), forms["ours"](x, t)  # warm-up
            result["reference"] = "upstream MMmodule.forward" if args.upstream else "the reference form on our network"
            if args.upstream:
                _check_parity(result, float((v - expected).abs().max()), float(expected.abs().max()))
            times: dict[str, list[float]] = {name: [] for name in forms}
            for _ in range(args.repeats):
                for name, form in forms.items():
                    began = time.process_time()
                    form(x, t)
                    times[name].append(time.process_time() - began)
            per_round = [o / r for o, r in zip(times["ours"], times["reference"])]
            result.update(
                {f"{name}_cpu_s": f"{statistics.median(v):.2f} [{min(v):.2f}-{max(v):.2f}]" for name, v in times.items()},
                ratio=round(statistics.median(times["ours"]) / statistics.median(times["reference"]), 3),
                per_round=f"[{min(per_round):.3f}-{max(per_round):.3f}]",
                largest_difference=f"{float((v - expected).abs().max()):.2e} of {float(expected.abs().max()):.2f}",
                finite=bool(torch.isfinite(v).all()), load=" ".join(f"{x:.2f}" for x in os.getloadavg()))
        elif args.what in ("memory-reference", "memory-ours"):
            which = args.what.removeprefix("memory-")
            form = _step_forms(net, inputs, dtype, args.upstream if which == "reference" else None)[which]
            for _ in range(2):
                form(noise.to(dtype), t)
        else:
            began = time.perf_counter()
            latent = sample_latent(net, noise, **inputs, steps=args.steps, cfg_scale=5.0)
            result.update(sample_s=round(time.perf_counter() - began, 1), steps=args.steps,
                          finite=bool(torch.isfinite(latent).all()))
            if args.decode:
                from foleyline.server.engines.thinksound.vae import ThinkSoundVAE

                del net
                vae = ThinkSoundVAE().eval()
                began = time.perf_counter()
                audio = vae.decode(latent.float())
                result.update(decode_s=round(time.perf_counter() - began, 1), audio_samples=int(audio.shape[-1]))
    result["peak_rss_gib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dtype", nargs="+", default=["fp32", "bf16"], choices=["fp32", "bf16"])
    parser.add_argument("--seconds", type=int, default=9)
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="paired rounds of the step timing")
    parser.add_argument("--no-sample", action="store_true", help="only time one flow step")
    parser.add_argument("--no-step", action="store_true", help="only time the full sample")
    parser.add_argument("--decode", action="store_true", help="also time the VAE decode after the sample")
    parser.add_argument("--memory", action="store_true", help="compare the two step forms' peak memory")
    parser.add_argument("--upstream", metavar="DIR",
                        help="a checkout of FunAudioLLM/ThinkSound: its own network (our weights) is the reference "
                             "(fp32 only: parity is stated for float32)")
    parser.add_argument("--child", choices=["step", "sample", "memory-reference", "memory-ours"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.what = args.child
        args.dtype = args.dtype[0]
        print(json.dumps(_child(args)))
        return 0
    if args.upstream and args.dtype != ["fp32"]:
        parser.error("--upstream compares in fp32 only: add --dtype fp32")
    jobs = [] if args.no_step else [(dtype, "step") for dtype in args.dtype]
    if args.memory:
        jobs += [(dtype, what) for dtype in args.dtype for what in ("memory-reference", "memory-ours")]
    if not args.no_sample:
        jobs += [(dtype, "sample") for dtype in args.dtype]
    for dtype, what in jobs:
        command = [sys.executable, __file__, "--child", what, "--dtype", dtype, "--seconds", str(args.seconds),
                   "--steps", str(args.steps), "--threads", str(args.threads), "--repeats", str(args.repeats)]
        if args.decode:
            command.append("--decode")
        if args.upstream:
            command += ["--upstream", args.upstream]
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode:
            print(f"{what} {dtype}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            return out.returncode
        print(f"{what:6s} {out.stdout.strip().splitlines()[-1]}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
