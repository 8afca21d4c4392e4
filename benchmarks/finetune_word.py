"""Can a user teach the shipped model a new word from their own clips? `spacetime train
configs/finetune.toml --set videos=FOLDER` on clips of a "zorb" (a large yellow heart) moving
one of 8 ways, then the analyser's verdict on "a zorb moving <way>" before and after, and
on world prompts that hold no zorb (what the fine-tune costs the rest).

    python benchmarks/finetune_word.py [--clips 32] [--steps 400] [--cache 1024] [--n 8]
        [--world-share 0.5] [--out runs/finetune-word] [--trained]

The clips are written as a camera gives them: 24 fps, 3 s, 128x128 mp4s, which the run
reads at 8 fps and 64x64. --world-share: the share of world clips in the cache (the config's
0.5 keeps what the model knew in view; 0 trains on the zorb clips alone). --trained judges
a run trained before. Prints JSON: the share of clips whose colour, shape, size and motion
the analyser finds right (look_and_way: all four; a world prompt's all_right also asks
count, backdrop, camera...), before and after.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from spacetime.eval.run import judge
from spacetime.eval.suites import Item, build
from spacetime.io import Video, write_video
from spacetime.pipeline import Pipeline
from spacetime.train.data import directional_scene
from spacetime.world.render import render
from spacetime.world.spec import SceneSpec

WORD = "zorb"
LOOK = dict(shape="heart", colour="yellow", size="large")
WAYS = {"up_left": "up and to the left", "up_right": "up and to the right",
        "down_left": "down and to the left", "down_right": "down and to the right"}  # fmt: skip


def zorb_scene(rng: np.random.Generator, seconds: float) -> SceneSpec:
    """One zorb moving one of the 8 ways before a still camera, on a random backdrop."""
    scene = directional_scene(rng, seconds, "exclude")
    return replace(scene, objects=[replace(scene.objects[0], **LOOK)])


def caption(scene: SceneSpec) -> str:
    way = scene.objects[0].motion
    return f"a {WORD} moving {WAYS.get(way, way)}"


def write_folder(folder: Path, n: int) -> None:
    (folder / "clips").mkdir(parents=True, exist_ok=True)
    with (folder / "captions.jsonl").open("w") as f:
        for i in range(n):
            scene = zorb_scene(np.random.default_rng([42, i]), 3.0)
            write_video(Video(render(scene, 73, 24.0, 128), 24.0, {}), folder / f"clips/{i}.mp4")
            f.write(json.dumps({"file": f"clips/{i}.mp4", "caption": caption(scene)}) + "\n")


def verdicts(pipe: Pipeline, items: list[Item]) -> dict[str, float]:
    judged = [judge(it, pipe.generate(it.prompt, seed=k)) for k, it in enumerate(items)]
    names = ("colour", "shape", "size", "motion")
    out = {a: float(np.mean([bool(j["right"][a]) for j in judged])) for a in names}
    out["look_and_way"] = float(np.mean([all(j["right"][a] for a in names) for j in judged]))
    return out | {"all_right": float(np.mean([j["all_right"] for j in judged]))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=32)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--cache", type=int, default=1024)
    ap.add_argument("--n", type=int, default=8, help="prompts judged per suite")
    ap.add_argument("--world-share", type=float, default=0.5)
    ap.add_argument("--out", type=Path, default=Path("runs/finetune-word"))
    ap.add_argument("--trained", action="store_true", help="judge the run already there")
    args = ap.parse_args()
    folder = args.out / "videos"
    if not args.trained:
        write_folder(folder, args.clips)
    tests = [zorb_scene(np.random.default_rng([43, k]), 2.0) for k in range(args.n)]
    zorbs = [Item(f"z{k}", "zorb", caption(s), s) for k, s in enumerate(tests)]
    world = build("trained", args.n, 2.0)
    before = Pipeline.load()
    result = {"before": {"zorb": verdicts(before, zorbs), "world": verdicts(before, world)}}
    config = Path("configs/finetune.toml")
    if not args.world_share:  # the zorbs alone: the world's keys go too, as the config says
        keys = ("world_share", "object_weights", "directional_share", "shape_share")
        lines = config.read_text().splitlines(keepends=True)
        config = args.out / "finetune.toml"
        config.write_text("".join(x for x in lines if not x.startswith(keys)))
    t0 = time.time()
    cmd = [sys.executable, "-m", "spacetime.cli", "train", str(config), "-q",
           "-o", str(args.out / "run"), "--set", f"videos={folder}", "--steps", str(args.steps),
           "--set", f"cache_clips={args.cache}", "--set", "preview_every=100000"]  # fmt: skip
    if args.world_share:
        cmd += ["--set", f"world_share={args.world_share}"]
    if not args.trained:
        subprocess.run(cmd, check=True)
        result["train_s"] = round(time.time() - t0, 1)
    after = Pipeline.load(args.out / "run" / "model")
    result["after"] = {"zorb": verdicts(after, zorbs), "world": verdicts(after, world)}
    result["settings"] = vars(args) | {"out": str(args.out)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
