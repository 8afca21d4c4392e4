"""Things that turn a request into a video, for the benchmark to judge.

Before a model exists the benchmark is tested on three generators that bound every score:
the world's renderer (the upper bound: it draws exactly what the prompt says), a static
generator (the renderer's first frame, repeated: right names, no motion) and noise (nothing
right). The shipped model and real checkpoints plug in through the same call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..io import Video
from ..world.parse import prompt_to_scene
from ..world.render import render


@dataclass(frozen=True)
class Request:
    prompt: str
    frames: int = 17
    fps: float = 8.0
    size: int = 64
    seed: int = 0

    @property
    def seconds(self) -> float:
        return (self.frames - 1) / self.fps


Generator = Callable[[Request], Video]


def renderer(req: Request) -> Video:
    """The world's ground truth of the prompt."""
    scene = prompt_to_scene(req.prompt, req.seconds, seed=req.seed)
    frames = render(scene, req.frames, req.fps, req.size)
    return Video(frames, req.fps, {"prompt": req.prompt, "seed": req.seed, "model": "renderer"})


def static(req: Request) -> Video:
    """The renderer's first frame, held for the whole clip."""
    first = renderer(Request(req.prompt, 1, req.fps, req.size, req.seed)).frames
    frames = np.repeat(first, req.frames, axis=0)
    return Video(frames, req.fps, {"prompt": req.prompt, "seed": req.seed, "model": "static"})


def noise(req: Request) -> Video:
    """Uniform random pixels."""
    rng = np.random.default_rng(req.seed)
    frames = rng.integers(0, 256, (req.frames, req.size, req.size, 3), dtype=np.uint8)
    return Video(frames, req.fps, {"prompt": req.prompt, "seed": req.seed, "model": "noise"})


GENERATORS: dict[str, Generator] = {"renderer": renderer, "static": static, "noise": noise}


def model(folder: str | None = None, **options: object) -> Generator:
    """A Spacetime model folder (default: the shipped model) as a generator."""
    from ..pipeline import Pipeline

    return from_pipeline(Pipeline.load(folder), **options)


def from_pipeline(pipe: Any, **options: object) -> Generator:
    """A loaded Pipeline as a generator (text to video)."""

    def generate(req: Request) -> Video:
        return pipe.generate(
            req.prompt, seed=req.seed, frames=req.frames, fps=req.fps, size=req.size, **options
        )  # type: ignore[arg-type]

    return generate


def vae(folder: str | None = None) -> Generator:
    """The renderer's clip through a model's VAE and back: the most a transformer on that
    VAE's latents can score."""
    from pathlib import Path

    import torch

    from ..models.folder import load_vae
    from ..pipeline import shipped_folder
    from ..train.vae import reconstruct

    net = load_vae(Path(folder) if folder else shipped_folder())

    def generate(req: Request) -> Video:
        truth = renderer(req)
        with torch.no_grad():
            frames = reconstruct(net, truth.frames[None])[0]
        return Video(frames, req.fps, {**truth.recipe, "model": "vae round trip"})

    return generate


def get(name: str, folder: str | None = None) -> Generator:
    """A generator by name; "model" is the shipped model (or the model folder given), "vae"
    the renderer through that model's VAE."""
    if name == "model":
        return model(folder)
    if name == "vae":
        return vae(folder)
    if name not in GENERATORS:
        known = ", ".join([*GENERATORS, "model", "vae"])
        raise ValueError(f"unknown generator {name!r}; known: {known}")
    return GENERATORS[name]
