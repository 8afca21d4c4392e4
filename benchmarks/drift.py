"""Drift of a 30-second chained extension: does the clip keep its colours and its object?

    python benchmarks/drift.py [--model FOLDER] [--seconds 30] [--out docs/img]
        [--start S] [--detail] [--reference]

Each start is a 17-frame world clip of one object that stays in view. `Pipeline.extend` adds
`--seconds` of video window by window (9 known frames, 8 new), with the colour anchor on
(the default) and off. For every second of the result it reports:

- colour drift: the distance (CIE Lab, delta E 1976) between the mean colour of that second
  and of the input clip; a delta E near 2 is barely visible, 10 is plainly a different cast;
- object: whether the analyser finds an object of the input's colour and shape;
- size: the analysed radius of that object over its radius in the input (1 = same size).

--reference gives every window the input's first frame as a reference image (`extend
--reference`), so each window sees the object as it was at the start.

Writes drift.png (the curves) and drift-sheet.png (one frame every 3 seconds) to --out and
prints the table as JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from spacetime.io import Video, sheet_of_many
from spacetime.pipeline import Pipeline
from spacetime.world.analyse import analyse
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render

STARTS = [
    "a red circle spinning on a grass field",
    "a blue square bouncing on plain grey",
    "a yellow star growing at sunset",
]
BOUND_DELTA_E = 10.0  # the bound we hold the anchored extension to (mean over starts)


def _lab_mean(frames: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(frames.reshape(-1, frames.shape[2], 3), cv2.COLOR_RGB2LAB)
    lab = lab.astype(np.float64)
    return np.array(
        [lab[..., 0].mean() * 100 / 255, lab[..., 1].mean() - 128, lab[..., 2].mean() - 128]
    )


def _object(frames: np.ndarray, fps: float, colour: str, shape: str) -> float | None:
    """Mean analysed radius of the (colour, shape) object, or None when it is not found."""
    tracks = [t for t in analyse(frames, fps).tracks if (t.colour, t.shape) == (colour, shape)]
    if not tracks:
        return None
    return float(np.mean(max(tracks, key=lambda t: len(t.frames)).radius))


def measure(frames: np.ndarray, clip: np.ndarray, fps: float, colour: str, shape: str) -> list:
    start = len(clip)
    ref_lab, ref_r = _lab_mean(clip), _object(clip, fps, colour, shape)
    rows = []
    per = int(fps)
    for s in range((len(frames) - start) // per):
        chunk = frames[start + s * per : start + (s + 1) * per]
        r = _object(chunk, fps, colour, shape)
        rows.append(
            {
                "second": s + 1,
                "delta_e": round(float(np.linalg.norm(_lab_mean(chunk) - ref_lab)), 2),
                "object": r is not None,
                "size": None if r is None or not ref_r else round(r / ref_r, 3),
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--out", default="docs/img")
    ap.add_argument("--start", type=float, default=None, help="extend's start (default: its own)")
    ap.add_argument("--detail", action="store_true", help="add detail back in every window")
    ap.add_argument("--reference", action="store_true", help="the input's frame 0 as reference")
    args = ap.parse_args()
    opts = {"detail": True} if args.detail else {}
    if args.start is not None:
        opts["start"] = args.start
    pipe = Pipeline.load(args.model)
    fps, size = float(pipe.meta["fps"]), int(pipe.meta["size"])
    out = Path(args.out)
    results: dict[str, dict[str, list]] = {"anchor": {}, "no anchor": {}}
    sheets, captions = [], []
    for prompt in STARTS:
        scene = prompt_to_scene(prompt, 2.0, seed=0)
        o = scene.objects[0]
        clip = render(scene, 17, fps, size)
        for name, anchor in (("anchor", True), ("no anchor", False)):
            ref = {"reference": clip[0]} if args.reference else {}
            v = pipe.extend(clip, prompt, seconds=args.seconds, anchor=anchor, seed=0, **opts | ref)
            results[name][prompt] = measure(v.frames, clip, fps, o.colour, o.shape)
            every = np.arange(0, len(v.frames), int(3 * fps))
            sheets.append(Video(v.frames[every], 1 / 3))
            captions.append(f"{prompt} ({name}): one frame every 3 s")
    summary = {}
    for name, per_prompt in results.items():
        rows = [r for rs in per_prompt.values() for r in rs]
        last = [rs[-1] for rs in per_prompt.values()]
        sizes = [r["size"] for r in rows if r["size"] is not None]
        summary[name] = {
            "delta_e_mean": round(float(np.mean([r["delta_e"] for r in rows])), 2),
            "delta_e_last_second": round(float(np.mean([r["delta_e"] for r in last])), 2),
            "object_found": round(float(np.mean([r["object"] for r in rows])), 3),
            "size_ratio_median": round(float(np.median(sizes)), 3) if sizes else None,
        }
    summary["bound_delta_e"] = BOUND_DELTA_E
    summary["anchored_within_bound"] = summary["anchor"]["delta_e_last_second"] <= BOUND_DELTA_E
    _plot(results, out / "drift.png")
    sheet_of_many(sheets, out / "drift-sheet.png", frames_per_row=11, captions=captions)
    print(json.dumps({"summary": summary, "per_second": results}, indent=1))


def _plot(results: dict[str, dict[str, list]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4), dpi=100)
    for name, style in (("anchor", "-"), ("no anchor", ":")):
        for prompt, rows in results[name].items():
            s = [r["second"] for r in rows]
            axes[0].plot(s, [r["delta_e"] for r in rows], style, label=f"{prompt[:22]} ({name})")
            axes[1].plot(s, [r["size"] if r["size"] else np.nan for r in rows], style)
    axes[0].axhline(BOUND_DELTA_E, color="grey", lw=0.8)
    axes[0].set(xlabel="seconds added", ylabel="colour drift (delta E)")
    axes[1].set(xlabel="seconds added", ylabel="object size / input size")
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
