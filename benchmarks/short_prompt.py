"""A film-maker's short prompt: does the made part keep the input's background?

    python benchmarks/short_prompt.py [--items 12] [--model FOLDER] [--sheet PNG]

The world's captions leave the background out only when it is plain grey, so a model trained
on them reads a prompt without one as "on plain grey". A film-maker extending a clip writes
what should happen ("the red star keeps drifting right"), not the background the clip
already shows. For --items world clips on backgrounds other than grey (one or two objects,
a still camera), `extend` (+1 s after 9 frames) and `animate` (17 frames from frame 0) run
with three prompts:

- caption: the world's caption, background named;
- short: the same caption with its background phrase taken out;
- short, completed: the short prompt, completed by the verb from the input (the default;
  `complete=False` is the short prompt as written).

For each it reports, over the made frames: how often the analyser reads the input's
background; the frame cast (CIE Lab delta E between the mean colour of the made frames and
of the truth's same frames); the PSNR of the made frames against the truth. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace

import cv2
import numpy as np

from spacetime.io import Video, sheet_of_many
from spacetime.pipeline import Pipeline
from spacetime.world.analyse import analyse
from spacetime.world.caption import BACKGROUND_PHRASES, caption
from spacetime.world.render import render
from spacetime.world.sample import sample_scene


def short(text: str, background: str) -> str:
    """The caption without its background phrase (the longest that occurs, with the comma
    or 'all' around it)."""
    for phrase in sorted(BACKGROUND_PHRASES[background], key=len, reverse=True):
        pattern = rf"(,\s*all\s+|,\s*|\s+)?{re.escape(phrase)}(,\s*)?"
        cut = re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)
        if cut != text:
            return re.sub(r"\s+([.,])", r"\1", " ".join(cut.split())).strip(" ,")
    return text


def _lab_mean(frames: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(frames.reshape(-1, frames.shape[-2], 3), cv2.COLOR_RGB2LAB)
    lab = lab.astype(np.float64).reshape(-1, 3)
    return np.stack([lab[:, 0] * 100 / 255, lab[:, 1] - 128, lab[:, 2] - 128], -1).mean(0)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 99.0 if mse == 0 else 10 * float(np.log10(255.0**2 / mse))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=12)
    ap.add_argument("--model", default=None)
    ap.add_argument("--sheet", default=None, help="write a contact sheet of the first items")
    a = ap.parse_args()
    pipe = Pipeline.load(a.model)
    fps, size = float(pipe.meta["fps"]), int(pipe.meta["size"])
    rng = np.random.default_rng(2026)
    scenes = []
    while len(scenes) < a.items:
        s = sample_scene(rng, 3.0, max_objects=2)
        if s.background != "grey" and s.camera == "static":
            scenes.append(s)
    rows: dict[str, dict[str, list]] = {}
    sheets, captions = [], []
    for k, scene in enumerate(scenes):
        truth = render(scene, 17 + 8, fps, size)
        full = caption(scene, np.random.default_rng([11, k]))
        prompts = {
            "caption": (full, {}),
            "short": (short(full, scene.background), {"complete": False}),
            "short, completed": (short(full, scene.background), {}),
        }
        for name, (prompt, opts) in prompts.items():
            for task in ("extend", "animate"):
                if task == "extend":
                    v = pipe.extend(truth[:9], prompt, seconds=1.0, seed=k, **opts)
                    made, true = v.frames[9:], truth[9:17]
                else:
                    v = pipe.animate(truth[0], prompt, seed=k, **opts)
                    made, true = v.frames[1:], truth[1:17]
                r = rows.setdefault(f"{task}: {name}", {"kept": [], "cast": [], "psnr": []})
                r["kept"].append(analyse(made, fps).background == scene.background)
                r["cast"].append(float(np.linalg.norm(_lab_mean(made) - _lab_mean(true))))
                r["psnr"].append(_psnr(made, true))
                if k < 3 and task == "extend":
                    sheets.append(replace(Video(v.frames, fps), recipe={}))
                    captions.append(f"{task}, {name}: {v.recipe['prompt']!r}")
        print(f"item {k}: {scene.background}: {short(full, scene.background)!r}", flush=True)
    summary = {
        name: {
            "background kept": f"{np.mean(r['kept']):.0%}",
            "cast (delta E)": round(float(np.mean(r["cast"])), 2),
            "PSNR dB": round(float(np.mean(r["psnr"])), 2),
        }
        for name, r in rows.items()
    }
    if a.sheet:
        sheet_of_many(sheets, a.sheet, frames_per_row=17, captions=captions)
    print(json.dumps({"items": a.items, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
