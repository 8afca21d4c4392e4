"""Time every verb on a clip at the model's own canvas: seconds a call, in one process.

    python benchmarks/verbs.py [--model FOLDER] [--runs 3] [--only TEXT]

A 17-frame 64x64 world clip (a red circle moving left on grass, 8 fps) and its first frame
as the image. Each verb runs once to warm up, then --runs times; the median seconds a call
are printed with the machine. Footage far larger than the canvas: benchmarks/fullsize.py.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable

import torch

from spacetime.inputs import box_mask
from spacetime.pipeline import Pipeline
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render


def cases(pipe: Pipeline, **opts: object) -> dict[str, Callable[[], object]]:
    """Each verb's call on the clip, with its default settings and opts (steps=...)."""
    scene = prompt_to_scene("a red circle moving left on a grass field", 2.0, seed=0)
    clip = render(scene, 17, 8.0, 64)  # (17, 64, 64, 3)
    other = render(prompt_to_scene("a blue square on a beach", 2.0, seed=1), 17, 8.0, 64)
    image, box = clip[0], box_mask(64, 64, (24, 24, 16, 16))
    return {
        "animate": lambda: pipe.animate(image, "a red circle moving left", **opts),
        "extend 1 s": lambda: pipe.extend(clip, "a red circle moving left", seconds=1.0, **opts),
        "interpolate x2": lambda: pipe.interpolate(clip[::2], factor=2, fps=4.0, **opts),
        "morph": lambda: pipe.morph(clip, other, **opts),
        "inpaint": lambda: pipe.inpaint(clip, "a red circle", mask=box, **opts),
        "outpaint 96x64": lambda: pipe.outpaint(clip, "grass", width=96, height=64, **opts),
        "cinemagraph": lambda: pipe.cinemagraph(
            image, "a red circle moving left", point=(47, 9), **opts
        ),
        "stylize": lambda: pipe.stylize(clip, "a blue circle moving left", **opts),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="", help="run the verbs whose name holds this")
    args = ap.parse_args()
    pipe = Pipeline.load(args.model)
    seconds = {}
    for name, call in cases(pipe).items():
        if args.only not in name:
            continue
        call()  # warm-up
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        seconds[name] = round(statistics.median(times), 3)
        print(f"{name}: {seconds[name]} s", flush=True)
    machine = f"{platform.machine()}, torch threads {torch.get_num_threads()}"
    print(json.dumps({"seconds_a_call": seconds, "machine": machine}, indent=1))


if __name__ == "__main__":
    main()
