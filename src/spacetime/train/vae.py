"""The VAE stage: teach a small Wan VAE to reconstruct world clips."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import numpy as np
import torch

from ..eval.metrics import psnr
from ..io import Video, sheet_of_many
from ..models import presets
from ..models.files import readable
from .config import TrainConfig
from .data import object_masks, to_frames, to_tensor, world_clips
from .footage import Footage

PREVIEW_SEED = 1_000_003  # held-out clips for the PSNR in every preview


class VAEWithLoss(torch.nn.Module):
    """Wraps the VAE so one forward() gives what the loss needs (DDP syncs through forward)."""

    def __init__(self, vae: torch.nn.Module, freeze_encoder: bool = False):
        super().__init__()
        self.vae = vae
        self.frozen = freeze_encoder
        if freeze_encoder:  # what makes the latents: the transformer's world stays the same
            vae.encoder.requires_grad_(False)
            vae.quant_conv.requires_grad_(False)

    def forward(self, x: torch.Tensor, gen: torch.Generator | None = None):
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.frozen):
            dist = self.vae.encode(x).latent_dist  # mean, logvar: (B, z, T', H', W')
        z = dist.mean if gen is None else dist.sample(gen)
        return self.vae.decode(z).sample, dist.mean, dist.logvar


def held_out_clips(cfg: TrainConfig, n: int = 8) -> np.ndarray:
    rng = np.random.default_rng(PREVIEW_SEED)
    frames, _, _ = world_clips(
        rng, n, cfg.frames, cfg.fps, cfg.size, cfg.object_weights, cfg.characters, held_out="only"
    )
    return frames


@torch.no_grad()
def reconstruct(vae: torch.nn.Module, frames: np.ndarray, batch: int = 4) -> np.ndarray:
    out = []
    for i in range(0, len(frames), batch):
        x = to_tensor(frames[i : i + batch]).to(vae.device)
        out.append(to_frames(vae.decode(vae.encode(x).latent_dist.mode()).sample))
    return np.concatenate(out)


class VAEStage:
    def __init__(self, cfg: TrainConfig, acc: object, quiet: bool = False):
        self.cfg = cfg
        vae = presets.vae(
            cfg.vae_base_dim, cfg.vae_z_dim, cfg.vae_dim_mult, cfg.vae_res_blocks, cfg.vae_residual
        )
        self.model = VAEWithLoss(vae, cfg.freeze_encoder)
        self.workers = cfg.workers  # each batch renders its clips
        self._held_out: np.ndarray | None = None
        self.quiet, self.main = quiet, acc is None or acc.is_main_process
        self._footage: Footage | None = None
        if cfg.videos:  # read now, before the loop: a broken folder is said at once
            self.footage()

    def footage(self) -> Footage:
        """The run's own clips (videos = FOLDER), read once."""
        from .footage import load

        if self._footage is None:
            self._footage = load(self.cfg, self.quiet, self.main)
        return self._footage

    def batch(self, step: int, rank: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Clips (B, 3, T, H, W) in [-1, 1], and where their objects are (B, T, H, W) when
        object_weight asks for it.

        With crop, each rendered clip gives (size / crop)^2 random crop x crop windows, so a
        step renders as many pixels as it trains on.
        """
        c = self.cfg
        rng = np.random.default_rng([c.seed, step, rank])
        per_clip = (c.size // c.crop) ** 2 if c.crop else 1
        n = -(-c.batch // per_clip)
        masks = None
        world = int(rng.binomial(n, c.world_share)) if c.videos else n  # clips from the world
        frames = np.empty((0, c.frames, c.size, c.size, 3), np.uint8)
        if world:
            frames, _, scenes = world_clips(
                rng, world, c.frames, c.fps, c.size, c.object_weights, c.characters
            )
            if c.object_weight > 0:  # never with videos
                masks = object_masks(frames, scenes, c.fps, c.size)
        if world < n:  # (n, T, H, W, 3): the world's, then the folder's
            frames = np.concatenate(
                [frames, self.footage().draw(rng, n - world, c.frames, c.size)[0]]
            )
        if c.crop:
            idx = np.arange(c.batch) // per_clip  # clip of each crop
            ys, xs = rng.integers(0, c.size - c.crop + 1, (2, c.batch))
            win = [
                np.s_[i, :, y : y + c.crop, x : x + c.crop]
                for i, y, x in zip(idx, ys, xs, strict=True)
            ]
            frames = np.stack([frames[w] for w in win])  # (B, T, crop, crop, 3)
            if masks is not None:
                masks = np.stack([masks[w] for w in win])  # (B, T, crop, crop)
        return to_tensor(frames), None if masks is None else torch.from_numpy(masks)

    def loss(self, model: torch.nn.Module, batch: tuple, gen: torch.Generator) -> torch.Tensor:
        """L1 + L2 reconstruction (weighted 1 + object_weight on object pixels) + KL."""
        x, masks = batch
        x = x.to(gen.device)
        y, mean, logvar = model(x, gen)
        kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        err = (y - x).abs() + (y - x).pow(2)  # (B, 3, T, H, W)
        if masks is None:
            rec = err.mean()
        else:
            w = 1 + self.cfg.object_weight * masks[:, None].to(x.device, x.dtype)  # (B,1,T,H,W)
            rec = (err * w).mean() / w.mean()
        return rec + self.cfg.kl_weight * kl

    def preview(self, model: torch.nn.Module, path: Path) -> dict[str, float]:
        if self._held_out is None:
            c = self.cfg
            self._held_out = (
                self.footage().shown(c.frames, c.size)[0] if c.videos else held_out_clips(c)
            )
        model.eval()
        rec = reconstruct(model.vae, self._held_out)
        model.train()
        scores = [psnr(a, b) for a, b in zip(self._held_out, rec, strict=True)]
        path.parent.mkdir(parents=True, exist_ok=True)
        videos = [
            Video(v, self.cfg.fps, {})
            for pair in zip(self._held_out[:4], rec[:4], strict=True)
            for v in pair
        ]
        n = len(self._held_out[:4])
        names = [f"{kind} {i}" for i in range(n) for kind in ("truth", "VAE")]
        sheet_of_many(videos, path, frames_per_row=9, captions=names)
        return {"psnr": float(np.mean(scores))}

    @torch.no_grad()
    def export(self, model: torch.nn.Module, folder: Path) -> None:
        """Save the VAE with the per-channel latent mean and std the pipelines normalise by."""
        vae = copy.deepcopy(model.vae).cpu().eval()
        c = self.cfg
        rng = np.random.default_rng(PREVIEW_SEED + 1)
        if c.videos:
            frames = self.footage().draw(rng, 16, c.frames, c.size)[0]
        else:
            frames, _, _ = world_clips(
                rng, 16, c.frames, c.fps, c.size, c.object_weights, c.characters
            )
        means = torch.cat(
            [
                vae.encode(to_tensor(frames[i : i + 8])).latent_dist.mode()
                for i in range(0, len(frames), 8)
            ]
        )  # (N, z, T', H', W')
        dims = (0, 2, 3, 4)
        vae.register_to_config(
            latents_mean=[round(v, 5) for v in means.mean(dims).tolist()],
            latents_std=[round(v, 5) for v in means.std(dims).tolist()],
        )
        save_folder(vae, folder / "vae")


def save_folder(model, folder: Path) -> None:
    """save_pretrained to a temporary folder, then rename: no half-written model."""
    tmp = folder.with_name(f".tmp-{folder.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    readable(tmp)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
