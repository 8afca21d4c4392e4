"""Model folders: the diffusers layout (model_index.json, one subfolder per component).

A Spacetime folder is what stock `WanImageToVideoPipeline.from_pretrained(folder,
text_encoder=..., tokenizer=...)` loads; the text encoder is the packaged MiniLM, so it is not
copied into every folder. `spacetime.json` holds our defaults (frames, size, fps, text length,
sampler) and how the model was made.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import diffusers

from .files import readable

WEIGHTS = "diffusion_pytorch_model.safetensors"
REQUIRED = (
    "model_index.json",
    "spacetime.json",
    "vae/config.json",
    f"vae/{WEIGHTS}",
    "transformer/config.json",
    f"transformer/{WEIGHTS}",
    "scheduler/scheduler_config.json",
)
META_KEYS = ("frames", "fps", "size", "steps", "guidance", "shift", "text_tokens")  # spacetime.json


def model_index() -> dict[str, Any]:
    return {
        "_class_name": "WanImageToVideoPipeline",
        "_diffusers_version": diffusers.__version__,
        "boundary_ratio": None,
        "expand_timesteps": False,
        "image_encoder": [None, None],
        "image_processor": [None, None],
        "scheduler": ["diffusers", "FlowMatchEulerDiscreteScheduler"],
        "text_encoder": ["transformers", "BertModel"],
        "tokenizer": ["transformers", "BertTokenizerFast"],
        "transformer": ["diffusers", "WanTransformer3DModel"],
        "transformer_2": [None, None],
        "vae": ["diffusers", "AutoencoderKLWan"],
    }


def check(folder: Path) -> None:
    """Raise a one-line error naming the first missing file of a model folder."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file: --model takes a model folder")
    if not folder.is_dir():
        raise FileNotFoundError(2, "no such model folder", str(folder))
    for rel in REQUIRED:
        if not (folder / rel).is_file():
            raise ValueError(f"model folder {folder} is missing {rel}; re-export or re-download it")
    for rel in (r for r in REQUIRED if r.endswith(".json")):
        try:
            data = json.loads((folder / rel).read_text())
        except (ValueError, UnicodeDecodeError) as e:
            raise ValueError(f"{folder / rel} is not valid JSON ({e}); re-export it") from None
        if not isinstance(data, dict):
            raise ValueError(f"{folder / rel} must hold a JSON object; re-export it")
    meta = json.loads((folder / "spacetime.json").read_text())
    missing = [k for k in META_KEYS if k not in meta]
    if missing:
        raise ValueError(f"{folder / 'spacetime.json'} lacks {', '.join(missing)}; re-export it")


def save(folder: Path, vae, transformer, scheduler, meta: dict[str, Any]) -> Path:
    """Write a complete model folder to a temporary name, then rename it into place. Only a
    model folder is ever replaced: a run, any other folder or a file there is refused."""
    from ..io.video import atomic_folder

    folder = Path(folder)
    check_writable(folder)
    with atomic_folder(folder) as tmp:
        vae.save_pretrained(tmp / "vae", safe_serialization=True)
        transformer.save_pretrained(tmp / "transformer", safe_serialization=True)
        scheduler.save_pretrained(tmp / "scheduler")
        (tmp / "model_index.json").write_text(json.dumps(model_index(), indent=2) + "\n")
        (tmp / "spacetime.json").write_text(json.dumps(meta, indent=2) + "\n")
        readable(tmp)
    return folder


def is_model_folder(folder: Path) -> bool:
    """A model folder, or a VAE run's export (vae/ alone): what an export may replace."""
    if (folder / "model_index.json").is_file():
        return True
    return (
        folder.is_dir()
        and [p.name for p in folder.iterdir()] == ["vae"]
        and (folder / "vae" / "config.json").is_file()
    )


def check_writable(folder: Path) -> None:
    """Refuse to write a model folder over anything but an older model folder (or nothing)."""
    model = is_model_folder(folder)
    if folder.is_file() or (folder.is_dir() and not model and any(folder.iterdir())):
        raise ValueError(
            f"refusing to overwrite {folder}: it is not a model folder (no "
            "model_index.json); choose a new path"
        )


def weights_hash(folder: Path) -> str:
    """A short content hash of a folder's weights: the model's identity in every recipe."""
    h = hashlib.sha256()
    for rel in (f"vae/{WEIGHTS}", f"transformer/{WEIGHTS}"):
        p = folder / rel
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_part(cls: Any, folder: Path) -> Any:
    """cls.from_pretrained(folder) from safetensors, refusing weights that do not fit the
    config (missing, unexpected or misshapen tensors) instead of filling them at random."""
    from diffusers.utils import logging

    level = logging.get_verbosity()
    logging.set_verbosity_error()  # its own list of every misfit tensor: ours is one line
    try:
        model, info = cls.from_pretrained(folder, use_safetensors=True, output_loading_info=True)
    except (RuntimeError, ValueError, NotImplementedError, OSError) as e:
        first = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise ValueError(f"{folder}: its weights do not load ({first}); re-export it") from None
    finally:
        logging.set_verbosity(level)
    bad = {k: v for k, v in info.items() if v and k != "error_msgs"} or (
        {"errors": info["error_msgs"]} if info.get("error_msgs") else {}
    )
    if bad:
        what = "; ".join(f"{k.replace('_', ' ')}: {len(v)}" for k, v in bad.items())
        raise ValueError(f"{folder}: its weights do not fit its config.json ({what}); re-export it")
    return model


def vae_folder(path: Path) -> Path:
    """The folder holding a VAE's config and weights: a model folder's, a run folder's or
    path itself."""
    for cand in (path / "vae", path / "model" / "vae", path):
        if (cand / "config.json").is_file() and (cand / WEIGHTS).is_file():
            return cand
    raise ValueError(f"no VAE in {path}: expected vae/config.json and vae/{WEIGHTS}")


def load_vae(path: Path):
    """A Wan VAE from a model folder, a run folder or a vae/ folder."""
    from diffusers import AutoencoderKLWan

    return load_part(AutoencoderKLWan, vae_folder(path)).eval()
