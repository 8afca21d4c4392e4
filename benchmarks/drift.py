"""Drift of a 30-second chained extension: does the clip keep its colours and its object?

    python benchmarks/drift.py [--model FOLDER] [--seconds 30] [--out docs/img]
        [--start S] [--detail] [--reference] [--seed N]

Each start is a 17-frame world clip of one object that stays in view. `Pipeline.extend` adds
`--seconds` of video window by window (9 known frames, 8 new), with the colour anchor on
(the default) and off. For every second of the result it reports:

- frame cast: the distance (CIE Lab, delta E 1976) between the mean colour of that second
  and of the input clip; a delta E near 2 is barely visible, 10 is plainly a different cast.
  An object that grows as its prompt says moves it too;
- object colour: the same distance between the object's core colour in that second and in
  the input. The object is every pixel farther than OBJECT_TOL from the scene's background
  (the world's render of it without objects: the starts have a still camera); its core is
  the half of them farthest from it, so the blur at its edge does not count;
- object size: the object's area over its area in the world's own continuation of the
  start (1 = as the truth; a star told to grow fills the frame in the truth too);
- found: whether the analyser finds an object of the input's colour and shape.

--reference gives every window the input's first frame as a reference image (`extend
--reference`), so each window sees the object as it was at the start.

Writes drift.png (the curves) and drift-sheet.png (one frame every 3 seconds) to --out and
prints the table as JSON.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from spacetime.io import Video, sheet_of_many
from spacetime.pipeline import Pipeline
from spacetime.world.analyse import analyse
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render
from spacetime.world.spec import SceneSpec

STARTS = [
    "a red circle spinning on a grass field",
    "a blue square bouncing on plain grey",
    "a yellow star growing at sunset",
]
BOUND_DELTA_E = 10.0  # the bound on the anchored object colour, every start's last second
OBJECT_TOL = 20.0  # delta E from the background beyond which a pixel is the object


def _lab(frames: np.ndarray) -> np.ndarray:
    """CIE Lab of uint8 RGB frames (..., 3): L in 0..100, a and b around 0; float64."""
    lab = cv2.cvtColor(frames.reshape(-1, frames.shape[-2], 3), cv2.COLOR_RGB2LAB)
    lab = lab.astype(np.float64).reshape(frames.shape)
    return np.stack([lab[..., 0] * 100 / 255, lab[..., 1] - 128, lab[..., 2] - 128], -1)


def _lab_mean(frames: np.ndarray) -> np.ndarray:
    return _lab(frames).reshape(-1, 3).mean(axis=0)


def _core(lab: np.ndarray, far: np.ndarray) -> np.ndarray:
    """Mean Lab (3,) of the object's core: of the pixels farther than OBJECT_TOL from the
    background (far: delta E from it, (T, H, W)), the half farthest. NaN with no object."""
    d = far[far > OBJECT_TOL]
    if not len(d):
        return np.full(3, np.nan)
    return lab[far >= max(OBJECT_TOL, float(np.median(d)))].mean(axis=0)


def _object(frames: np.ndarray, fps: float, colour: str, shape: str) -> float | None:
    """Mean analysed radius of the (colour, shape) object, or None when it is not found."""
    tracks = [t for t in analyse(frames, fps).tracks if (t.colour, t.shape) == (colour, shape)]
    if not tracks:
        return None
    return float(np.mean(max(tracks, key=lambda t: len(t.frames)).radius))


def measure(frames: np.ndarray, clip: np.ndarray, scene: SceneSpec, fps: float) -> list:
    """One row per second of frames (T, H, W, 3) after the input clip, whose scene has a
    still camera and one object: the figures of the module docstring."""
    o, start, size = scene.objects[0], len(clip), clip.shape[2]
    truth = render(scene, len(frames), fps, size)
    empty = render(replace(scene, objects=[], relation=None), len(frames), fps, size)
    true_area = (np.abs(truth.astype(np.int16) - empty).max(axis=-1) > 6).mean(axis=(1, 2))
    lab = _lab(frames)
    far = np.linalg.norm(lab - _lab(empty), axis=-1)  # (T, H, W)
    area = (far > OBJECT_TOL).mean(axis=(1, 2))
    ref_lab, ref_core = _lab_mean(clip), _core(lab[:start], far[:start])
    ref_r = _object(clip, fps, o.colour, o.shape)
    rows = []
    per = int(fps)
    for s in range((len(frames) - start) // per):
        sec = slice(start + s * per, start + (s + 1) * per)
        r = _object(frames[sec], fps, o.colour, o.shape)
        core = _core(lab[sec], far[sec])
        rows.append(
            {
                "second": s + 1,
                "delta_e": round(float(np.linalg.norm(_lab_mean(frames[sec]) - ref_lab)), 2),
                "object_delta_e": round(float(np.linalg.norm(core - ref_core)), 2),
                "object_size": round(float(area[sec].mean() / true_area[sec].mean()), 3),
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
    ap.add_argument("--seed", type=int, default=0, help="extend's seed: another chain each")
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
        clip = render(scene, 17, fps, size)
        for name, anchor in (("anchor", True), ("no anchor", False)):
            ref = {"reference": clip[0]} if args.reference else {}
            kw = opts | ref | {"seconds": args.seconds, "anchor": anchor, "seed": args.seed}
            v = pipe.extend(clip, prompt, **kw)
            results[name][prompt] = measure(v.frames, clip, scene, fps)
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
            "object_delta_e": {
                p: [
                    round(float(np.mean([r["object_delta_e"] for r in rs])), 2),
                    rs[-1]["object_delta_e"],
                ]
                for p, rs in per_prompt.items()
            },  # mean over the seconds, last second
            "object_size": {
                p: [round(float(np.mean([r["object_size"] for r in rs])), 3), rs[-1]["object_size"]]
                for p, rs in per_prompt.items()
            },
            "object_found": round(float(np.mean([r["object"] for r in rows])), 3),
            "size_ratio_median": round(float(np.median(sizes)), 3) if sizes else None,
        }
    summary["bound_object_delta_e"] = BOUND_DELTA_E
    summary["anchored_within_bound"] = all(
        last <= BOUND_DELTA_E for _, last in summary["anchor"]["object_delta_e"].values()
    )
    _plot(results, out / "drift.png")
    sheet_of_many(sheets, out / "drift-sheet.png", frames_per_row=11, captions=captions)
    print(json.dumps({"summary": summary, "per_second": results}, indent=1))


def _plot(results: dict[str, dict[str, list]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 3.4), dpi=100)
    panels = (
        ("delta_e", "frame cast (delta E)"),
        ("object_delta_e", "object colour (delta E)"),
        ("object_size", "object size / the truth's"),
    )
    for name, style in (("anchor", "-"), ("no anchor", ":")):
        for k, (prompt, rows) in enumerate(results[name].items()):
            s = [r["second"] for r in rows]
            for ax, (key, _) in zip(axes, panels, strict=True):
                label = f"{prompt[:22]} ({name})" if key == "delta_e" else None
                ax.plot(s, [r[key] for r in rows], style, color=f"C{k}", label=label)
    for ax, (_, title) in zip(axes, panels, strict=True):
        ax.set(xlabel="seconds added", ylabel=title)
    axes[1].axhline(BOUND_DELTA_E, color="grey", lw=0.8)
    axes[2].axhline(1.0, color="grey", lw=0.8)
    axes[0].legend(fontsize=6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
