"""The colour anchor's per-colour correction on and off, on the verbs' task items.

    python benchmarks/anchor.py [--items 12] [--skip 12] [--tasks animate,extend,...]
        [--out docs/benchmarks/anchor.json]

Every verb corrects the model's output towards the known pixels before putting them back
(`known.ColourAnchor`): per colour, by the miss left at known pixels of that colour
(`known.colour_lut`), then by one offset per channel. "offset only" runs the same verbs with
the per-colour part off (`known.LUT_PRIOR` infinite: no colour counts), in the same run as
the baselines. Prints the eval's task table and writes every item's scores to --out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from spacetime import known
from spacetime.eval import tasks as T
from spacetime.eval.report import task_table
from spacetime.pipeline import Pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: shipped)")
    ap.add_argument("--items", type=int, default=12, help="items per task")
    ap.add_argument("--skip", type=int, default=12, help="first items left out (12: the eval's)")
    ap.add_argument("--tasks", default="animate,extend,interpolate,inpaint,outpaint,cinemagraph")
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks/anchor.json"))
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    run = T.model_method(pipe, seed=0)
    prior = known.LUT_PRIOR

    def with_prior(value: float) -> T.Method:
        def method(item: T.TaskItem) -> np.ndarray:
            known.LUT_PRIOR = value
            try:
                return run(item)
            finally:
                known.LUT_PRIOR = prior

        return method

    methods = {"per colour": with_prior(prior), "offset only": with_prior(np.inf)}
    items = [it for t in a.tasks.split(",") for it in T.build(t, a.skip + a.items)[a.skip :]]
    rows = T.run_tasks(items, methods)
    summary = T.summarise_tasks(rows)
    print("\n".join(task_table(summary)))
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(
        json.dumps({"items": a.items, "skip": a.skip, "summary": summary, "rows": rows}, indent=1)
    )


if __name__ == "__main__":
    main()
