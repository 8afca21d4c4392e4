"""Detail's rule for pixels still between two known frames, on task items the eval does not use.

    python benchmarks/detail.py [--model FOLDER] [--tols 0,40,inf] [--items 24] [--skip 12]
        [--tasks interpolate,morph]

Detail keeps the classical guess's own pixels where the model's output agrees with the
guess's VAE round trip (`known.guess_kept`). A pixel whose nearest known frames before and
after hold the same value (`known.still_between`) is kept from the guess when the model is
within STILL_TOL of that round trip: 0 turns the rule off, inf (the default) keeps every
such pixel. Items skip .. skip + items of each task are scored (`spacetime eval` uses the
first 12), so a tolerance is not chosen on the items that report it. Prints the task table,
and per tolerance how many items the model beats the task's strongest classical baseline
on (PSNR).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from spacetime import known
from spacetime.eval import tasks as T
from spacetime.eval.report import task_table
from spacetime.pipeline import Pipeline


def with_tol(run: Any, tol: float) -> Any:
    def method(item: T.TaskItem) -> np.ndarray:
        known.STILL_TOL = tol
        return run(item)

    return method


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--tols", default="0,40,inf", help="comma-separated STILL_TOL values")
    ap.add_argument("--items", type=int, default=24, help="items per task")
    ap.add_argument("--skip", type=int, default=12, help="first items left out (the eval's)")
    ap.add_argument("--tasks", default="interpolate,morph", help="comma-separated tasks")
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    run = T.model_method(pipe, seed=0)
    tols = [float(x) for x in a.tols.split(",")]
    methods = {f"still tol {t:g}": with_tol(run, t) for t in tols}
    items = [it for t in a.tasks.split(",") for it in T.build(t, a.skip + a.items)[a.skip :]]
    rows = T.run_tasks(items, methods)
    print("\n".join(task_table(T.summarise_tasks(rows))))
    for task in a.tasks.split(","):
        base = list(T.BASELINES[task])[-1]  # the strongest
        for name in methods:
            mine = {r["id"]: r for r in rows if r["task"] == task and r["method"] == name}
            theirs = {r["id"]: r for r in rows if r["task"] == task and r["method"] == base}
            if mine[next(iter(mine))]["psnr_hidden"] is None:  # morph: no truth
                continue
            wins = sum(mine[i]["psnr_hidden"] > theirs[i]["psnr_hidden"] for i in mine)
            print(f"{task}, {name}: beats {base} on {wins} of {len(mine)} items (PSNR)")


if __name__ == "__main__":
    main()
