"""Contact sheets of the shipped model on 16 held-out prompts, each beside the truth.

    python docs/model_gallery.py [--model FOLDER]

Prompts are the first 16 of the eval's held-out suite (colour-shape-motion triples never in
training). Writes docs/img/model-heldout-{1,2}.png: for each prompt the model's clip (seed 0,
the model's default settings) and the world's ground truth under it, and prints what the
analyser read back from the model's clip.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from spacetime.eval.run import judge
from spacetime.eval.suites import build
from spacetime.io import Video, sheet_of_many
from spacetime.pipeline import Pipeline
from spacetime.world.render import render

OUT = Path(__file__).parent / "img"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    pipe = Pipeline.load(args.model)
    m = pipe.meta
    items = build("heldout", 16, (m["frames"] - 1) / m["fps"])
    for page in range(2):
        videos, captions = [], []
        for k, it in enumerate(items[8 * page : 8 * page + 8], start=8 * page):
            v = pipe.generate(it.prompt, seed=0)
            j = judge(it, v)
            mark = (
                "right"
                if j["all_right"]
                else "wrong: " + ", ".join(a for a, ok in j["right"].items() if ok is False)
            )
            print(f"{k + 1:2d}. {it.prompt} -> {mark}; analyser: {j['found']}")
            truth = render(it.truth, m["frames"], m["fps"], m["size"])
            videos += [v, Video(truth, m["fps"], {})]
            captions += [f"{k + 1}. model: {it.prompt} ({mark})", f"{k + 1}. truth"]
        sheet_of_many(
            videos, OUT / f"model-heldout-{page + 1}.png", frames_per_row=9, captions=captions
        )


if __name__ == "__main__":
    main()
