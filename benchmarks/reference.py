"""Reference images: is a named character recognised in clips made with its reference?

    python benchmarks/reference.py [--model FOLDER] [--clips 4]

For each character of the world, the reference is the character standing on plain cream.
Each clip is a different prompt (action, background) naming that character, made with
`generate(..., reference=image)` and, for comparison, without. The analyser must find a
track it names as that character. Prints the shares as JSON and writes
docs/img/reference.png (first clip of each character, with and without the reference).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from spacetime.io import Video, sheet_of_many
from spacetime.pipeline import Pipeline
from spacetime.world.analyse import analyse
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render

CHARACTERS = ("Momo", "Kiko", "Tama", "Pip")
ACTIONS = (
    "walks left on a grass field",
    "jumps at sea",
    "waves at sunset",
    "walks right on plain grey",
    "stands on a checkered floor",
    "jumps at night",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--clips", type=int, default=4, help="clips per character (at most 6)")
    ap.add_argument("--out", default="docs/img/reference.png")
    args = ap.parse_args()
    pipe = Pipeline.load(args.model)
    fps, size = float(pipe.meta["fps"]), int(pipe.meta["size"])
    found: dict[str, list[bool]] = {"with reference": [], "without": []}
    videos, captions = [], []
    for name in CHARACTERS:
        ref = render(prompt_to_scene(f"{name} stands on plain cream", 0.0), 1, fps, size)[0]
        for k, action in enumerate(ACTIONS[: args.clips]):
            prompt = f"{name} {action}"
            for label, r in (("with reference", ref), ("without", None)):
                v = pipe.generate(prompt, seed=k, reference=r)
                seen = [t.character for t in analyse(v.frames, fps).tracks]
                found[label].append(name.lower() in [str(c).lower() for c in seen])
                if k == 0:
                    videos.append(v)
                    captions.append(f"{prompt} ({label}); analyser saw: {seen or 'nothing'}")
        videos.insert(len(videos) - 2, Video(ref[None], fps))
        captions.insert(len(captions) - 2, f"reference for {name}")
    sheet_of_many(videos, Path(args.out), frames_per_row=9, captions=captions)
    print(json.dumps({k: round(float(np.mean(v)), 3) for k, v in found.items()}, indent=1))


if __name__ == "__main__":
    main()
