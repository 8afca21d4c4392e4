"""Shared fixtures: a tiny model folder made by the real training code, in seconds."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from spacetime.train.config import TrainConfig
from spacetime.train.loop import train

TINY_VAE = dict(
    stage="vae",
    steps=2,
    batch=1,
    frames=5,
    size=32,
    object_weights=[1.0],
    vae_base_dim=2,
    vae_z_dim=4,
    vae_dim_mult=[1, 2, 2],
    log_every=1,
    save_every=1,
    preview_every=100,
)
TINY_TRANSFORMER = dict(
    stage="transformer",
    steps=2,
    batch=2,
    frames=5,
    size=32,
    object_weights=[1.0],
    layers=1,
    heads=2,
    head_dim=8,
    ffn_dim=16,
    text_tokens=16,
    cache_clips=4,
    cache_shard=2,
    log_every=1,
    save_every=1,
    preview_every=100,
    sample_steps=2,
)


def clip_with_sound(path: Path, frames: np.ndarray, fps: int = 8) -> Path:
    """An .mp4 as a phone writes one: frames (T, H, W, 3) in H.264 and a silent AAC track."""
    with av.open(str(path), "w") as box:
        pictures, sound = box.add_stream("libx264", rate=fps), box.add_stream("aac", rate=8000)
        pictures.width, pictures.height = frames.shape[2], frames.shape[1]
        pictures.pix_fmt = "yuv420p"
        for frame in frames:
            box.mux(pictures.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        for _ in range(len(frames) * 1000 // fps // 128 + 1):  # as long as the pictures
            hum = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), "fltp", "mono")
            hum.sample_rate = 8000
            box.mux(sound.encode(hum))
        box.mux(pictures.encode()), box.mux(sound.encode())
    return path


def tiny_config(out: Path, **kw) -> TrainConfig:
    base = TINY_VAE if kw.get("stage", "vae") == "vae" else TINY_TRANSFORMER
    cfg = TrainConfig(**{**base, "out": str(out), **kw})
    cfg.validate()
    return cfg


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete model folder: a tiny VAE, then a tiny transformer on its latents."""
    root = tmp_path_factory.mktemp("tiny")
    train(tiny_config(root / "vae"), quiet=True)
    return train(tiny_config(root / "tr", stage="transformer", vae=str(root / "vae")), quiet=True)
