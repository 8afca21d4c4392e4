"""Does the transformer read each part of its caption? Its flow loss with one attribute of the
caption swapped, minus its loss with the true caption.

    python benchmarks/caption_gap.py [--model FOLDER] [--clips 64] [--motion N] [--shape N]

For each attribute (colour, shape, size, the object's direction, the camera's direction),
single-object world clips that have it are rendered, encoded by the model's VAE and noised at
t = 0.7, 0.85 and 0.95, with the same noise for both captions. The swapped caption comes from
the captioner with the same random stream, so only the attribute's words change ("moving left"
becomes "moving right"). Two tasks: text-to-video (nothing known) and image-to-video (frame 0
known). A gap near 0 means the model ignores the attribute; "worse" is the share of clips whose
loss rises when it is swapped (0.5 = chance). --motion N also generates N directional clips
from pure noise and counts those that move the captioned way (motion_right); --shape N
generates N clips of one plain medium or large object from the caption and counts those whose
object the analyser names by its shape (shape_right). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from spacetime.conditioning import latent_mask, mask_for, masked_pixels
from spacetime.pipeline import Pipeline
from spacetime.train.cache import encode_normalised
from spacetime.train.data import directional_scene, shaped_scene, to_frames, to_tensor
from spacetime.world.analyse import analyse
from spacetime.world.caption import caption
from spacetime.world.render import render
from spacetime.world.sample import sample_scene
from spacetime.world.spec import COLOURS, SHAPES, SceneSpec

TIMES = (0.7, 0.85, 0.95)
OPPOSITE = {
    "left": "right",
    "up": "down",
    "up_left": "down_right",
    "up_right": "down_left",
    "pan_left": "pan_right",
    "pan_up": "pan_down",
    "zoom_in": "zoom_out",
}
OPPOSITE |= {v: k for k, v in OPPOSITE.items()}
COLOUR_NAMES, BIGGER = list(COLOURS), {"small": "large", "medium": "large", "large": "small"}


def swapped(scene: SceneSpec, attr: str) -> SceneSpec | None:
    """The scene with one attribute changed, or None if it has no such attribute to change."""
    o = scene.objects[0]
    if attr == "camera":
        return replace(scene, camera=OPPOSITE[scene.camera]) if scene.camera in OPPOSITE else None
    if attr == "direction":
        new = replace(o, motion=OPPOSITE[o.motion]) if o.motion in OPPOSITE else None
    elif attr == "colour":
        new = replace(o, colour=COLOUR_NAMES[(COLOUR_NAMES.index(o.colour) + 3) % len(COLOURS)])
    elif attr == "shape":
        shapes = [s for s in SHAPES if s != o.shape and not (s == "circle" and o.motion == "spin")]
        new = replace(o, shape=shapes[(SHAPES.index(o.shape) + 2) % len(shapes)])
    else:
        new = replace(o, size=BIGGER[o.size])
    if new is None or scene.camera != "static":
        return None  # a moving camera moves the object too: leave it to the camera's row
    return replace(scene, objects=[new])


def clips(attr: str, n: int, frames: int, fps: float, size: int, seed: int):
    """n clips (uint8 (n, T, H, W, 3)) with their true and swapped captions."""
    rng = np.random.default_rng([seed, len(attr)])
    out, good, bad = [], [], []
    while len(out) < n:
        scene = sample_scene(rng, (frames - 1) / fps, objects=1, characters=False)
        other = swapped(scene, attr)
        if other is None:
            continue
        k = int(rng.integers(2**31))
        a, b = caption(scene, np.random.default_rng(k)), caption(other, np.random.default_rng(k))
        if a == b:
            continue
        out.append(render(scene, frames, fps, size))
        good.append(a)
        bad.append(b)
    return np.stack(out), good, bad


@torch.no_grad()
def gaps(pipe: Pipeline, frames_u8, good, bad, task: str, batch: int = 16) -> dict[str, dict]:
    x = to_tensor(frames_u8)  # (n, 3, T, H, W)
    n, _, t, h, w = x.shape
    known = torch.from_numpy(mask_for(task, t, h, w, np.random.default_rng(0))).expand(n, t, h, w)
    x0 = torch.cat([encode_normalised(pipe.vae, c) for c in x.split(batch)])  # (n, z, T', h', w')
    cond = torch.cat(
        [
            encode_normalised(pipe.vae, masked_pixels(c, k))
            for c, k in zip(x.split(batch), known.split(batch), strict=True)
        ]
    )
    mask = latent_mask(known, pipe.spatial)  # (n, 4, T', h', w')
    tokens = int(pipe.meta["text_tokens"])
    emb_good, emb_bad = pipe.text(good, tokens), pipe.text(bad, tokens)
    out = {}
    for sigma in TIMES:
        noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(round(sigma * 100)))
        xt = (1 - sigma) * x0 + sigma * noise
        inp = torch.cat([xt, mask, cond], 1)  # (n, 2z + 4, T', h', w')
        losses = []
        for emb in (emb_good, emb_bad):
            per = []
            for s in range(0, n, batch):
                part = slice(s, s + batch)
                tt = torch.full((len(inp[part]),), sigma * 1000)
                v = pipe.transformer(inp[part], tt, emb[part], return_dict=False)[0]
                per.append((v - (noise - x0)[part]).pow(2).flatten(1).mean(1))
            losses.append(torch.cat(per))
        diff = losses[1] - losses[0]
        out[str(sigma)] = {
            "loss": round(float(losses[0].mean()), 4),
            "gap": round(float(diff.mean()), 4),
            "worse": round(float((diff > 0).float().mean()), 2),
        }
    return out


@torch.no_grad()
def motion_right(pipe: Pipeline, n: int, seed: int = 7) -> dict:
    """Generate n directional clips from pure noise (start 1), as image-to-video from the
    truth's frame 0 and as text-to-video, and give the share whose analysed track of the
    object moves the captioned way."""
    m, rng = pipe.meta, np.random.default_rng(seed)
    frames, size, fps = int(m["frames"]), int(m["size"]), float(m["fps"])
    hits: dict[str, list[bool]] = {"first": [], "text": [], "truth": []}
    while len(hits["truth"]) < n:
        scene = directional_scene(rng, (frames - 1) / fps, held_out="exclude")
        o = scene.objects[0]
        truth = render(scene, frames, fps, size)
        prompt, k = caption(scene, rng), len(hits["truth"])
        clips = {
            "truth": truth,
            "first": pipe.animate(truth[0], prompt, frames=frames, seed=k, start=1.0).frames,
            "text": pipe.generate(prompt, seed=k).frames,
        }
        for key, clip in clips.items():
            seen = analyse(clip, fps).tracks
            hits[key].append(any((u.colour, u.motion) == (o.colour, o.motion) for u in seen))
    return {key: round(float(np.mean(v)), 3) for key, v in hits.items()}


@torch.no_grad()
def shape_right(pipe: Pipeline, n: int, seed: int = 8) -> dict:
    """Generate n text-to-video clips of one plain medium or large object before a still
    camera and give the share in which the analyser sees an object of the captioned colour
    and shape; beside it the truth's share and that of the truth through the model's VAE
    (what a transformer on these latents could reach)."""
    m, rng = pipe.meta, np.random.default_rng(seed)
    frames, size, fps = int(m["frames"]), int(m["size"]), float(m["fps"])
    hits: dict[str, list[bool]] = {"text": [], "vae": [], "truth": []}
    seen_as: dict[str, int] = {}
    while len(hits["truth"]) < n:
        scene = shaped_scene(rng, (frames - 1) / fps, held_out="exclude")
        o = scene.objects[0]
        prompt, k = caption(scene, rng), len(hits["truth"])
        truth = render(scene, frames, fps, size)
        z = pipe.vae.encode(to_tensor(truth[None])).latent_dist.mode()
        clips = {
            "truth": truth,
            "vae": to_frames(pipe.vae.decode(z).sample)[0],
            "text": pipe.generate(prompt, seed=k).frames,
        }
        for key, clip in clips.items():
            seen = analyse(clip, fps).tracks
            hits[key].append(any((u.colour, u.shape) == (o.colour, o.shape) for u in seen))
            if key == "text":
                label = next((u.shape for u in seen if u.colour == o.colour), "missing")
                seen_as[label] = seen_as.get(label, 0) + 1
    return {**{key: round(float(np.mean(v)), 3) for key, v in hits.items()}, "seen": seen_as}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: shipped)")
    ap.add_argument("--clips", type=int, default=64, help="clips per attribute")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--motion", type=int, default=0, help="also generate N directional clips")
    ap.add_argument("--shape", type=int, default=0, help="also generate N one-shape clips")
    ap.add_argument("--no-gaps", action="store_true", help="skip the loss gaps")
    args = ap.parse_args()
    pipe = Pipeline.load(args.model)
    m = pipe.meta
    report: dict = {"model": str(args.model or "shipped"), "clips": args.clips}
    for attr in () if args.no_gaps else ("colour", "shape", "size", "direction", "camera"):
        frames_u8, good, bad = clips(attr, args.clips, m["frames"], m["fps"], m["size"], args.seed)
        report[attr] = {
            "example": [good[0], bad[0]],
            **{task: gaps(pipe, frames_u8, good, bad, task) for task in ("text", "first")},
        }
    if args.motion:
        report["motion_right"] = motion_right(pipe, args.motion)
    if args.shape:
        report["shape_right"] = shape_right(pipe, args.shape)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
