"""Does memory grow with use? One process calls the pipeline over and over, as a notebook or
a server would, and the resident memory (RSS) is read after every call.

    python benchmarks/memory.py [--model FOLDER] [--rounds 10] [--steps N] [--out FILE]

Three phases: `Pipeline.load()` --rounds times (each pipeline dropped before the next);
`generate` 3 x --rounds times, each a new prompt and seed; every verb of
benchmarks/verbs.py --rounds times in turn. RSS is read after `gc.collect()`. The first
rounds of each phase warm up (weights, the text encoder, torch's and the allocator's pools):
a leak shows as a steady climb across the rounds, so each phase reports the least-squares
slope of RSS over its second half of rounds (MiB a round) beside the rounds themselves.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm
from verbs import cases

from spacetime.pipeline import Pipeline

PROMPTS = [
    "a red circle moving left on a grass field",
    "a small blue star bouncing at sunset",
    "a green triangle spinning at night",
    "Momo waving on the beach",
    "a yellow square moving up and a purple heart moving right",
    "a large white cross moving down in the snow",
]


def rss_mib() -> float:
    """The process's resident memory now, MiB (Linux)."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status: this benchmark reads Linux's")


def phase(name: str, calls: list[Callable[[], object]], per_round: int, quiet: bool) -> dict:
    """Run calls in order; RSS after each round of per_round calls."""
    rounds = []
    for i in tqdm(range(0, len(calls), per_round), desc=name, disable=quiet):
        for call in calls[i : i + per_round]:
            call()
        rounds.append(round(rss_mib(), 1))
    late = rounds[len(rounds) // 2 :]
    slope = float(np.polyfit(np.arange(len(late)), late, 1)[0]) if len(late) > 1 else 0.0
    return {"rss_mib": rounds, "climb_mib_a_round": round(slope, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--steps", type=int, default=None, help="sampler steps (default: model's)")
    ap.add_argument("--out", default=None, help="write the figures here as JSON")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    t0 = time.perf_counter()
    start = rss_mib()
    loads = phase("load", [lambda: Pipeline.load(args.model)] * args.rounds, 1, args.quiet)
    pipe = Pipeline.load(args.model)
    opts = {"steps": args.steps} if args.steps else {}
    gen = [
        (lambda p=p, s=s: pipe.generate(p, seed=s, **opts))
        for s in range(3 * args.rounds)
        for p in [PROMPTS[s % len(PROMPTS)]]
    ]
    generate = phase("generate", gen, 3, args.quiet)
    each = cases(pipe, **opts)  # renders its clips once
    verbs = phase("verbs", list(each.values()) * args.rounds, len(each), args.quiet)
    out = {
        "machine": f"{platform.machine()}, torch threads {torch.get_num_threads()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "model": args.model or "shipped",
        "steps": args.steps,
        "rounds": args.rounds,
        "rss_at_start_mib": round(start, 1),
        "load": loads,
        "generate": generate,
        "verbs": {**verbs, "names": list(each)},
        "seconds": round(time.perf_counter() - t0),
    }
    text = json.dumps(out, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
