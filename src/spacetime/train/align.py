"""Carry a transformer over to a new VAE by rotating its latent channels.

Two VAEs trained apart encode the same clips into different latent spaces. Where the new
space is close to an orthogonal map of the old one (both normalised by their latent mean
and std), a transformer trained on the old latents works on the new ones once its input and
output channels are rotated. A rotation keeps Gaussian noise Gaussian, so the flow
x_t = (1 - t) x0 + t noise and its velocity rotate with the latents, exactly. A run that
continues a transformer on a new VAE starts from that instead of from a mismatch.
"""

from __future__ import annotations

import numpy as np
import torch

from .cache import encode_normalised
from .data import to_tensor, world_clips

ALIGN_SEED = 3_000_017  # clips the two VAEs are compared on


@torch.no_grad()
def latents(vae: torch.nn.Module, frames: np.ndarray, batch: int = 8) -> torch.Tensor:
    """Normalised latents of clips, one row per latent cell: (N * T' * H' * W', z)."""
    out = []
    for i in range(0, len(frames), batch):
        lat = encode_normalised(vae, to_tensor(frames[i : i + batch]))  # (b, z, T', h, w)
        out.append(lat.movedim(1, -1).reshape(-1, vae.config.z_dim))
    return torch.cat(out)


def procrustes(new: torch.Tensor, old: torch.Tensor) -> tuple[torch.Tensor, float]:
    """The rotation r (z, z) with old ~ new @ r.T, and the share of old's variance it explains."""
    u, _, vh = torch.linalg.svd(old.T.double() @ new.double())
    r = (u @ vh).float()
    miss = (new @ r.T - old).pow(2).sum()
    return r, float(1 - miss / (old - old.mean(0)).pow(2).sum())


@torch.no_grad()
def rotate(transformer: torch.nn.Module, r: torch.Tensor) -> None:
    """In place: fed latents of the new space, the transformer computes what it computed on
    old = r @ new, and answers in the new space (velocity r.T @ v_old)."""
    z = r.shape[0]
    w = transformer.patch_embedding.weight  # (D, noisy z + mask 4 + known z, pt, ph, pw)
    for part in (slice(0, z), slice(z + 4, 2 * z + 4)):
        w[:, part] = torch.einsum("doijk,oc->dcijk", w[:, part], r)
    out = transformer.proj_out  # out features: (pt, ph, pw, z) flattened, channel last
    p = out.out_features // z
    wo = out.weight.view(p, z, -1)  # (P, z, D)
    out.weight.copy_(torch.einsum("jc,pjd->pcd", r, wo).reshape(out.out_features, -1))
    out.bias.copy_(torch.einsum("jc,pj->pc", r, out.bias.view(p, z)).reshape(-1))


def carry(
    transformer: torch.nn.Module,
    old_vae: torch.nn.Module,
    new_vae: torch.nn.Module,
    length: int = 17,
    size: int = 64,
    clips: int = 64,
) -> float:
    """Rotate a transformer trained on old_vae's latents into new_vae's, fitted on world clips
    of length frames and size pixels; returns the fit (share of the old latents' variance
    the rotation explains)."""
    frames, _, _ = world_clips(np.random.default_rng(ALIGN_SEED), clips, length, 8.0, size)
    r, fit = procrustes(latents(new_vae, frames), latents(old_vae, frames))
    rotate(transformer, r)
    return fit
