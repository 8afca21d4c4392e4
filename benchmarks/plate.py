"""The cinemagraph's plate against the true backdrop: how well each way of filling the hole
left by the object (`spacetime.fill`) restores the backdrop the world drew behind it.

    python benchmarks/plate.py [--items 60] [--size 64] [--sheet PNG]

For each item of `spacetime eval`'s cinemagraph suite (`tasks.build("cinemagraph", ...)`,
rendered at --size), the object is cut from frame 0 inside the item's box
(`sprite.cut`), and the hole it leaves (`sprite.painted`) is filled four ways: `fill` as the
verb does it (a plane, else a shifted copy, else Telea), Telea alone, the plane alone and the
shifted copy alone (the last two only where they accept). Prints the PSNR of each on the
hole's pixels (from the mean of the items' squared errors) against the world's backdrop alone
(`render_background`), per backdrop and over all items, and which way `fill` took. --sheet
writes a PNG of the first 5 items on a textured backdrop: the image, Telea's plate, the
verb's plate and the backdrop alone, side by side.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import cv2
import numpy as np

from spacetime import fill as F
from spacetime.eval import tasks as T
from spacetime.sprite import FAR, _distance, _others, background, cut, painted
from spacetime.world.render import render, render_background


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--size", type=int, default=64, help="render size (64: the eval's)")
    ap.add_argument(
        "--sheet", default=None, help="PNG of 5 textured items: image, Telea, fill, truth"
    )
    a = ap.parse_args()
    sheet: list[np.ndarray] = []
    frames, fps = 17, 8.0
    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    took: dict[str, int] = defaultdict(int)
    secs = 0.0
    for k in range(a.items):
        rng = np.random.default_rng([100 + T.TASKS.index("cinemagraph"), k])
        scene = T._cinemagraph_scene(rng, (frames - 1) / fps)
        image = render(scene, 1, fps, a.size)[0]
        truth = render_background(scene, 0.0, a.size, a.size)  # (H, W, 3), no objects
        x0, y0, x1, y1 = T._box_around(scene.objects[0], scene, (frames - 1) / fps, a.size)
        region = np.zeros((a.size, a.size), bool)
        region[y0:y1, x0:x1] = True
        colours = background(image, region)
        got = None if colours is None else cut(image, region, colours)
        if got is None:
            continue
        mask, plate = got  # the verb's plate
        hole = painted(mask)
        far = region & (_distance(image, colours) > FAR)
        avoid = _others(image, colours, _distance(image, colours), far)
        t = time.perf_counter()
        _, how = F.fill(image, hole, avoid)  # which way it took (avoid as cut's, near enough)
        secs += time.perf_counter() - t
        took[how] += 1
        ways = {
            "fill": plate,
            "telea": cv2.inpaint(image, hole.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA),
            "plane": F.plane(image, hole),
            "shift": F.shifted(image, hole, avoid),
        }
        if a.sheet and len(sheet) < 5 and scene.background in ("checker", "grass", "sea", "night"):
            cells = (image, ways["telea"], plate, truth.round().astype(np.uint8))
            sheet.append(
                np.concatenate(
                    [np.pad(c, ((2, 2), (2, 2), (0, 0)), constant_values=255) for c in cells], 1
                )
            )
        for name, p in ways.items():
            if p is not None:
                for key in (scene.background, "all"):
                    err = (p[hole].astype(np.float64) - truth[hole]) ** 2
                    rows[key][name].append(float(err.sum()) / err.size)  # MSE, pooled below
    if a.sheet:
        cv2.imwrite(a.sheet, cv2.cvtColor(np.concatenate(sheet, 0), cv2.COLOR_RGB2BGR))
    names = ("fill", "telea", "plane", "shift")
    print(f"size {a.size}, {sum(took.values())} items cut; fill took {dict(took)}")
    print(f"fill: {1000 * secs / max(1, sum(took.values())):.1f} ms an item")
    print("| backdrop | items | " + " | ".join(f"{n} dB (n)" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for key in sorted(rows, key=lambda r: (r == "all", r)):
        cells = [
            f"{min(99.0, 10 * np.log10(255**2 / max(np.mean(rows[key][n]), 1e-9))):.1f} "
            f"({len(rows[key][n])})"
            if rows[key][n]
            else "—"
            for n in names
        ]
        print(f"| {key} | {len(rows[key]['fill'])} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
