"""Device, dtype and memory options for a loaded diffusers pipeline.

    --device auto|cuda|mps|cpu   --dtype auto|float32|bfloat16|float16
    --offload none|model|sequential|group   --vae-tiling   --vae-slicing   --low-memory

`--low-memory` picks: model offload on a GPU, VAE tiling and slicing everywhere. torch is
imported where it is used, so the command line checks these names before its slow import.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("float32", "bfloat16", "float16")
OFFLOADS = ("none", "model", "sequential", "group")


@dataclass
class Memory:
    """How to place a pipeline; `resolve` fills in auto and low_memory."""

    device: str = "auto"
    dtype: str = "auto"
    offload: str = "none"
    vae_tiling: bool = False
    vae_slicing: bool = False
    low_memory: bool = False
    notices: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Refuse an unknown device, dtype or offload name."""
        if self.device not in DEVICES:
            raise ValueError(f"--device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.dtype != "auto" and self.dtype not in DTYPES:
            raise ValueError(
                f"--dtype must be auto or one of {', '.join(DTYPES)}, got {self.dtype!r}"
            )
        if self.offload not in OFFLOADS:
            raise ValueError(
                f"--offload must be one of {', '.join(OFFLOADS)}, got {self.offload!r}"
            )

    def resolve(self) -> Memory:
        import torch

        self.check()
        device = self.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "mps" if mps_ok() else "cpu"
        elif device == "cuda" and not torch.cuda.is_available():
            raise ValueError("--device cuda: no CUDA GPU is visible to torch; use --device cpu")
        elif device == "mps" and not mps_ok():
            raise ValueError("--device mps: this machine has no Apple GPU; use --device cpu")
        dtype = self.dtype
        if dtype == "auto":
            dtype = {"cuda": "bfloat16", "mps": "float16"}.get(device, "float32")
        offload, tiling, slicing = self.offload, self.vae_tiling, self.vae_slicing
        notices = list(self.notices)
        if self.low_memory:
            tiling = slicing = True
            if device == "cuda" and offload == "none":
                offload = "model"
            notices.append(f"low memory: offload {offload}, VAE tiling and slicing")
        if offload != "none" and device == "cpu":
            raise ValueError(
                f"--offload {offload} moves weights to a GPU and back; on a CPU leave it out"
            )
        return Memory(device, dtype, offload, tiling, slicing, False, notices)

    def torch_dtype(self) -> torch.dtype:
        import torch

        return getattr(torch, self.dtype)

    def recipe(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "dtype": self.dtype,
            **({"offload": self.offload} if self.offload != "none" else {}),
            **({"vae_tiling": True} if self.vae_tiling else {}),
            **({"vae_slicing": True} if self.vae_slicing else {}),
        }


def mps_ok() -> bool:
    import torch

    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def place(pipe: Any, m: Memory) -> None:
    """Move a diffusers pipeline to m.device with m's offload and VAE options."""
    import torch

    if m.offload == "model":
        pipe.enable_model_cpu_offload(device=m.device)
    elif m.offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=m.device)
    elif m.offload == "group":
        from diffusers.hooks import apply_group_offloading

        for part in pipe.components.values():
            if isinstance(part, torch.nn.Module):
                apply_group_offloading(
                    part, onload_device=torch.device(m.device), offload_type="leaf_level"
                )
    else:
        pipe.to(m.device)
    vae = getattr(pipe, "vae", None)
    if m.vae_tiling and hasattr(vae, "enable_tiling"):
        vae.enable_tiling()
    if m.vae_slicing and hasattr(vae, "enable_slicing"):
        vae.enable_slicing()


def out_of_memory(e: BaseException) -> bool:
    import torch

    text = str(e)
    return isinstance(e, torch.OutOfMemoryError) or (
        isinstance(e, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)
    )


@contextmanager
def oom_advice(m: Memory, what: str):
    """Turn an out-of-memory error into one line that says which option to try; free what the
    failed call took."""
    import torch

    try:
        yield
        return
    except (RuntimeError, torch.OutOfMemoryError) as e:
        if not out_of_memory(e):
            raise
    # Out of the except block, so the error and the tensors its frames hold are gone.
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    if mps_ok():
        torch.mps.empty_cache()
    tips = []
    if m.offload == "none":
        tips.append("--low-memory (or --offload model)")
    if m.offload in ("none", "model"):
        tips.append("--offload sequential")
    if not m.vae_tiling:
        tips.append("--vae-tiling")
    tips.append("fewer --frames or a smaller --size")
    raise MemoryError(f"out of memory on {m.device} {what}; try {', '.join(tips)}")
