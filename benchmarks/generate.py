"""Time `spacetime generate` on the default clip: real-time factor and peak memory.

    python benchmarks/generate.py [--model FOLDER] [--clips 5] [--steps N] [--guidance-stop S]
        [--frames N]

Loads the model once (timed apart), then generates --clips prompts with the model's default
settings, each from a fresh seed. Real-time factor = generation seconds / clip duration
(frames / fps): below 1 is faster than playback. Peak memory is the process's maximum RSS
(Python, torch, the text encoder and the model all included). --frames longer than the
model's clip: the first clip extended window by window, as `spacetime generate` makes it.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time

import torch

from spacetime.pipeline import Pipeline

PROMPTS = [
    "a red circle moving left",
    "a small blue star bouncing on a grass field",
    "a green triangle spinning at night",
    "Momo waving on the beach",
    "a yellow square moving up and a purple heart moving right",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--clips", type=int, default=5)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--guidance-stop", type=float, default=None)
    ap.add_argument("--frames", type=int, default=None, help="4k+1 (default: the model's)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    pipe = Pipeline.load(args.model)
    pipe.generate("warm up", steps=1)
    load = time.perf_counter() - t0
    times = []
    for k in range(args.clips):
        t = time.perf_counter()
        p = PROMPTS[k % len(PROMPTS)]
        v = pipe.generate(
            p, seed=k, steps=args.steps, guidance_stop=args.guidance_stop, frames=args.frames
        )
        times.append(time.perf_counter() - t)
    m = pipe.meta
    duration = v.num_frames / v.fps
    per = sum(times) / len(times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, torch threads {torch.get_num_threads()}",
                "clip": f"{v.num_frames} frames {v.width}x{v.height} at {v.fps} fps",
                "windows": v.recipe.get("windows", 1),
                "clip_seconds": round(duration, 3),
                "steps": args.steps or m["steps"],
                "guidance": m["guidance"],
                "guidance_stop": v.recipe.get("guidance_stop", 1.0),
                "load_and_warm_up_s": round(load, 2),
                "seconds_per_clip": round(per, 3),
                "min_seconds_per_clip": round(min(times), 3),
                "real_time_factor": round(per / duration, 3),
                "peak_rss_gib": round(rss, 3),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
