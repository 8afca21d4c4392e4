"""Can the transformer learn direction words when direction is all that varies? A short
fine-tune on directional clips, then the direction row of caption_gap.py.

    python benchmarks/learn_direction.py [--model FOLDER] [--clips 512] [--steps 400]
        [--lr 1e-3] [--high] [--text 0.5] [--position] [--motion N] [--save FOLDER]

Clips: one plain object, static camera, moving in one of the 8 directions. A share `--text`
of them is text-to-video, the rest have frame 0 known. The model's transformer is trained
on them (AdamW, batch 16, warmup 30 steps then constant, object cells weighted 1 + 4, no
EMA), with t as in training (shift 2) or, with --high, t from 0.9 to 1 only, where the
caption alone says where the object goes. --position adds a learnable absolute position
embedding (zero at the start) to the patch tokens: does the model lack absolute position?
--motion N also generates N directional clips from pure noise, image-to-video from the truth's
frame 0 and text-to-video, and counts those whose object the analyser sees move the captioned
way (the truth's count shows the analyser's own rate). --save keeps the fine-tuned model.
Prints JSON: the direction gap before and after, per task and t.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from caption_gap import clips as gap_clips
from caption_gap import gaps, motion_right

from spacetime.diffusion import train_times
from spacetime.models import folder as mf
from spacetime.pipeline import Pipeline
from spacetime.train.cache import encode_shard
from spacetime.train.config import TrainConfig
from spacetime.train.transformer import flow_loss

BATCH = 16


def directional_data(pipe: Pipeline, n: int, text_share: float, seed: int) -> dict:
    """n directional clips, encoded by the training cache's own code (one shard of n)."""
    m = pipe.meta
    cfg = TrainConfig(
        frames=int(m["frames"]),
        fps=float(m["fps"]),
        size=int(m["size"]),
        text_tokens=int(m["text_tokens"]),
        seed=seed,
        directional_share=1.0,
        task_weights={"text": text_share, "first": 1 - text_share},
        cache_shard=n,
    )
    tensors = encode_shard(cfg, pipe.vae, pipe.text, 0)["tensors"]
    return {k: v.float() for k, v in tensors.items()}


def train(pipe: Pipeline, data: dict, steps: int, lr: float, high: bool, position: bool) -> None:
    tr = pipe.transformer.train().requires_grad_(True)
    params = list(tr.parameters())
    if position:
        lat = data["latents"]  # (n, z, T', h, w)
        t, h, w = (s // p for s, p in zip(lat.shape[2:], tr.config.patch_size, strict=True))
        pos = torch.nn.Parameter(torch.zeros(1, tr.patch_embedding.out_channels, t, h, w))
        tr.patch_embedding.register_forward_hook(lambda mod, inp, out: out + pos)
        params.append(pos)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(0)
    empty = pipe.text([""], int(pipe.meta["text_tokens"]))[0]
    n = len(data["latents"])
    for step in range(1, steps + 1):
        for g in opt.param_groups:
            g["lr"] = lr * min(1.0, step / 30)
        idx = torch.randperm(n, generator=gen)[:BATCH]
        batch = {k: v[idx] for k, v in data.items()}
        t = train_times(BATCH, 2.0, gen, high_share=1.0 if high else 0.0)
        loss = flow_loss(tr, batch, t, gen, empty, text_dropout=0.1, object_weight=4.0)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    tr.eval().requires_grad_(False)


def direction_gaps(pipe: Pipeline, tasks: list[str]) -> dict:
    m = pipe.meta
    f, good, bad = gap_clips("direction", 64, int(m["frames"]), float(m["fps"]), int(m["size"]), 0)
    return {task: gaps(pipe, f, good, bad, task) for task in tasks}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: shipped)")
    ap.add_argument("--clips", type=int, default=512)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--high", action="store_true", help="train on t from 0.9 to 1 only")
    ap.add_argument("--text", type=float, default=0.5, help="share of text-to-video clips")
    ap.add_argument("--position", action="store_true", help="add an absolute position embedding")
    ap.add_argument("--motion", type=int, default=0, help="also generate N directional clips")
    ap.add_argument("--save", type=Path, default=None, help="save the fine-tuned model here")
    args = ap.parse_args()
    torch.manual_seed(0)
    pipe = Pipeline.load(args.model)
    tasks = ["first"] if args.text == 0 else ["text", "first"]
    report: dict = {"settings": vars(args) | {"model": str(args.model or "shipped")}}
    report["before"] = direction_gaps(pipe, tasks)
    if args.motion:
        report["before"]["motion_right"] = motion_right(pipe, args.motion)
    start = time.time()
    data = directional_data(pipe, args.clips, args.text, seed=123)
    train(pipe, data, args.steps, args.lr, args.high, args.position)
    report["minutes"] = round((time.time() - start) / 60, 1)
    report["after"] = direction_gaps(pipe, tasks)
    if args.motion:
        report["after"]["motion_right"] = motion_right(pipe, args.motion)
    if args.save:
        from diffusers import FlowMatchEulerDiscreteScheduler

        sched = FlowMatchEulerDiscreteScheduler(shift=float(pipe.meta["shift"]))
        mf.save(args.save, pipe.vae, pipe.transformer, sched, pipe.meta)
    print(json.dumps(report, indent=1, default=str))


if __name__ == "__main__":
    main()
