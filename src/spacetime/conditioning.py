"""Every task is a mask of known pixels: which frames and pixels the model is given.

`known` is bool (T, H, W), True where the pixel is given. The transformer sees
concat(noisy latents, mask, known latents) as Wan's image-to-video models do: the known
latents are the VAE encoding of the clip with unknown pixels set to 0 (mid grey), and the mask
packs 4 pixel frames into each latent frame (the first frame repeated 4 times), min-pooled to
the latent grid, so a latent cell counts as known only when all its pixels are.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# Share of training samples per task (the documented default; a config may override).
TASK_WEIGHTS: dict[str, float] = {
    "text": 0.30,  # text to video: nothing known
    "first": 0.20,  # image to video: first frame known
    "extend": 0.10,  # first 1-2 latent frames (5 or 9 pixel frames) known
    "extend_back": 0.05,  # last 4 or 8 pixel frames known
    "ends": 0.10,  # first and last frame: interpolation, morphs and transitions
    "stride": 0.05,  # every 4th frame: 4x frame interpolation
    "inpaint": 0.12,  # a box hidden on every frame
    "outpaint": 0.08,  # only a centre box known on every frame
}
# Not drawn by default (a config names it): frame 0 known, and every frame outside a box
# around the objects' paths, so the model learns to move what a cinemagraph's region holds.
MORE_TASKS = ("cinemagraph",)
TASKS = (*TASK_WEIGHTS, *MORE_TASKS)  # every task mask_for knows


def mask_for(
    task: str,
    frames: int,
    height: int,
    width: int,
    rng: np.random.Generator,
    objects: np.ndarray | None = None,
) -> np.ndarray:
    """A random known-pixel mask for a task: bool (T, H, W). objects bool (T, H, W), where
    the clip's objects are, places the cinemagraph box; without it (or with no object) that
    box is drawn at random as inpaint's is."""
    known = np.zeros((frames, height, width), bool)
    if task == "text":
        pass
    elif task == "first":
        known[0] = True
    elif task == "extend":
        known[: int(rng.choice([5, 9]))] = True
    elif task == "extend_back":
        known[-int(rng.choice([4, 8])) :] = True
    elif task == "ends":
        known[[0, -1]] = True
    elif task == "stride":
        known[::4] = True
    elif task in ("inpaint", "outpaint"):
        h = int(rng.integers(height // 4, 3 * height // 4 + 1))
        w = int(rng.integers(width // 4, 3 * width // 4 + 1))
        y, x = int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1))
        box = np.zeros((height, width), bool)
        box[y : y + h, x : x + w] = True
        known[:] = ~box if task == "inpaint" else box
    elif task == "cinemagraph":
        if objects is None or not objects.any():
            known = mask_for("inpaint", frames, height, width, rng)
        else:
            ys, xs = np.nonzero(objects.any(axis=0))  # the paths of all objects
            grow = int(rng.integers(0, width // 8 + 1))  # pixels of room around them
            known[:] = True
            y0, y1 = max(0, ys.min() - grow), min(height, ys.max() + 1 + grow)
            x0, x1 = max(0, xs.min() - grow), min(width, xs.max() + 1 + grow)
            known[:, y0:y1, x0:x1] = False
        known[0] = True
    else:
        raise ValueError(f"unknown task {task!r}; known: {', '.join(TASKS)}")
    return known


def draw_task(rng: np.random.Generator, weights: dict[str, float] | None = None) -> str:
    weights = weights or TASK_WEIGHTS
    names = list(weights)
    p = np.asarray([weights[n] for n in names], float)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


def masked_pixels(x: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """x (B, 3, T, H, W) in [-1, 1], known (B, T, H, W) bool -> unknown pixels set to 0."""
    return x * known[:, None].to(x.dtype)


def latent_mask(known: torch.Tensor, spatial: int, temporal: int = 4) -> torch.Tensor:
    """Pixel mask (B, T, H, W) bool -> Wan's latent mask (B, 4, T', H/s, W/s) float."""
    b, t, h, w = known.shape
    m = known.float()
    m = -F.max_pool2d(-m.reshape(b * t, 1, h, w), spatial)  # min-pool: all pixels known
    m = m.reshape(b, t, h // spatial, w // spatial)
    m = torch.cat([m[:, :1].repeat(1, temporal, 1, 1), m[:, 1:]], dim=1)  # (B, 4T', h, w)
    return m.reshape(b, -1, temporal, h // spatial, w // spatial).transpose(1, 2)
