"""Does animate move things? Image-to-video on the eval's animate items, by start level.

    python benchmarks/animate_motion.py [--model FOLDER] [--items 12] [--starts 1,0.85,0.7]

The eval's animate suite scores PSNR against the truth, which a still clip wins (the hold
baseline). This counts, over the truth's moving objects, those the made clip moves the same
way (an analysed track of the same colour with the same motion class), with the mean PSNR
of the made pixels and the mean and largest frame-to-frame jump, for each start level.
"""

from __future__ import annotations

import argparse

import numpy as np

from spacetime.eval import tasks as T
from spacetime.pipeline import Pipeline
from spacetime.world.analyse import analyse


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--items", type=int, default=12)
    ap.add_argument("--starts", default="1,0.85,0.7", help="comma-separated start levels")
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    items = T.build("animate", a.items)
    print("| start | moving objects moved right | PSNR | jump, mean / largest |")
    print("|---|---|---|---|")
    for start in (float(s) for s in a.starts.split(",")):
        right = moving = 0
        rows = []
        for it in items:
            out = pipe.animate(it.known[0], it.prompt, frames=len(it.known), start=start).frames
            seen = analyse(out, it.fps).tracks
            for t in analyse(it.truth, it.fps).tracks:
                if t.motion != "still":
                    moving += 1
                    right += any(u.colour == t.colour and u.motion == t.motion for u in seen)
            rows.append(T.judge(it, out))
        jumps = [r["max_jump"] for r in rows]
        psnr = np.mean([r["psnr_hidden"] for r in rows])
        print(
            f"| {start:g} | {right} of {moving} | {psnr:.2f} dB | "
            f"{np.mean(jumps):.1f} / {max(jumps):.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
