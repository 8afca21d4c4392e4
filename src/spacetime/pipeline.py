"""Load a model folder, run a task, return a Video that carries its recipe.

    from spacetime import Pipeline
    pipe = Pipeline.load()                      # the model shipped in the package
    video = pipe.generate("a red circle moving left", seed=1)

Every task is `generate` with known pixels: `known_video` uint8 (T, H, W, 3) and `known`
bool (T, H, W), True where a pixel is given (see spacetime.conditioning).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .checks import LOAD_DEFAULTS, seed_or_fresh
from .conditioning import latent_mask, masked_pixels
from .diffusion import euler, sigmas, starting_at
from .external.devices import Memory
from .external.families import detect
from .inputs import as_clip, as_image, as_mask
from .io import Video
from .known import ColourAnchor, guess_kept, keep_known, start_guess, subject_mask
from .models import SHIPPED, lora, shipped_folder
from .models import folder as mf
from .models.fast import speed_up
from .models.files import check_weights
from .models.text import TextEncoder, default_encoder
from .provenance import made_by
from .verbs import Verbs
from .world.parse import misspelt


def _to_unit(frames: np.ndarray) -> torch.Tensor:
    """uint8 (T, H, W, 3) -> float (1, 3, T, H, W) in [-1, 1]."""
    return torch.from_numpy(frames).float().div(127.5).sub(1).permute(3, 0, 1, 2)[None]


def _from_unit(x: torch.Tensor) -> np.ndarray:
    """float (1, 3, T, H, W) in [-1, 1] -> float (T, H, W, 3) in 0..255 units."""
    return ((x[0].permute(1, 2, 3, 0) + 1) * 127.5).numpy()


def _digest(a: np.ndarray) -> str:
    return "sha256:" + hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


PLACING = ("device", "dtype", "offload", "vae_tiling", "vae_slicing")  # Memory's, as keywords


class Pipeline(Verbs):
    """A Spacetime model loaded for generation: `Pipeline.load()` (the shipped model) or
    `Pipeline.load(folder)`; `generate` and the verbs (Verbs) return Videos."""

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
        self.device, self.dtype = vae.device, transformer.dtype
        self.setup: dict[str, Any] = {}  # device, dtype, LoRAs: for the recipe
        self._empty: dict[tuple[int, ...], torch.Tensor] = {}  # shape -> empty clip latents
        z = vae.config.z_dim
        self.mean = torch.tensor(vae.config.latents_mean).view(1, z, 1, 1, 1).to(self.device)
        self.std = torch.tensor(vae.config.latents_std).view(1, z, 1, 1, 1).to(self.device)
        self.spatial = int(vae.config.scale_factor_spatial)
        self.multiple = self.spatial * int(transformer.config.patch_size[1])

    def __repr__(self) -> str:
        m = self.meta
        return (
            f"Pipeline({self.name}, weights {self.model_hash}, {m['frames']} frames, "
            f"{m.get('width') or m['size']}x{m.get('height') or m['size']}, {m['fps']:g} fps, "
            f"{self.device})"
        )

    @classmethod
    def load(
        cls,
        folder: str | Path | None = None,
        memory: Memory | None = None,
        loras: list[str] | str | None = None,
        **defaults: Any,
    ) -> Any:
        """Load a model folder (default: the Spacetime model shipped in the package).

        A Wan, LTX-Video or CogVideoX folder in diffusers format gives an ExternalPipeline
        with the same verbs. memory: device, dtype and offload (spacetime.external.devices),
        or give them as keywords (device="cuda", dtype="bfloat16", offload, vae_tiling,
        vae_slicing); loras: 'PATH[:SCALE]' specs (one, or a list); defaults: frames,
        height, width, fps, steps, guidance (and for our own models size and guidance_stop).
        """
        from diffusers import WanTransformer3DModel

        placing = {k: defaults.pop(k) for k in PLACING if k in defaults}
        if placing and memory is not None:
            raise TypeError(f"give {', '.join(placing)} in memory=Memory(...) or alone, not both")
        if memory is not None and not isinstance(memory, Memory):
            raise TypeError(
                f"memory is a spacetime.external.devices.Memory, got {type(memory).__name__}; "
                "or give device=, dtype= to Pipeline.load"
            )
        if isinstance(loras, str | Path):
            loras = [str(loras)]
        path = Path(folder) if folder is not None else shipped_folder()
        unknown = set(defaults) - {*LOAD_DEFAULTS, "size", "guidance_stop"}
        if unknown:  # a misspelt default would be silently ignored
            raise TypeError(f"unknown defaults: {', '.join(sorted(unknown))}")
        if placing:
            Memory(**placing).check()
        if detect(path).key != "spacetime":
            from .external.pipeline import ExternalPipeline

            memory = Memory(**placing) if placing else memory
            return ExternalPipeline.load(path, memory, loras, **defaults)
        mf.check(path)
        check_weights(path, ["vae", "transformer"])
        m = (memory or Memory(**{"dtype": "float32", **placing})).resolve()
        meta = json.loads((path / "spacetime.json").read_text())
        meta.update({k: v for k, v in defaults.items() if v is not None})
        vae = speed_up(mf.load_vae(path)).to(m.device)  # same outputs, faster (models/fast.py)
        tr = mf.load_part(WanTransformer3DModel, path / "transformer")
        tr = speed_up(tr)
        applied = lora.apply(tr, loras or [])
        tr = tr.to(m.device)
        if m.dtype != "float32":
            tr = tr.to(m.torch_dtype())
        name = SHIPPED if folder is None else path.name
        pipe = cls(vae, tr, default_encoder(), meta, name, mf.weights_hash(path))
        pipe.setup = {
            **({"device": m.device} if m.device != "cpu" else {}),
            **({"dtype": m.dtype} if m.dtype != "float32" else {}),
            **({"loras": applied} if applied else {}),
        }
        pipe.settings("-")  # defaults no clip could use (size=30, steps=0) fail here, not later
        return pipe

    # latents <-> pixels -------------------------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, T, H, W) in [-1, 1] -> normalised latents (B, z, T', H/s, W/s)."""
        return (self.vae.encode(x.to(self.device)).latent_dist.mode() - self.mean) / self.std

    @torch.no_grad()
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.vae.decode(z * self.std + self.mean).sample.clamp(-1, 1).cpu()

    def round_trip(self, frames: np.ndarray, latents: torch.Tensor | None = None) -> np.ndarray:
        """frames (T, H, W, 3) uint8 through the VAE and back: float, 0..255 units. latents:
        their encoding, when the caller has it already (one encode fewer)."""
        z = self.encode(_to_unit(frames)) if latents is None else latents
        return _from_unit(self.decode(z))

    def condition(self, pixels: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
        """Known pixels -> (B, 4 + z, T', h, w): Wan's mask channels, then known latents."""
        if known.any():
            cond = self.encode(masked_pixels(pixels, known))
        else:  # nothing known (text to video): the latents of an empty clip, encoded once
            key = tuple(pixels.shape)
            if key not in self._empty:
                self._empty[key] = self.encode(torch.zeros(key))
            cond = self._empty[key]
        return torch.cat([latent_mask(known, self.spatial).to(self.device), cond], dim=1)

    @torch.no_grad()
    def generate(
        self,
        prompt: str,
        *,
        negative: str = "",
        seed: int | None = 0,
        steps: int | None = None,
        guidance: float | None = None,
        guidance_stop: float | None = None,
        frames: int | None = None,
        size: int | None = None,
        height: int | None = None,
        width: int | None = None,
        fps: float | None = None,
        known_video: np.ndarray | None = None,
        known: np.ndarray | None = None,
        init_video: np.ndarray | None = None,
        strength: float = 1.0,
        start: float = 0.7,
        reference: np.ndarray | None = None,
        anchor: bool | ColourAnchor = True,
        seam: bool = True,
        detail: bool = True,
        task: str = "text",
        extra: dict[str, Any] | None = None,
        callback: Callable[[dict[str, Any]], None] | None = None,
    ) -> Video:
        """Generate one clip. Same arguments, same seed: the same frames (seed None: a fresh
        one, in the recipe).

        More frames than the model's clips (`frames` in spacetime.json, 17 for the shipped
        model) with nothing known: the first clip is made, then extended (Verbs.extend,
        seed + 1) to the length asked; the recipe counts the windows.

        known_video uint8 (T, H, W, 3) with known bool (T, H, W): pixels given to the model
        and kept exactly in the output. init_video uint8 (T, H, W, 3) with strength in (0, 1]:
        start from that clip noised to sigma = strength (video-to-video) instead of pure noise.
        start in (0, 1]: with known pixels and no init_video, sampling starts from a classical
        guess of the clip (start_guess: known frames held and blended in time, the motion
        continued past them in an extension, never-known pixels painted in) noised to
        sigma = start; 1 starts from pure noise. The model then
        only has to correct the guess: objects persist and frames join smoothly.
        reference uint8 (H, W, 3): an image the clip should stay consistent with (a character,
        a style). It is given to the model as a known frame 0 and left out of the output, so
        the clip (and known_video, known, init_video) has frames - 1 frames. A plain backdrop
        around its subject is left unknown (subject_mask), so the prompt's background is drawn
        around the subject from the first frame.
        guidance_stop: the share of the steps taken, the first ones, that are guided (two
        forward passes); later steps make one conditional pass. Layout and motion are set
        at high noise, so stopping early costs little and saves time. Default: the model's
        (`guidance_stop` in spacetime.json, else 1: every step).
        anchor: where pixels are known, correct the model's output towards them before they
        are put back (known.ColourAnchor): per colour, then a cast. This keeps chained windows
        from drifting in colour. A ColourAnchor given here keeps the per-colour fit of the
        first window it saw (extend passes one through its windows).
        seam: carry the model's miss at the known pixels into the made frames around them
        (known.seam_correct), so they meet the kept frames without a jump.
        detail: keep what the VAE loses. Where some frame knows the pixel and the model's
        decoded output agrees with the VAE round trip of the classical guess (start_guess, or
        init_video), the output is the guess itself: parts the model leaves as they were keep
        their sharpness and stay still, and moved parts get no ghosts. So is every pixel whose
        known frames before and after hold the same value (an interpolation's background).
        extra: more recipe entries (the task's own settings).
        callback: called after every sampling step with {"i", "steps", "sigma", "x",
        "denoised"} (diffusion.euler); a verb adds "window" (from 0) and "windows". Raising
        from it stops the run.
        """
        m = self.meta
        seed = seed_or_fresh(seed)
        if not isinstance(negative, str):
            raise ValueError(f"negative must be text ('' for none), got {negative!r}")
        for name, flag in (("seam", seam), ("detail", detail), ("anchor", anchor)):
            if not isinstance(flag, bool | np.bool_ | ColourAnchor) or (
                name != "anchor" and isinstance(flag, ColourAnchor)
            ):  # "no" would read as on
                raise ValueError(f"{name} must be True or False, got {flag!r}")
        if callback is not None and not callable(callback):
            raise ValueError(f"callback must be a function of one dict, got {callback!r}")
        o = self.settings(
            prompt,
            steps=steps,
            guidance=guidance,
            guidance_stop=guidance_stop,
            frames=frames,
            size=size,
            height=height,
            width=width,
            fps=fps,
            seed=seed,
            start=start,
            known_given=known is not None or reference is not None,
        )
        keys = ("steps", "guidance", "guidance_stop", "frames", "fps")
        steps, guidance, stop, frames, fps = (o[k] for k in keys)
        seed = int(seed)  # a numpy integer too
        if known_video is not None:  # checked as a verb's clips are: uint8 0..255, not 0..1
            known_video = as_clip(known_video, "known_video")
        if init_video is not None:
            init_video = as_clip(init_video, "init_video")
        if known is not None:
            known = as_mask(known, "known")
        h, w = o["height"], o["width"]
        said: list[str] = []  # what was changed on the way in
        if reference is not None and frames < 2:
            raise ValueError(
                f"with a reference, frames must be {self.frame_step + 1} or more: the "
                f"reference is the model's frame 0 and is left out of the clip; got {frames}"
            )
        if reference is not None:
            image = as_image(reference, "the reference", said)[None]
            reference = self._fit(image, said, "reference", (h, w))[0]
        window = int(m["frames"])
        if frames > window and known is None and init_video is None:
            # Longer than the model's clips and nothing given: a first clip, then extended
            # window by window as the model was trained. One long window is beyond what it
            # learned: frame 0 comes out as noise and objects double.
            same = {
                "negative": negative,
                "steps": steps,
                "guidance": guidance,
                "guidance_stop": stop,
                "reference": reference,
                "callback": callback,
            }
            first = self.generate(
                prompt, seed=seed, frames=window, height=h, width=w, fps=fps, **same
            )
            more = (frames - window) / float(m["fps"])  # seconds
            rest = self.extend(first.frames, prompt, seconds=more, seed=seed + 1, **same)
            windows = 1 + int(rest.recipe["windows"])
            recipe = {**first.recipe, "frames": frames, "windows": windows}
            if said:
                recipe["notices"] = [*said, *first.recipe.get("notices", [])]
            return Video(rest.frames, fps, recipe)
        given = known is not None and bool(known.any())  # pixels the caller gave
        if reference is not None:
            n = frames - 1
            if known is None:
                known_video, known = np.zeros((n, h, w, 3), np.uint8), np.zeros((n, h, w), bool)
            if init_video is not None:
                init_video = np.concatenate([reference[None], init_video])
            known_video = np.concatenate([reference[None], known_video])  # type: ignore[list-item]
            known = np.concatenate([subject_mask(reference)[None], known])
        if known is None:
            known_t = torch.zeros(1, frames, h, w, dtype=torch.bool)
            pixels = torch.zeros(1, 3, frames, h, w)
        else:
            if known_video is None or known_video.shape != (*known.shape, 3):
                raise ValueError("known_video must be uint8 (T, H, W, 3) matching known (T, H, W)")
            if known.shape != (frames, h, w):
                raise ValueError(f"known must be ({frames}, {h}, {w}), got {known.shape}")
            known_t = torch.from_numpy(known.astype(bool))[None]
            pixels = _to_unit(known_video)
        cond = self.condition(pixels, known_t)  # (1, 4 + z, T', h, w)
        tokens = int(m["text_tokens"])
        text = self.text([prompt, negative], tokens).to(self.device, self.dtype)  # (2, tokens, 384)
        unread = [
            f"{name}: only its first {tokens} tokens are read (about {tokens * 3 // 4} words)"
            for name, words in (("prompt", prompt), ("negative", negative))
            if self.text.count(words) > tokens
        ]
        unread += misspelt(prompt, self.text.is_word)  # "sqaure": read as pieces, not a square
        z = self.vae.config.z_dim
        shape = (1, z, (frames - 1) // 4 + 1, h // self.spatial, w // self.spatial)
        noise = torch.randn(shape, generator=torch.Generator().manual_seed(seed)).to(self.device)
        levels = sigmas(steps, float(m["shift"]))
        begin, level, x0 = init_video, strength, None
        # The classical guess: where sampling starts, and what detail is added back from.
        wanted = given and init_video is None and (start < 1.0 or detail)
        classical = start_guess(known_video, known) if wanted else None  # type: ignore[arg-type]
        from_guess = classical is not None and start < 1.0
        if from_guess:
            begin, level = classical, start
        if begin is not None:
            if not 0.0 < level <= 1.0:
                raise ValueError(f"strength must be in (0, 1], got {level}")
            if begin.shape != (frames, h, w, 3):
                raise ValueError(f"init_video must be ({frames}, {h}, {w}, 3)")
            levels = starting_at(levels, level)
            x0 = self.encode(_to_unit(begin))
            noise = (1 - levels[0]) * x0 + levels[0] * noise

        cut = levels[math.floor(stop * (len(levels) - 1) + 1e-9)]  # guided while sigma > cut

        def velocity(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
            inp = torch.cat([x, cond], dim=1).to(self.dtype)
            t = (sigma * 1000).expand(1).to(self.device)
            if guidance == 1.0 or sigma <= cut:  # unguided: one pass
                return self.transformer(inp, t, text[:1], return_dict=False)[0].float()
            out = self.transformer(inp.repeat(2, 1, 1, 1, 1), t.repeat(2), text, return_dict=False)
            c, u = out[0].float().chunk(2)
            return u + guidance * (c - u)

        lat = euler(velocity, noise, levels, callback)
        video = _from_unit(self.decode(lat))  # float (T, H, W, 3)
        guess = None
        if detail and init_video is not None:
            guess = init_video
        elif detail and given:
            guess = classical
        agree = None
        if guess is not None:  # where the model left the guess as it was: (T, H, W)
            given_px = (known_video, known) if init_video is None else None
            trip = self.round_trip(guess, x0 if guess is begin else None)  # begin's latents
            agree = guess_kept(video, trip, given_px)  # type: ignore[arg-type]
        if known is not None:  # known pixels are given: keep them exactly
            ref = reference is not None
            video = keep_known(video, known_video, known, anchor, seam, ref)  # type: ignore[arg-type]
        if agree is not None:  # there the guess's own pixels, with none of the VAE's blur
            video = np.where(agree[..., None], guess, video)
        video = video.round().clip(0, 255).astype(np.uint8)
        if reference is not None:
            video = video[1:]
        recipe = {
            "prompt": prompt,
            "negative": negative,
            "seed": seed,
            "steps": steps,
            "guidance": guidance,
            **({"guidance_stop": stop} if stop < 1 else {}),
            "frames": len(video),  # a reference's frame 0 left out
            "height": h,
            "width": w,
            "fps": fps,
            "task": task,
            **({"strength": strength} if init_video is not None else {}),
            **({"start": start} if given and init_video is None else {}),
            **({"anchor": bool(anchor), "seam": seam} if known is not None else {}),
            **({"detail": detail} if guess is not None or not detail else {}),
            **({"reference": _digest(reference)} if reference is not None else {}),
            **(extra or {}),
            **(
                {"notices": [*(extra or {}).get("notices", []), *said, *unread]}
                if said or unread
                else {}
            ),
            "model": self.name,
            "model_hash": self.model_hash,
            **self.setup,
            **made_by(),
        }
        return Video(video, fps, recipe)
