"""Where sampling starts, for the tasks with known pixels: pure noise, or the classical guess.

    python benchmarks/start.py [--model FOLDER] [--items 4] [--skip 0] [--starts 1,0.7,0.4]
        [--seam on] [--tasks animate,extend,...] [--sheet tasks.png] [--detail]

`Pipeline.generate(start=S)` starts sampling from a classical guess of the clip
(`known.start_guess`) noised to sigma = S; S = 1 is pure noise. Every task of `spacetime
eval`'s task suites runs through its verb once per S, in the same run as the classical
baselines. --seam both also runs each S with the seam correction off
(`generate(seam=False)`: made frames are not bent to meet the known ones). Prints the eval
report's task table (a row per task and method) and writes the summary and every item's
scores as JSON to --out; --sheet also draws the first item of each task with what every
method made.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from spacetime.eval import tasks as T
from spacetime.eval.report import task_sheet, task_table
from spacetime.pipeline import Pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--items", type=int, default=4, help="items per task")
    ap.add_argument("--skip", type=int, default=0, help="first items left out (12: the eval's)")
    ap.add_argument("--starts", default="1,0.7,0.4", help="comma-separated start levels")
    ap.add_argument("--seam", choices=("on", "off", "both"), default="on")
    ap.add_argument("--tasks", default=",".join(T.TASKS), help="comma-separated tasks")
    ap.add_argument("--sheet", type=Path, default=None, help="contact sheet (PNG) to write")
    ap.add_argument("--detail", action="store_true", help="detail add-back on in every verb")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks/start.json"))
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    seams = {"on": [True], "off": [False], "both": [True, False]}[a.seam]
    opts = {"seed": 0, **({"detail": True} if a.detail else {})}
    methods = {
        f"start {s:g}{'' if on else ', no seam'}": T.model_method(pipe, start=s, seam=on, **opts)
        for s in (float(x) for x in a.starts.split(","))
        for on in seams
    }
    items = [it for t in a.tasks.split(",") for it in T.build(t, a.skip + a.items)[a.skip :]]
    outputs: dict[tuple[str, str], np.ndarray] = {}
    rows = T.run_tasks(items, methods, outputs=outputs)
    summary = T.summarise_tasks(rows)
    if a.sheet is not None:
        task_sheet(items, a.sheet, outputs)
    print("\n".join(task_table(summary)))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "model": a.model,
        "items": a.items,
        "skip": a.skip,
        "seam": a.seam,
        "summary": summary,
        "rows": rows,
    }
    a.out.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
