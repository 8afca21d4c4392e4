"""Where sampling starts, for the tasks with known pixels: pure noise, or the classical guess.

    python benchmarks/start.py [--model FOLDER] [--items 4] [--starts 1,0.7,0.4]

`Pipeline.generate(start=S)` starts sampling from a classical guess of the clip (the known
frames held and blended in time, never-known pixels painted in) noised to sigma = S; S = 1
is pure noise. Every task of `spacetime eval`'s task suites runs through its verb once per
S, in the same run as the classical baselines. Prints, per task and method, the mean PSNR on
the made pixels, the track error and the largest frame-to-frame jump, and writes them as
JSON to --out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from spacetime.eval import tasks as T
from spacetime.pipeline import Pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--items", type=int, default=4, help="items per task")
    ap.add_argument("--starts", default="1,0.7,0.4", help="comma-separated start levels")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks/start.json"))
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    methods = {
        f"start {s:g}": T.model_method(pipe, seed=0, start=s)
        for s in (float(x) for x in a.starts.split(","))
    }
    items = [it for t in T.TASKS for it in T.build(t, a.items)]
    summary = T.summarise_tasks(T.run_tasks(items, methods))
    keys = ("psnr_hidden", "track_error", "max_jump", "motion_right")
    print("| task | method | " + " | ".join(keys) + " |")
    print("|---" * (2 + len(keys)) + "|")
    for task, rows in summary.items():
        for name, v in rows.items():
            if name in ("oracle", "noise"):
                continue
            cells = ["" if v[k] is None else f"{v[k]:.3g}" for k in keys]
            print(f"| {task} | {name} | " + " | ".join(cells) + " |")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"model": a.model, "items": a.items, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
