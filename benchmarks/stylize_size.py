"""stylize at the input's own size: the working size resized up, or sharpened from the input.

    python benchmarks/stylize_size.py [--items 12] [--size 256] [--tols 8,16,32]
        [--strength 0.6] [--model FOLDER] [--sheet PNG]

Each item is a world clip of one object moving over a backdrop at --size px (17 frames at
8 fps) and a prompt that changes only the object's colour; the truth is the same scene
rendered in the new colour. stylize runs at the model's working size on the clip resized
down (as the command does), and its frames are brought to --size two ways: resized up
alone (cubic), and sharpened from the input's own frame at the same time
(`fullsize.sharpen_each`, as `fullsize.restyled` does at SHARP_TOL) at each tolerance of
--tols. Prints per method the mean PSNR
against the truth over the whole frame, over the pixels the change leaves alone (the
backdrop: truth and input equal) and over the rest (the object), and how many items show
the object in the new colour (its pixels in the made frames nearer the new colour than
the old). --sheet draws the first three items: input, truth, resized up, sharpened.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from spacetime.eval.metrics import psnr
from spacetime.fullsize import SHARP_TOL, resize, sharpen_each
from spacetime.io import Video, sheet_of_many
from spacetime.pipeline import Pipeline
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render
from spacetime.world.spec import COLOURS

SHAPES = ("circle", "square", "triangle", "star", "heart", "cross")
MOVES = ("left", "right", "up", "down")
PLACES = ("on a grass field", "at sunset", "on a checkered floor", "over the sea", "at night")


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR of two sets of pixels (N, 3)."""
    return psnr(a[None, None], b[None, None])


def items(n: int, size: int, seed: int = 0) -> list[tuple[str, np.ndarray, np.ndarray, tuple]]:
    """(prompt, input, truth, (old, new) colour) for n scenes drawn from seed."""
    rng = np.random.default_rng(seed)
    names = list(COLOURS)
    out = []
    for i in range(n):
        old, new = rng.choice(names, 2, replace=False)
        shape, move, place = rng.choice(SHAPES), rng.choice(MOVES), rng.choice(PLACES)
        said = f"a {{}} {shape} moving {move} {place}"
        clips = [
            render(prompt_to_scene(said.format(c), 2.0, seed=i), 17, 8.0, size) for c in (old, new)
        ]
        out.append((said.format(new), clips[0], clips[1], (COLOURS[old], COLOURS[new])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=12)
    ap.add_argument("--size", type=int, default=256, help="the input's side in pixels")
    ap.add_argument("--tols", default="8,16,32", help="tolerances to score")
    ap.add_argument("--strength", type=float, default=0.6)
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--sheet", type=Path, default=None, help="contact sheet (PNG) to write")
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    hw = pipe.canvas(a.size, a.size)
    tols = [float(t) for t in a.tols.split(",")]
    scores: dict[str, list[tuple[float, float, float]]] = {}
    recoloured = 0
    videos, names = [], []
    print(f"{a.items} items at {a.size} px; the model works at {hw[1]}x{hw[0]}")
    for i, (prompt, clip, truth, (old, new)) in enumerate(items(a.items, a.size)):
        small = np.stack([resize(f, *hw) for f in clip])
        made = pipe.stylize(small, prompt, strength=a.strength, seed=0).frames  # (T, h, w, 3)
        ways = {"resized up": np.stack([resize(f, a.size, a.size) for f in made])}
        for t in tols:
            ways[f"sharpened, tol {t:g}"] = np.stack(
                [next(sharpen_each(made[k : k + 1], [clip[k]], tol=t)) for k in range(len(made))]
            )
        same = (truth == clip).all(-1)  # (T, H, W): the backdrop, which the change leaves
        obj = ~same
        for name, frames in ways.items():
            row = (psnr(frames, truth), _psnr(frames[same], truth[same]))
            scores.setdefault(name, []).append((*row, _psnr(frames[obj], truth[obj])))
        px = ways["resized up"][obj].astype(np.float32)  # (N, 3): the object's pixels, made
        near_new = np.linalg.norm(px - new, axis=-1) < np.linalg.norm(px - old, axis=-1)
        recoloured += int(near_new.mean() > 0.5)
        if a.sheet is not None and i < 3:
            shown = {"input": clip, "truth": truth, **ways}
            for name in ("input", "truth", "resized up", f"sharpened, tol {SHARP_TOL:g}"):
                if name in shown:
                    videos.append(Video(shown[name], 8.0))
                    names.append(f"{i}: {name}")
    print(f"the object in the new colour in {recoloured} of {a.items} items")
    print("| method | PSNR whole frame | PSNR backdrop | PSNR object |")
    print("|---|---|---|---|")
    for name, rows in scores.items():
        whole, back, obj = np.mean(rows, axis=0)
        print(f"| {name} | {whole:.2f} dB | {back:.2f} dB | {obj:.2f} dB |")
    if a.sheet is not None:
        sheet_of_many(videos, a.sheet, frames_per_row=9, captions=names)


if __name__ == "__main__":
    main()
