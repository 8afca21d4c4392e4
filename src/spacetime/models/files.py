"""Checks on the weight files of a model folder, made before any of them is loaded.

Weights are safetensors only: a pickle checkpoint (.bin .pt .pth .ckpt .pkl) can run code
when it is loaded, so it is refused, never opened. A safetensors file is checked the cheap
way: its header must be JSON that describes tensors lying inside the file.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
MAX_HEADER = 100_000_000  # bytes; safetensors' own limit


def readable(folder: Path) -> None:
    """Give each .safetensors file in folder (and below) the permissions any new file gets
    under the umask (644 under 022): safetensors 0.8 writes them owner-only (600), so
    another user, or a container as non-root, could not load an exported model."""
    umask = os.umask(0)
    os.umask(umask)
    for f in folder.rglob("*.safetensors"):
        f.chmod(0o666 & ~umask)


def check_safetensors(path: Path) -> None:
    """Raise ValueError (one line) if path is not a whole safetensors file."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise ValueError(f"{path} is not a safetensors file (it is {size} bytes long)")
        (n,) = struct.unpack("<Q", head)
        if n > min(MAX_HEADER, size - 8):
            raise ValueError(f"{path} is corrupt or not a safetensors file; download it again")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError(f"{path} has a corrupt header; download it again") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path} has a corrupt header; download it again")
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    if 8 + n + end > size:
        raise ValueError(f"{path} is cut short ({size} of {8 + n + end} bytes); download it again")


def check_weights(folder: Path, components: list[str]) -> None:
    """Check every weight file of the named component subfolders of a model folder.

    Each component folder that holds weights must hold them as safetensors; a component
    with only pickle files is refused with the name of one of them.
    """
    for name in components:
        sub = folder / name
        if not sub.is_dir():
            raise ValueError(f"model folder {folder} is missing its {name}/ folder")
        safe = sorted(sub.glob("*.safetensors"))
        pickles = sorted(p for p in sub.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles and not safe:
            raise ValueError(
                f"{pickles[0]} is a pickle checkpoint, which can run code when loaded, so "
                "Spacetime will not open it; convert it to safetensors"
            )
        if not safe and not pickles and (sub / "config.json").is_file():  # a model, no weights
            raise ValueError(f"model folder {folder} is missing the weights of {name}/")
        for index in sub.glob("*.safetensors.index.json"):
            try:
                shards = set(json.loads(index.read_text())["weight_map"].values())
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{index} is corrupt; download it again") from None
            for shard in sorted(shards):
                if not (sub / shard).is_file():
                    raise ValueError(f"model folder {folder} is missing {name}/{shard}")
        for p in safe:
            check_safetensors(p)
