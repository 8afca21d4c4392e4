"""The cinemagraph verb with and without keeping the object's look, on the eval's items.

    python benchmarks/cinemagraph.py [--model FOLDER] [--items 24] [--skip 12]
        [--point [--drag] [--margin 0.2]]

Each item of `spacetime eval`'s cinemagraph suite (`tasks.build("cinemagraph", ...)`) runs
through `Pipeline.cinemagraph` twice, seed 0: as the model made it (`keep=False`,
`--as-made`) and kept (`keep=True`, the default: `sprite.keep_look`). The region is the
item's box around the object's whole path, as in the eval, or with --point the box
`spacetime cinemagraph --point` makes (`inputs.region_at`) from a click at the object's centre
in frame 0, which knows nothing of where it goes; with --drag too, the click is dragged to
where the object is in the truth's last frame (`--point X,Y --to X,Y`, a motion brush), so
the box holds its path. Prints, for each way: in how many items
the analyser sees the object move as the prompt says, and the PSNR of frames 1 on against
the truth (the hidden pixels with the eval's box, whole frames with --point).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from spacetime.eval import tasks as T
from spacetime.inputs import region_at
from spacetime.pipeline import Pipeline
from spacetime.sprite import background, cut
from spacetime.world.analyse import analyse


def click(item: T.TaskItem, drag: bool, margin: float) -> np.ndarray:
    """The region --point makes from a click at the centre of the object in frame 0; with
    drag, --to the centre of the pixels of the object's colour in the truth's last frame."""
    image, box = item.known[0], item.mask[1]
    colours = background(image, box)
    got = None if colours is None else cut(image, box, colours)
    ys, xs = np.nonzero(got[0] if got is not None else box)
    x, y = int(xs.mean() + 0.5), int(ys.mean() + 0.5)
    to = None
    if drag:
        colour = image[ys, xs].astype(int).mean(axis=0)  # (3,)
        near = (np.abs(item.truth[-1].astype(int) - colour).max(axis=-1) < 40) & box
        if near.any():
            ey, ex = np.nonzero(near)
            to = (int(ex.mean() + 0.5), int(ey.mean() + 0.5))
    return region_at(image.copy(), x, y, margin, to)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--items", type=int, default=24)
    ap.add_argument("--skip", type=int, default=12, help="first items left out (12: the eval's)")
    ap.add_argument("--point", action="store_true", help="click the object instead of its box")
    ap.add_argument("--drag", action="store_true", help="and drag it to where it ends")
    ap.add_argument("--margin", type=float, default=0.2, help="region_at's margin")
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    items = T.build("cinemagraph", a.skip + a.items)[a.skip :]
    right = {"as made": 0, "kept": 0}
    psnr: dict[str, list[float]] = {"as made": [], "kept": []}
    for it in items:
        region = click(it, a.drag, a.margin) if a.point else it.mask[1]
        hidden = np.broadcast_to(region, it.mask.shape).copy()
        hidden[0] = False
        for name, keep in (("as made", False), ("kept", True)):
            v = pipe.cinemagraph(it.known[0], it.prompt, region=region, seed=0, keep=keep)
            seen = analyse(v.frames, it.fps).tracks
            right[name] += any((u.colour, u.shape, u.motion) == it.mover for u in seen)
            px = slice(1, None) if a.point else hidden
            psnr[name].append(T._psnr(v.frames[px], it.truth[px]))
    print(
        json.dumps(
            {
                "items": f"cinemagraph [{a.skip}:{a.skip + a.items}]",
                "region": (
                    f"--point click{' and drag' if a.drag else ''}, margin {a.margin}"
                    if a.point
                    else "the eval's box"
                ),
                **{
                    name: {
                        "motion_right": f"{right[name]} of {len(items)}",
                        "psnr_db": round(float(np.mean(psnr[name])), 2),
                    }
                    for name in right
                },
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
