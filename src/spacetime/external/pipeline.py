"""Our verbs on open checkpoints: Wan, LTX-Video and CogVideoX folders run by diffusers.

`ExternalPipeline.generate` has the signature of `spacetime.Pipeline.generate`: a task is
known pixels. Here they become what the family's own pipeline takes:

| family        | known pixels become                                                   |
|---------------|-----------------------------------------------------------------------|
| Wan T2V       | nothing (text), or the video to restyle (WanVideoToVideoPipeline)       |
| Wan I2V       | `image` = frame 0                                                       |
| Wan FLF2V     | `image` = frame 0, `last_image` = the last frame                        |
| Wan VACE      | `video` and `mask` (white = make), `reference_images`                  |
| LTX-Video     | LTXConditionPipeline conditions: a video at frame 0, images at others  |
| CogVideoX T2V | nothing (text), or the video to restyle (CogVideoXVideoToVideoPipeline) |
| CogVideoX I2V | `image` = frame 0                                                       |

So every verb of `spacetime.verbs` works unchanged where the family can do the task, and
is refused with one line where it can't. Known pixels are kept exactly in the output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from ..checks import LOAD_DEFAULTS, seed_or_fresh
from ..inputs import as_clip, as_image, rate_of
from ..io import Video
from ..known import ColourAnchor, keep_known
from ..models import lora
from ..models.files import check_weights
from ..provenance import made_by
from ..verbs import Verbs, verb
from . import devices
from .families import Family, detect, read_json, refusal


def _pil(frames: np.ndarray) -> list[Image.Image]:
    return [Image.fromarray(f) for f in frames]


def _sibling(cls: Any, pipe: Any) -> Any:
    """Another pipeline class on the same loaded components: no copy, no dtype change
    (diffusers' from_pipe casts every shared module to float32), no progress bar."""
    keys = cls._get_signature_keys(cls)[0]
    out = cls(**{k: v for k, v in pipe.components.items() if k in keys})
    out.set_progress_bar_config(disable=True)
    return out


def fingerprint(folder: Path, components: list[str]) -> str:
    """A short hash of a folder's configs and safetensors headers (names, shapes, offsets)
    and sizes: a model's identity in the recipe without reading gigabytes of weights."""
    h = hashlib.sha256((folder / "model_index.json").read_bytes())
    for name in components:
        for p in sorted((folder / name).glob("*")):
            if p.suffix == ".json":
                h.update(p.read_bytes())
            elif p.suffix == ".safetensors":
                with p.open("rb") as f:
                    n = int.from_bytes(f.read(8), "little")
                    h.update(f.read(n))
                h.update(str(p.stat().st_size).encode())
    return h.hexdigest()[:16]


ONE_WINDOW = ("wan-i2v", "wan-flf2v", "cogvideox-i2v")


class ExternalPipeline(Verbs):
    reference_frame = False  # a reference goes to the model's own input, not a frame
    completes = False  # its text encoder knows no "no background means grey" rule

    def __init__(
        self,
        pipe: Any,
        family: Family,
        folder: Path,
        memory: devices.Memory,
        loras: list[dict[str, Any]],
        model_hash: str,
    ):
        self.pipe, self.family, self.folder, self.memory = pipe, family, folder, memory
        self.loras, self.model_hash, self.name = loras, model_hash, folder.name
        self.multiple, self.frame_step = family.multiple, family.frame_step
        f = family
        self.meta: dict[str, Any] = {
            "frames": f.frames,
            "height": f.height,
            "width": f.width,
            "size": None,
            "fps": f.fps,
            "steps": f.steps,
            "guidance": f.guidance,
        }
        tr = getattr(pipe, "transformer", None)
        cfg = getattr(tr, "config", {})
        # CogVideoX's positional embeddings are sized for its text length.
        self.text_tokens = cfg.get("max_text_seq_length") if cfg else None
        self.siblings: dict[Any, Any] = {}
        self.fixed = self._limits(cfg)

    def _limits(self, cfg: Any) -> bool:
        """Take the size multiple and defaults from the loaded model where it says them.
        True when the model only works at its trained size (learned positions)."""
        pipe = self.pipe
        vae_s = getattr(pipe, "vae_scale_factor_spatial", None) or getattr(
            pipe, "vae_spatial_compression_ratio", None
        )
        patch = cfg.get("patch_size") if cfg else None
        patch = patch[-1] if isinstance(patch, list | tuple) else patch
        if vae_s and patch:
            self.multiple = int(vae_s) * int(patch)
        vae_t = getattr(pipe, "vae_scale_factor_temporal", None) or getattr(
            pipe, "vae_temporal_compression_ratio", None
        )
        if vae_t:
            self.frame_step = int(vae_t)
        if cfg and cfg.get("sample_height") and vae_s:  # CogVideoX
            self.meta["height"] = int(cfg["sample_height"]) * int(vae_s)
            self.meta["width"] = int(cfg["sample_width"]) * int(vae_s)
            self.meta["frames"] = int(cfg["sample_frames"])
            return bool(cfg.get("use_learned_positional_embeddings"))
        return False

    def _check_positions(self, frames: int, h: int, w: int) -> None:
        """Refuse a clip longer or larger than the transformer's rotary positions reach
        (rope_max_seq_len, per axis, in patches): its attention fails with a shape error."""
        cfg = getattr(getattr(self.pipe, "transformer", None), "config", None) or {}
        reach = cfg.get("rope_max_seq_len")
        if not reach:
            return
        patch = cfg.get("patch_size") or (1, 1, 1)
        sizes = (
            ((frames - 1) // self.frame_step + 1) // patch[0],
            h // self.multiple,
            w // self.multiple,
        )
        if max(sizes) > reach:
            raise ValueError(
                f"this checkpoint's transformer places at most {reach} patches along each axis "
                f"(rope_max_seq_len), and {frames} frames at {w}x{h} take {max(sizes)}; ask for "
                "fewer --frames or a smaller --size"
            )

    def canvas(self, h: int, w: int) -> tuple[int, int]:
        if self.fixed:  # learned positions: the trained size only
            return int(self.meta["height"]), int(self.meta["width"])
        return super().canvas(h, w)

    def sibling(self, cls: Any) -> Any:
        if cls not in self.siblings:
            self.siblings[cls] = _sibling(cls, self.pipe)
        return self.siblings[cls]

    @classmethod
    def load(
        cls,
        folder: Path,
        memory: devices.Memory | None = None,
        loras: list[str] | None = None,
        **defaults: Any,
    ) -> ExternalPipeline:
        """Load a Wan, LTX-Video or CogVideoX folder in diffusers format.

        defaults override the family's frames, height, width, fps, steps and guidance.
        """
        import diffusers
        import transformers

        for lib in (diffusers, transformers):  # one line per error, no bars on stderr
            lib.utils.logging.set_verbosity_error()
            lib.utils.logging.disable_progress_bar()
        unknown = set(defaults) - set(LOAD_DEFAULTS)
        if unknown:
            raise TypeError(f"unknown defaults: {', '.join(sorted(unknown))}")
        family = detect(folder)
        index = read_json(folder / "model_index.json")
        parts = [k for k, v in index.items() if isinstance(v, list) and v[0] and v[1]]
        check_weights(folder, parts)
        m = (memory or devices.Memory()).resolve()
        dtype = m.torch_dtype()
        torch_dtype: Any = dtype
        if family.key.startswith("wan") and dtype != torch.float32:
            torch_dtype = {"default": dtype, "vae": torch.float32}  # as Wan's own examples
        with devices.oom_advice(m, "loading the weights"):
            try:
                pipe = diffusers.DiffusionPipeline.from_pretrained(
                    folder, dtype=torch_dtype, use_safetensors=True
                )
            except (OSError, KeyError, RuntimeError, ValueError, TypeError, ImportError) as e:
                if devices.out_of_memory(e):
                    raise
                msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise ValueError(f"could not load {folder}: {msg}") from None
            applied = lora.apply(pipe, loras or [])
            devices.place(pipe, m)
        pipe.set_progress_bar_config(disable=True)
        out = cls(pipe, family, folder, m, applied, fingerprint(folder, parts))
        out.meta.update({k: v for k, v in defaults.items() if v is not None})
        return out

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
        """One clip; arguments as `spacetime.Pipeline.generate` (detail, start and
        guidance_stop are ours only: the families' pipelines condition and guide their own
        way)."""
        if guidance_stop is not None and guidance_stop < 1:
            raise ValueError("--guidance-stop works with Spacetime models only; leave it unset")
        fam = self.family
        seed = seed_or_fresh(seed)
        said: list[str] = []  # what reading a path changed (a clip's first frame as the image)
        if reference is not None:
            reference = as_image(reference, "the reference", said)
        for need in (task, *(["reference"] if reference is not None else [])):
            if not fam.can(need):
                raise ValueError(refusal(fam, need))
        o = self.settings(
            prompt,
            steps=steps,
            guidance=guidance,
            frames=frames,
            size=size,
            height=height,
            width=width,
            fps=fps,
            seed=seed,
            known_given=known is not None or reference is not None,
        )
        seed = int(seed)
        n, h, w = o["frames"], o["height"], o["width"]
        self._check_positions(n, h, w)
        if known is not None and (known_video is None or known.shape != (n, h, w)):
            raise ValueError(f"known must be ({n}, {h}, {w}) with known_video (T, H, W, 3)")
        if init_video is not None and not 0.0 < strength <= 1.0:
            raise ValueError(f"strength must be in (0, 1], got {strength}")
        args: dict[str, Any] = dict(
            prompt=prompt,
            negative_prompt=negative or None,
            height=h,
            width=w,
            num_inference_steps=o["steps"],
            guidance_scale=o["guidance"],
            output_type="np",
            generator=torch.Generator().manual_seed(seed),
        )
        if self.text_tokens:
            args["max_sequence_length"] = self.text_tokens
        if callback is not None:

            def step(pipe: Any, i: int, t: Any, kw: dict[str, Any]) -> dict[str, Any]:
                callback({"i": i, "steps": o["steps"]})
                return {}

            args["callback_on_step_end"] = step
        run, more = self._call(known_video, known, init_video, strength, reference, n)
        with devices.oom_advice(self.memory, f"making {n} frames at {w}x{h}"), torch.no_grad():
            out = run(**args, **more).frames[0]  # float (T, H, W, 3) in 0..1
        video = np.asarray(out, np.float32) * 255
        if known is not None and known.any():
            video = keep_known(video, known_video, known, anchor, seam)  # type: ignore[arg-type]
        recipe = {
            "prompt": prompt,
            "negative": negative,
            "seed": seed,
            "steps": o["steps"],
            "guidance": o["guidance"],
            "frames": n,
            "height": h,
            "width": w,
            "fps": o["fps"],
            "task": task,
            **({"strength": strength} if init_video is not None else {}),
            **({"anchor": bool(anchor), "seam": seam} if known is not None else {}),
            **({"reference": True} if reference is not None else {}),
            **(extra or {}),
            **({"notices": [*(extra or {}).get("notices", []), *said]} if said else {}),
            "model": self.name,
            "model_hash": self.model_hash,
            "family": fam.key,
            **self.memory.recipe(),
            **({"loras": self.loras} if self.loras else {}),
            **made_by(),
        }
        return Video(video.round().clip(0, 255).astype(np.uint8), o["fps"], recipe)

    def _call(self, known_video, known, init_video, strength, reference, n):
        """The diffusers pipeline to run for these known pixels, and its extra arguments."""
        import diffusers

        key, pipe = self.family.key, self.pipe
        rows = [] if known is None else [t for t in range(n) if known[t].any()]
        whole = known is None or all(known[t].all() for t in rows)
        more: dict[str, Any] = {}
        if key == "wan-vace":
            more["num_frames"] = n
            if known is not None:
                more["video"] = _pil(np.where(known[..., None], known_video, 127).astype(np.uint8))
                more["mask"] = _pil(np.where(known, 0, 255).astype(np.uint8))
            if reference is not None:
                more["reference_images"] = [Image.fromarray(reference)]
            return pipe, more
        if not whole:
            raise ValueError(
                f"{self.family.name} keeps whole frames only; {refusal(self.family, 'inpaint')}"
            )
        if init_video is not None:  # stylize: T2V families restyle through their V2V pipeline
            cls = {
                "wan-t2v": diffusers.WanVideoToVideoPipeline,
                "cogvideox-t2v": diffusers.CogVideoXVideoToVideoPipeline,
            }[key]
            if getattr(pipe, "transformer_2", None) is not None or pipe.config.get(
                "expand_timesteps"
            ):
                raise ValueError(
                    "Wan 2.2 A14B and TI2V-5B can't stylize (diffusers' video-to-video "
                    "pipeline runs one transformer); a Wan 2.1 T2V or CogVideoX T2V folder can"
                )
            return self.sibling(cls), {"video": _pil(init_video), "strength": strength}
        more["num_frames"] = n
        if key == "ltx":
            from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

            lead = 0  # the known frames from frame 0 that make a k*n+1 video condition
            while lead < len(rows) and rows[lead] == lead:
                lead += 1
            k = self.frame_step
            lead = (lead - 1) // k * k + 1 if lead else 0
            conds = (
                [LTXVideoCondition(video=_pil(known_video[:lead]), frame_index=0)] if lead else []
            )
            conds += [
                LTXVideoCondition(image=Image.fromarray(known_video[t]), frame_index=t)
                for t in rows
                if t >= lead
            ]
            more["frame_rate"] = float(self.meta["fps"])
            if getattr(pipe.vae.config, "timestep_conditioning", False):  # LTX 0.9.1 and later
                more.update(decode_timestep=0.05, decode_noise_scale=0.025)
            # The condition pipeline serves every LTX folder, whatever class it was saved as.
            return self.sibling(diffusers.LTXConditionPipeline), {
                **more,
                **({"conditions": conds} if conds else {}),
            }
        if key in ("wan-t2v", "cogvideox-t2v"):
            return pipe, more
        want = {"wan-flf2v": [0, n - 1]}.get(key, [0])
        if rows != want:
            which = "the first and the last" if key == "wan-flf2v" else "the first"
            raise ValueError(
                f"{self.family.name} takes {which} frame only, in one window of up to "
                f"{self.meta['frames']} frames; for longer clips use Wan VACE or LTX-Video"
            )
        more["image"] = Image.fromarray(known_video[0])
        if key == "wan-flf2v":
            more["last_image"] = Image.fromarray(known_video[n - 1])
        return pipe, more

    def _run(self, prompt: str, video: np.ndarray, known: np.ndarray, *a: Any, **k: Any) -> Video:
        """As `Verbs._run`; families that take only a first (and last) frame can't chain
        windows, so a clip longer than one window is refused before any work."""
        if self.family.key in ONE_WINDOW and len(known) > self._window(None):
            raise ValueError(
                f"{self.family.name} makes at most {self._window(None)} frames in one go; "
                "for longer clips use Wan VACE or LTX-Video"
            )
        return super()._run(prompt, video, known, *a, **k)

    @verb
    def interpolate(
        self,
        video: np.ndarray,
        *,
        factor: int,
        fps: float | None = None,
        prompt: str = "",
        canvas: tuple[int, int] | None = None,
        **opts: Any,
    ) -> Video:
        """As `Verbs.interpolate`; Wan FLF2V joins each pair of input frames in a window of
        its own, so factor must be a multiple of 4 there, and its result stays at the
        working size."""
        if self.family.key != "wan-flf2v":  # a path or a Video as given: its rate and notes
            return super().interpolate(
                video, factor=factor, fps=fps, prompt=prompt, canvas=canvas, **opts
            )
        fps = rate_of(video, fps)
        fps = float(self.meta["fps"]) if fps is None else fps
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        if factor < 4 or factor % 4:
            raise ValueError(f"--factor must be a multiple of 4 for Wan FLF2V, got {factor}")
        if len(video) < 2:
            raise ValueError("interpolate needs a clip of at least 2 frames")
        clip = self._fit(video, notices, "video", canvas)
        seed = int(opts.pop("seed", 0))
        opts.pop("complete", None)  # its prompts are kept as written (completes is False)
        rate = float(self.meta["fps"])
        parts = [clip[:1]]
        for i in range(len(clip) - 1):
            pair = self.morph(
                clip[i : i + 1],
                clip[i + 1 : i + 2],
                seconds=factor / rate,
                prompt=prompt,
                seed=seed + i,
                **opts,
            )
            parts.append(pair.frames[1:])
        recipe = {
            **pair.recipe,
            "task": "interpolate",
            "frames": (len(clip) - 1) * factor + 1,
            "seed": seed,
            "windows": len(clip) - 1,
            "factor": factor,
            "input_fps": fps,
            "notices": notices,
        }
        return Video(np.concatenate(parts), fps * factor, recipe)
