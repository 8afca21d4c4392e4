"""Training clips from the procedural world, rendered on the fly (held-out triples excluded)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import torch

from ..world.caption import caption
from ..world.render import render
from ..world.sample import sample_scene
from ..world.spec import DIRECTIONS, ObjectSpec, SceneSpec


def world_clips(
    rng: np.random.Generator,
    n: int,
    frames: int,
    fps: float,
    size: int,
    object_weights: tuple[float, ...] | list[float] = (0.5, 0.3, 0.2),
    characters: bool = True,
    held_out: str = "exclude",
    directional: float = 0.0,
    shaped: float = 0.0,
) -> tuple[np.ndarray, list[str], list[SceneSpec]]:
    """n random clips: uint8 (n, T, H, W, 3), one caption each, and their scenes.

    object_weights[k] is the share of clips with k + 1 objects. A share `directional` of the
    clips is instead one plain object moving in one of the 8 directions before a static
    camera: the clips where only the caption says which way it goes. A share `shaped` is one
    plain medium or large object before a static camera: outlines the latents keep, so that
    the caption's shape word is there to be learned.
    """
    seconds = (frames - 1) / fps
    p = np.asarray(object_weights, float)
    clips, texts, scenes = [], [], []
    for _ in range(n):
        draw = rng.random() if directional > 0 or shaped > 0 else 1.0
        if draw < directional:
            scene = directional_scene(rng, seconds, held_out)
        elif draw < directional + shaped:
            scene = shaped_scene(rng, seconds, held_out)
        else:
            count = 1 + int(rng.choice(len(p), p=p / p.sum()))
            scene = sample_scene(
                rng,
                seconds,
                max_objects=len(p),
                objects=count,
                characters=characters,
                held_out=held_out,
            )
        scenes.append(scene)
        texts.append(caption(scene, rng))
        clips.append(render(scene, frames, fps, size))
    return np.stack(clips), texts, scenes


def object_masks(clips: np.ndarray, scenes: list[SceneSpec], fps: float, size: int) -> np.ndarray:
    """Where the objects of each clip are: bool (n, T, H, W), True where a clip differs from
    its scene rendered without objects."""
    out = []
    for clip, scene in zip(clips, scenes, strict=True):
        empty = render(replace(scene, objects=[], relation=None), len(clip), fps, size)
        out.append(np.abs(clip.astype(np.int16) - empty).max(axis=-1) > 6)
    return np.stack(out)


def to_tensor(frames: np.ndarray) -> torch.Tensor:
    """uint8 (B, T, H, W, 3) -> float (B, 3, T, H, W) in [-1, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(frames)).float().div_(127.5).sub_(1.0)
    return x.permute(0, 4, 1, 2, 3).contiguous()


def to_frames(x: torch.Tensor) -> np.ndarray:
    """float (B, 3, T, H, W) in [-1, 1] -> uint8 (B, T, H, W, 3)."""
    y = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return y.permute(0, 2, 3, 4, 1).cpu().numpy()


def directional_scene(rng: np.random.Generator, seconds: float, held_out: str) -> SceneSpec:
    """One plain object moving in one of the 8 directions, static camera."""
    return _one_plain(rng, seconds, held_out, lambda o: o.motion in DIRECTIONS)


def shaped_scene(rng: np.random.Generator, seconds: float, held_out: str) -> SceneSpec:
    """One plain medium or large object, static camera: its outline survives the VAE."""
    return _one_plain(rng, seconds, held_out, lambda o: o.size in ("medium", "large"))


def _one_plain(
    rng: np.random.Generator, seconds: float, held_out: str, keep: Callable[[ObjectSpec], bool]
) -> SceneSpec:
    """Random one-object scenes, no character, until one has a static camera and `keep`s."""
    while True:
        scene = sample_scene(rng, seconds, objects=1, characters=False, held_out=held_out)
        if scene.camera == "static" and keep(scene.objects[0]):
            return scene
