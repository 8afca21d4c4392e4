"""Seconds per clip to render and to analyse world clips, by frame size.

    python benchmarks/world_speed.py

17 frames at 8 fps, random scenes (1 to 3 objects), 20 clips per size, one process.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from spacetime.world.analyse import analyse
from spacetime.world.render import render
from spacetime.world.sample import sample_scene

FRAMES, FPS, CLIPS = 17, 8.0, 20


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    print(f"{platform.machine()}, {CLIPS} clips of {FRAMES} frames per size")
    print("| size | render s/clip | analyse s/clip |")
    print("|---|---|---|")
    for size in (64, 128, 256):
        scenes = [
            sample_scene(np.random.default_rng([3, k]), (FRAMES - 1) / FPS) for k in range(CLIPS)
        ]
        t0 = time.perf_counter()
        clips = [render(s, FRAMES, FPS, size) for s in scenes]
        t1 = time.perf_counter()
        for c in clips:
            analyse(c, FPS)
        t2 = time.perf_counter()
        print(f"| {size} | {(t1 - t0) / CLIPS:.3f} | {(t2 - t1) / CLIPS:.3f} |")


if __name__ == "__main__":
    main()
