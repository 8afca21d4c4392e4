"""Checkpoints that survive kill -9: each one is a complete folder, then a pointer flips.

A run folder holds ckpt-0000200/ (model.safetensors, ema.safetensors, optim.safetensors,
state.json) and a file `latest` naming the newest complete one. The pointer is written to a
temporary name and renamed, so a crash at any moment leaves the previous checkpoint intact.
Everything is safetensors or JSON: nothing is unpickled.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from ..models.files import readable


def _optim_tensors(opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    sd = opt.state_dict()
    tensors, scalars = {}, {}
    for idx, state in sd["state"].items():
        for k, v in state.items():
            if torch.is_tensor(v):
                tensors[f"{idx}.{k}"] = v.detach().cpu().contiguous()
            else:
                scalars[f"{idx}.{k}"] = v
    return tensors, {"param_groups": sd["param_groups"], "scalars": scalars}


def _load_optim(opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], meta: dict) -> None:
    state: dict[int, dict[str, Any]] = {}
    for key, v in tensors.items():
        idx, k = key.split(".", 1)
        state.setdefault(int(idx), {})[k] = v
    for key, v in meta["scalars"].items():
        idx, k = key.split(".", 1)
        state.setdefault(int(idx), {})[k] = v
    opt.load_state_dict({"state": state, "param_groups": meta["param_groups"]})


def save(
    run: Path,
    step: int,
    model: torch.nn.Module,
    ema: torch.nn.Module | None,
    opt: torch.optim.Optimizer,
    extra: dict[str, Any],
    keep: int = 2,
) -> Path:
    """Write ckpt-{step}/ completely, point `latest` at it, drop all but the newest `keep`."""
    final = run / f"ckpt-{step:07d}"
    tmp = run / f".tmp-ckpt-{step:07d}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, tmp / "model.safetensors")
    if ema is not None:
        save_file({k: v.contiguous() for k, v in ema.state_dict().items()}, tmp / "ema.safetensors")
    tensors, meta = _optim_tensors(opt)
    save_file(tensors, tmp / "optim.safetensors")
    (tmp / "state.json").write_text(json.dumps({"step": step, "optim": meta, **extra}))
    readable(tmp)
    for f in tmp.iterdir():  # the data must be on disk before the pointer names it
        with f.open("rb") as fh:
            os.fsync(fh.fileno())
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    pointer = run / ".latest.tmp"
    pointer.write_text(final.name)
    os.replace(pointer, run / "latest")
    old = sorted(run.glob("ckpt-*"))[:-keep]
    for d in old:
        shutil.rmtree(d, ignore_errors=True)
    return final


def latest(run: Path) -> Path | None:
    """The newest complete checkpoint of a run, or None: the one `latest` names, else (the
    pointer or its folder lost) the newest ckpt-* folder, each complete since its rename."""
    pointer = run / "latest"
    if pointer.is_file():
        path = run / pointer.read_text().strip()
        if (path / "state.json").is_file():
            return path
    done = sorted(p for p in run.glob("ckpt-*") if (p / "state.json").is_file())
    return done[-1] if done else None


def load(
    path: Path,
    model: torch.nn.Module,
    ema: torch.nn.Module | None,
    opt: torch.optim.Optimizer | None,
) -> dict[str, Any]:
    """Restore a checkpoint in place; returns state.json (step and extras). A damaged file
    is a ValueError naming it."""

    def read(name: str) -> dict[str, torch.Tensor]:
        try:
            return load_file(path / name)
        except Exception as e:  # safetensors raises its own error types
            raise ValueError(
                f"{path / name} is damaged ({e}); delete {path.name} and point "
                f"{path.parent / 'latest'} at the checkpoint before it"
            ) from None

    state = json.loads((path / "state.json").read_text())
    model.load_state_dict(read("model.safetensors"))
    if ema is not None and (path / "ema.safetensors").is_file():
        ema.load_state_dict(read("ema.safetensors"))
    if opt is not None:
        _load_optim(opt, read("optim.safetensors"), state["optim"])
    return state
