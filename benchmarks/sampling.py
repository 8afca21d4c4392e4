"""How the sampler's settings change what the analyser reads: guidance, steps and shift, on
the same prompts and seeds as `spacetime eval`.

    python benchmarks/sampling.py [--model FOLDER] [--suites trained,heldout] [--n 20]
        [--guidance 4,8] [--steps 20] [--shift 2] [--stop 1,0.5] [--out FILE.json]

Every combination of the listed values runs the first n items of each suite, text to video,
item k of the list with seed k (the default suites with n 40 are the first 80 clips of
`spacetime eval --full`; --stop sets guidance_stop). Prints one row per setting: the share
right per attribute, all attributes right, objects that stay (permanence) and seconds per
clip (generation and analysis together).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from spacetime.eval import suites as S
from spacetime.eval.generators import from_pipeline
from spacetime.eval.run import run, summarise
from spacetime.pipeline import Pipeline
from spacetime.world.score import ATTRIBUTES


def floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="model folder (default: the shipped one)")
    ap.add_argument("--suites", default="trained,heldout")
    ap.add_argument("--n", type=int, default=20, help="items per suite")
    ap.add_argument("--guidance", type=floats, default=[4.0])
    ap.add_argument("--steps", type=ints, default=[20])
    ap.add_argument("--shift", type=floats, default=[2.0])
    ap.add_argument("--stop", type=floats, default=[1.0], help="guidance_stop values")
    ap.add_argument("--out", type=Path, default=None, help="also write the rows as JSON")
    a = ap.parse_args()

    pipe = Pipeline.load(a.model)
    frames, fps = int(pipe.meta["frames"]), float(pipe.meta["fps"])
    items = [it for s in a.suites.split(",") for it in S.build(s, a.n, (frames - 1) / fps)]
    rows = []
    cols = ["guidance", "steps", "shift", "stop", *ATTRIBUTES, "all", "stays", "s/clip"]
    print("| " + " | ".join(cols) + " |")
    print("|---" * len(cols) + "|")
    for g, n, sh, u in itertools.product(a.guidance, a.steps, a.shift, a.stop):
        pipe.meta["shift"] = sh
        gen = from_pipeline(pipe, guidance=g, steps=n, guidance_stop=u)
        t0 = time.perf_counter()
        res = run(gen, items, frames=frames, fps=fps, size=int(pipe.meta["size"]))
        row = summarise(res, (frames - 1) / fps)["all"]
        rows.append({"guidance": g, "steps": n, "shift": sh, "stop": u, **row})
        cells = [f"{row[k]:.0%}" for k in (*ATTRIBUTES, "all_right", "permanence")]
        secs = (time.perf_counter() - t0) / len(items)
        head = f"| {g:g} | {n} | {sh:g} | {u:g} | "
        print(head + " | ".join(cells) + f" | {secs:.2f} |", flush=True)
    if a.out:
        meta = {"model": a.model or "shipped", "suites": a.suites, "n": a.n}
        a.out.write_text(json.dumps({**meta, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
