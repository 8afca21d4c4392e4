"""How well the extension guess continues motion, by how many known frames it reads speed from.

    python benchmarks/extrapolate.py [--gaps 1,2,3,5] [--aside 48]

`known.extrapolate` moves the last known frame on by the median of the optical flows back to
each of the up to `known.GAPS` frames before it, each divided by its distance. This runs the
`flow-extrapolate` baseline of `spacetime eval`'s extend suite (the same guess the model's
sampling starts from) with GAPS set to each value, on the suite's 12 items and on --aside
items after them (items 12 on, which the eval never uses: choose GAPS there, not on the
eval's own items). Prints the mean track error and PSNR of the made pixels for each. No
model; a few seconds per setting.
"""

from __future__ import annotations

import argparse

import numpy as np

from spacetime import known
from spacetime.eval import tasks as T


def score(items: list[T.TaskItem]) -> tuple[float, float]:
    """Mean track error (items the analyser can track) and mean PSNR of the made pixels."""
    rows = [T.judge(it, T.flow_extrapolate(it)) for it in items]
    errors = [r["track_error"] for r in rows if r["track_error"] is not None]
    return float(np.mean(errors)), float(np.mean([r["psnr_hidden"] for r in rows]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gaps", default="1,2,3,5", help="comma-separated values of known.GAPS")
    ap.add_argument("--aside", type=int, default=48, help="items after the eval's 12")
    a = ap.parse_args()
    every = T.build("extend", 12 + a.aside)
    sets = {"eval (12)": every[:12], f"aside ({a.aside})": every[12:]}
    print("| frames back | " + " | ".join(f"{n}: track error, PSNR" for n in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for g in (int(v) for v in a.gaps.split(",")):
        known.GAPS = g
        cells = [f"{e:.4f}, {p:.2f} dB" for e, p in (score(s) for s in sets.values())]
        print(f"| {g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
