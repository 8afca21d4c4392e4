"""LoRA adapters through peft: `--lora PATH[:SCALE]`, several at once.

PATH is a .safetensors file or a folder holding `pytorch_lora_weights.safetensors` (the
diffusers layout). Each adapter is loaded under its own name and all are active together,
each at its scale.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..io.media import digest
from .files import check_safetensors

LORA_FILE = "pytorch_lora_weights.safetensors"


def parse(spec: str) -> tuple[Path, float]:
    """'style.safetensors:0.8' -> (path, 0.8); no scale means 1.0."""
    path, scale = spec, 1.0
    head, sep, tail = spec.rpartition(":")
    if sep and head:
        try:
            path, scale = head, float(tail)
        except ValueError:
            if Path(head).exists() and not Path(spec).exists():
                raise ValueError(
                    f"--lora {spec}: the scale after ':' must be a number, such as {head}:0.8"
                ) from None
            path = spec  # a ':' that is part of the path
    if not math.isfinite(scale):
        raise ValueError(f"--lora {spec}: the scale after ':' must be a finite number, such as 0.8")
    p = Path(path)
    if p.is_dir():
        p = p / LORA_FILE
    if not p.is_file():
        raise FileNotFoundError(2, "no such LoRA file", str(p))
    if p.suffix != ".safetensors":
        raise ValueError(f"{p}: a LoRA must be a .safetensors file; Spacetime never unpickles")
    check_safetensors(p)
    return p, scale


def apply(target: Any, specs: list[str]) -> list[dict[str, Any]]:
    """Load every LoRA of specs into target and activate them all at their scales.

    target is a diffusers pipeline (load_lora_weights, which also converts the other common
    LoRA layouts) or a transformer model (load_lora_adapter). Returns the recipe entries.
    """
    if not specs:
        return []
    try:
        import peft  # noqa: F401
    except ImportError:
        raise ValueError("--lora needs peft: pip install peft") from None
    import diffusers

    diffusers.utils.logging.set_verbosity_error()  # a file that fits nothing is said below
    names, scales, recipe = [], [], []
    for i, spec in enumerate(specs):
        path, scale = parse(spec)
        name = f"lora{i}"
        try:
            if hasattr(target, "load_lora_weights"):
                target.load_lora_weights(str(path), adapter_name=name)
            else:
                target.load_lora_adapter(str(path), adapter_name=name, prefix="transformer")
        except (KeyError, RuntimeError, ValueError) as e:
            raise ValueError(f"{path} does not fit this model: {str(e).splitlines()[0]}") from None
        if not _loaded(target, name):  # diffusers only logs a file whose keys fit nothing
            raise ValueError(f"{path} holds no LoRA weights for this model's layers")
        names.append(name)
        scales.append(scale)
        recipe.append({"file": path.name, "scale": scale, "sha256": digest(path)["sha256"]})
    target.set_adapters(names, scales)
    return recipe


def _loaded(target: Any, name: str) -> bool:
    """Whether the adapter name was loaded into target (a pipeline or a model)."""
    if hasattr(target, "get_list_adapters"):
        return any(name in names for names in target.get_list_adapters().values())
    return name in (getattr(target, "peft_config", None) or {})
