"""Real-time factor of every procedural sound model on its own, per CPU core.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/models.py [--seconds 10] [--events 20] [--repeats 3]

A texture model renders a layer of ``--seconds``; a one-shot model renders ``--events`` events
(one every half second, the density of a busy hits layer) placed into a buffer of that length.
Process time, so other processes on a shared machine do not count. The engine benchmark
(``benchmarks/engine.py``) times a whole three-layer shot; this one shows which model costs what.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from foleyline.server.engines.procedural.dsp import SAMPLE_RATE, control_len, place, rng_for  # noqa: E402
from foleyline.server.engines.procedural.synths import CATALOG  # noqa: E402


def render_once(name: str, seconds: float, events: int, seed: int) -> None:
    model = CATALOG[name]
    n = int(seconds * SAMPLE_RATE)
    if model.shape == "texture":
        env = np.full(control_len(n), 0.7, dtype=np.float32)
        model.render(rng_for(seed, name), model.defaults, env, n)
        return
    out = np.zeros(n, dtype=np.float32)
    for i in range(events):
        place(out, model.render(rng_for(seed, name, i), model.defaults, 0.8), i * seconds / events)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.seconds:g} s per layer; one-shots: {args.events} events; median of {args.repeats}; process time")
    for name in CATALOG:
        render_once(name, args.seconds, args.events, 0)  # warm the filter-design cache
        spent = []
        for repeat in range(args.repeats):
            started = time.process_time()
            render_once(name, args.seconds, args.events, repeat + 1)
            spent.append(time.process_time() - started)
        median = statistics.median(spent)
        print(f"  {name:15s} {CATALOG[name].shape:8s} {1000 * median:7.1f} ms  {args.seconds / max(median, 1e-9):7.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
