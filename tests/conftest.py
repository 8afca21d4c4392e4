"""Shared fixtures: a tiny model folder made by the real training code, in seconds."""

from __future__ import annotations

from pathlib import Path

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
