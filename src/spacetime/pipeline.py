"""Load a model folder, run a task, return a Video that carries its recipe.

    from spacetime import Pipeline
    pipe = Pipeline.load()                      # the model shipped in the package
    video = pipe.generate("a red circle moving left", seed=1)

Every task is `generate` with known pixels: `known_video` uint8 (T, H, W, 3) and `known`
bool (T, H, W), True where a pixel is given (see spacetime.conditioning).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import __version__
from .conditioning import latent_mask, masked_pixels
from .diffusion import euler, sigmas
from .io import Video
from .models import folder as mf
from .models.text import TextEncoder, default_encoder

SHIPPED = "spacetime-tiny"


def shipped_folder() -> Path:
    return Path(str(resources.files("spacetime") / "weights" / SHIPPED))


class Pipeline:
    def __init__(
        self,
        vae: torch.nn.Module,
        transformer: torch.nn.Module,
        text: TextEncoder,
        meta: dict[str, Any],
        name: str = "",
        model_hash: str = "",
    ):
        self.vae, self.transformer, self.text = vae.eval(), transformer.eval(), text
        self.meta, self.name, self.model_hash = meta, name, model_hash
        z = vae.config.z_dim
        self.mean = torch.tensor(vae.config.latents_mean).view(1, z, 1, 1, 1)
        self.std = torch.tensor(vae.config.latents_std).view(1, z, 1, 1, 1)
        self.spatial = int(vae.config.scale_factor_spatial)
        self.multiple = self.spatial * int(transformer.config.patch_size[1])

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Pipeline:
        """Load a Spacetime model folder (default: the one shipped in the package)."""
        from diffusers import WanTransformer3DModel

        path = Path(folder) if folder is not None else shipped_folder()
        mf.check(path)
        meta = json.loads((path / "spacetime.json").read_text())
        vae = mf.load_vae(path)
        tr = WanTransformer3DModel.from_pretrained(path / "transformer", use_safetensors=True)
        name = SHIPPED if folder is None else path.name
        return cls(vae, tr, default_encoder(), meta, name, mf.weights_hash(path))

    # latents <-> pixels -------------------------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, T, H, W) in [-1, 1] -> normalised latents (B, z, T', H/s, W/s)."""
        return (self.vae.encode(x).latent_dist.mode() - self.mean) / self.std

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.vae.decode(z * self.std + self.mean).sample.clamp(-1, 1)

    def condition(self, pixels: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        """Known pixels -> (B, 4 + z, T', h, w): Wan's mask channels, then known latents."""
        cond = self.encode(masked_pixels(pixels, known))
        return torch.cat([latent_mask(known, self.spatial), cond], dim=1)

    def settings(self, prompt: str, **given: Any) -> dict[str, Any]:
        """Fill unset options from the model's defaults and check them; raises ValueError."""
        m = self.meta
        opts = {
            k: m[k] if given.get(k) is None else given[k]
            for k in ("steps", "guidance", "frames", "size", "fps")
        }
        if not prompt.strip():
            raise ValueError("the prompt is empty: say what to show, e.g. 'a red circle moving'")
        if opts["frames"] < 1 or (opts["frames"] - 1) % 4:
            raise ValueError(f"frames must be 4k+1 (1, 5, 9, 17, 33, ...), got {opts['frames']}")
        size = opts["size"]
        if size < self.multiple or size % self.multiple:
            raise ValueError(f"size must be a multiple of {self.multiple}, not {size}")
        if opts["steps"] < 1:
            raise ValueError(f"steps must be at least 1, got {opts['steps']}")
        if opts["fps"] <= 0:
            raise ValueError(f"fps must be positive, got {opts['fps']}")
        return opts

    @torch.no_grad()
    def generate(
        self,
        prompt: str,
        *,
        negative: str = "",
        seed: int = 0,
        steps: int | None = None,
        guidance: float | None = None,
        frames: int | None = None,
        size: int | None = None,
        fps: float | None = None,
        known_video: np.ndarray | None = None,
        known: np.ndarray | None = None,
        task: str = "text",
        callback: Callable[[dict[str, Any]], None] | None = None,
    ) -> Video:
        """Generate one clip. Same arguments, same seed: the same frames."""
        m = self.meta
        o = self.settings(prompt, steps=steps, guidance=guidance, frames=frames, size=size, fps=fps)
        steps, guidance, frames, size, fps = (
            o[k] for k in ("steps", "guidance", "frames", "size", "fps")
        )
        if known is None:
            known_t = torch.zeros(1, frames, size, size, dtype=torch.bool)
            pixels = torch.zeros(1, 3, frames, size, size)
        else:
            if known_video is None or known_video.shape != (*known.shape, 3):
                raise ValueError("known_video must be uint8 (T, H, W, 3) matching known (T, H, W)")
            if known.shape != (frames, size, size):
                raise ValueError(f"known must be ({frames}, {size}, {size}), got {known.shape}")
            known_t = torch.from_numpy(known.astype(bool))[None]
            pixels = torch.from_numpy(known_video).float().div(127.5).sub(1).permute(3, 0, 1, 2)
            pixels = pixels[None]
        cond = self.condition(pixels, known_t)  # (1, 4 + z, T', h, w)
        tokens = int(m["text_tokens"])
        text = self.text([prompt, negative], tokens)  # (2, tokens, 384)
        z = self.vae.config.z_dim
        shape = (1, z, (frames - 1) // 4 + 1, size // self.spatial, size // self.spatial)
        noise = torch.randn(shape, generator=torch.Generator().manual_seed(seed))

        def velocity(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
            inp = torch.cat([x, cond], dim=1)
            t = (sigma * 1000).expand(1)
            if guidance == 1.0:
                return self.transformer(inp, t, text[:1], return_dict=False)[0]
            out = self.transformer(inp.repeat(2, 1, 1, 1, 1), t.repeat(2), text, return_dict=False)[
                0
            ]
            c, u = out.chunk(2)
            return u + guidance * (c - u)

        lat = euler(velocity, noise, sigmas(steps, float(m["shift"])), callback)
        out = self.decode(lat)  # (1, 3, T, H, W)
        video = ((out[0].permute(1, 2, 3, 0) + 1) * 127.5).round().byte().numpy()
        if known is not None:  # known pixels are given: keep them exactly
            video = np.where(known[..., None], known_video, video)
        recipe = {
            "prompt": prompt,
            "negative": negative,
            "seed": seed,
            "steps": steps,
            "guidance": guidance,
            "frames": frames,
            "size": size,
            "fps": fps,
            "task": task,
            "model": self.name,
            "model_hash": self.model_hash,
            "spacetime": __version__,
        }
        return Video(video, fps, recipe)
