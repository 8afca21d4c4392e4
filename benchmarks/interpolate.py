"""Interpolation's flow, and where the model may redraw it, on task items the eval does not use.

    python benchmarks/interpolate.py [--sides 128,256,384,512] [--sure=-1,32,inf]
        [--items 24] [--skip 12] [--model FOLDER] [--sheet PNG --show 0,11,26]

The interpolation guess (`known.start_guess`) follows DIS flow (`metrics.dis_flow`) on grey
levels upscaled to a short side of DIS_MIN_SIDE; --sides scores that guess alone at each
side, with the eval's linear blend and Farneback flow. --sure runs the model through the
`interpolate` verb once per FLOW_SURE: the model's redraw of a region is kept only where the
flow's two warps differ by more than that on average (`known.flow_sure`); -1 keeps every
redraw (the rule off), inf none. Items skip .. skip + items are scored (`spacetime eval`
uses the first 12), so a setting is not chosen on the items that report it. Prints, per
method, the mean and median PSNR of the made pixels, the track error and the items won and
lost against DIS flow at the shipped side (by more than 0.05 dB). --sheet draws the items
--show (numbers as `tasks.build` counts them, the eval's first) with the truth, Farneback
flow, DIS flow and the model as shipped.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from spacetime import known
from spacetime.eval import metrics
from spacetime.eval import tasks as T
from spacetime.io import Video, sheet_of_many


def dis_at(side: int) -> T.Method:
    def method(item: T.TaskItem) -> np.ndarray:
        shipped, metrics.DIS_MIN_SIDE = metrics.DIS_MIN_SIDE, side
        try:
            return T.dis_flow(item)
        finally:
            metrics.DIS_MIN_SIDE = shipped

    return method


def sure_at(run: Any, sure: float) -> T.Method:
    def method(item: T.TaskItem) -> np.ndarray:
        shipped, known.FLOW_SURE = known.FLOW_SURE, sure
        try:
            return run(item)
        finally:
            known.FLOW_SURE = shipped

    return method


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", default="128,256,384,512", help="DIS short sides to score")
    ap.add_argument("--sure", default="", help="FLOW_SURE values to run the model with")
    ap.add_argument("--items", type=int, default=24)
    ap.add_argument("--skip", type=int, default=12, help="first items left out (the eval's)")
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--sheet", type=Path, default=None, help="contact sheet (PNG) to write")
    ap.add_argument("--show", default="0,11,26", help="items the sheet draws")
    a = ap.parse_args()
    items = T.build("interpolate", a.skip + a.items)[a.skip :]
    methods: dict[str, T.Method] = {"blend": T.blend, "farneback": T.flow}
    methods |= {f"dis {s}": dis_at(int(s)) for s in a.sides.split(",") if s}
    run = None
    if a.sure or a.sheet:
        from spacetime.pipeline import Pipeline

        run = T.model_method(Pipeline.load(a.model), seed=0)
    if a.sure and run is not None:
        methods |= {f"model, sure {s}": sure_at(run, float(s)) for s in a.sure.split(",")}
    if a.sheet is not None and run is not None:
        show = [int(k) for k in a.show.split(",")]
        every = T.build("interpolate", max(show) + 1)
        rows = {"the truth": lambda it: it.truth, "Farneback flow": T.flow}
        rows |= {"DIS flow": T.dis_flow, "the model (interpolate verb)": run}
        videos = [Video(fn(every[k]), every[k].fps) for k in show for fn in rows.values()]
        names = [f"item {k}: {name}" for k in show for name in rows]
        sheet_of_many(videos, a.sheet, frames_per_row=9, captions=names)
    scores = {name: [T.judge(it, fn(it)) for it in items] for name, fn in methods.items()}
    ref = np.array([r["psnr_hidden"] for r in (scores.get(f"dis {metrics.DIS_MIN_SIDE}") or [])])
    print(f"{len(items)} interpolation items from {a.skip}; DIS_MIN_SIDE {metrics.DIS_MIN_SIDE}")
    print("| method | PSNR mean | PSNR median | track error | won, lost against DIS |")
    print("|---|---|---|---|---|")
    for name, rows in scores.items():
        ps = np.array([r["psnr_hidden"] for r in rows])
        te = [r["track_error"] for r in rows if r["track_error"] is not None]
        vs = f"{(ps > ref + 0.05).sum()}, {(ps < ref - 0.05).sum()}" if len(ref) else "-"
        print(
            f"| {name} | {ps.mean():.2f} dB | {np.median(ps):.2f} dB | {np.mean(te):.3f} | {vs} |"
        )


if __name__ == "__main__":
    main()
