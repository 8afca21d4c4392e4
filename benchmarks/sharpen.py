"""New frames at the input's own size: resized up alone, or sharpened from its own pixels.

    python benchmarks/sharpen.py [--items 16] [--skip 20] [--tols 8,16,32,inf] [--size 256]
        [--model FOLDER] [--sheet PNG]

extend, animate and morph make their new frames at the model's working size (64 px for the
shipped model) and bring them to the input's size with `fullsize.sharpened`. This renders
their eval task items at --size px (truth included), runs each verb at the working size as
the verbs do, and brings the made frames up two ways: resized up alone (cubic), and
sharpened from the input's own frame (the clip's last, the image, morph's two ends) at each
SHARP_TOL of --tols; morph's clips are then replayed at an even pace, as the verb does, and
the straight blend between its ends is the floor of its largest jump. Prints per method the
mean PSNR of the new frames against the truth (extend, animate; morph has none), the mean
jump onto the first new frame (the truth's own is printed too) and the mean of each clip's
largest frame-to-frame jump (all 0-255). Items skip .. skip + items are scored: SHARP_TOL
was chosen on extend items 12 to 19, and `spacetime eval` uses the first 12 at 64 px.
--sheet draws the first two items of each task: the truth, resized up alone, sharpened.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from spacetime.eval import tasks as T
from spacetime.eval.metrics import blend_interpolate, psnr
from spacetime.fullsize import SHARP_TOL, resize, sharpened
from spacetime.io import Video, sheet_of_many
from spacetime.known import even_pace
from spacetime.pipeline import Pipeline


def _jump(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def _full(item: T.TaskItem) -> np.ndarray:
    """The item's frames at full size: the truth, or morph's two ends (its known frames)."""
    return item.truth if item.truth is not None else item.known


def made_small(pipe: Pipeline, item: T.TaskItem, hw: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """(own, made, sources, weights): the input's own frames at full size, the verb's new
    frames at the working size hw, the frames they are sharpened from and how much."""
    full = _full(item)
    small = np.stack([resize(f, *hw) for f in full])  # (T, h, w, 3)
    if item.task == "extend":
        n = int((~item.mask.any(axis=(1, 2))).sum())  # known frames
        v = pipe.extend(small[:n], item.prompt, seconds=(len(small) - n) / item.fps, seed=0)
        return full[:n], v.frames[n:], [full[n - 1]], None
    if item.task == "animate":
        v = pipe.animate(small[0], item.prompt, frames=len(small), seed=0)
        return full[:1], v.frames[1:], [full[0]], None
    ends = full[[0, -1]]  # morph: A's last frame, B's first
    v = pipe.morph(small[:1], small[-1:], seconds=(len(small) - 1) / item.fps, seed=0)
    s = np.linspace(0, 1, len(v.frames))[1:-1, None]
    return ends[:1], v.frames[1:-1], list(ends), np.hstack([1 - s, s])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=16)
    ap.add_argument("--skip", type=int, default=20, help="first items left out")
    ap.add_argument("--tols", default="8,16,32,inf", help="SHARP_TOL values to score")
    ap.add_argument("--size", type=int, default=256, help="the input's side in pixels")
    ap.add_argument("--tasks", default="extend,animate,morph")
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--sheet", type=Path, default=None, help="contact sheet (PNG) to write")
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    hw = pipe.canvas(a.size, a.size)
    tols = [float(t) for t in a.tols.split(",")]
    videos, names = [], []
    print(f"{a.items} items from {a.skip} at {a.size} px; the model works at {hw[1]}x{hw[0]}")
    print("| task | method | PSNR new frames | jump onto the first new | largest jump |")
    print("|---|---|---|---|---|")
    for task in a.tasks.split(","):
        items = T.build(task, a.skip + a.items, size=a.size)[a.skip :]
        scores: dict[str, list[tuple[float, float, float]]] = {}
        for i, item in enumerate(items):
            own, made, sources, weights = made_small(pipe, item, hw)
            full = _full(item)
            truth = full[len(own) : len(own) + len(made)]  # (n, H, W, 3); morph: not a truth
            ways = {"resized up": np.stack([resize(f, a.size, a.size) for f in made])}
            ways |= {f"sharpened, tol {t:g}": sharpened(made, sources, weights, t) for t in tols}
            if task != "morph":
                ways = {"the truth": truth, **ways}
            else:  # the floor: the shortest path from A to B
                ways["blend (the floor)"] = blend_interpolate(full[0], full[-1], len(made))
            clips = {}  # name: the clip as the verb gives it back
            for name, new in ways.items():
                clip = np.concatenate([own, new, full[-1:]] if task == "morph" else [own, new])
                if task == "morph" and not name.startswith("blend"):  # as the verb: even pace
                    clip = even_pace(clip)
                    new = clip[1:-1]
                p = psnr(new, truth) if task != "morph" else float("nan")
                steps = [_jump(x, y) for x, y in itertools.pairwise(clip)]
                scores.setdefault(name, []).append((p, _jump(own[-1], new[0]), max(steps)))
                clips[name] = clip
            if a.sheet is not None and i < 2:
                for name in ("the truth", "resized up", f"sharpened, tol {SHARP_TOL:g}"):
                    if name in clips:
                        videos.append(Video(clips[name], item.fps))
                        names.append(f"{task} {a.skip + i}: {name}")
        for name, rows in scores.items():
            p, seam, top = np.array(rows).T
            shown = "-" if task == "morph" else f"{np.mean(p):.2f} dB"
            print(f"| {task} | {name} | {shown} | {np.mean(seam):.2f} | {np.mean(top):.2f} |")
    if a.sheet is not None:
        sheet_of_many(videos, a.sheet, frames_per_row=9, captions=names)


if __name__ == "__main__":
    main()
