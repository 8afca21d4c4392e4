"""models/fast.py: the rewritten norm, conv and attention compute what Wan's do; bf16 runs."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import torch
from conftest import tiny_config

from spacetime.models import presets
from spacetime.models.fast import FastAttnProcessor, FastCausalConv3d, FastRMSNorm, speed_up
from spacetime.train.loop import train


def _inputs(z: int = 4) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 2 * z + 4, 2, 8, 8, generator=g)  # (B, 2z + 4, T', h, w)
    return x, torch.tensor([100.0, 900.0]), torch.randn(2, 6, 384, generator=g)


def test_fast_transformer_matches_wans_in_float32_and_bfloat16() -> None:
    torch.manual_seed(0)
    stock = presets.transformer(4, 2, 2, 8, 32, [1, 2, 2])
    fast = speed_up(copy.deepcopy(stock))
    procs = {type(m.processor) for m in fast.modules() if hasattr(m, "set_processor")}
    assert procs == {FastAttnProcessor}
    x, t, text = _inputs()
    with torch.no_grad():
        a = stock(x, t, text, return_dict=False)[0]
        b = fast(x, t, text, return_dict=False)[0]
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5)
        with torch.autocast("cpu", dtype=torch.bfloat16):  # fast: attention as plain matmuls
            c = fast(x, t, text, return_dict=False)[0].float()
    assert (c - a).abs().mean() < 0.02 * a.abs().mean()


def test_fast_vae_matches_wans_and_keeps_its_state_dict() -> None:
    torch.manual_seed(0)
    stock = presets.vae(4, 4, [1, 2, 2], 1)
    fast = speed_up(copy.deepcopy(stock))
    assert any(isinstance(m, FastRMSNorm) for m in fast.modules())
    assert any(isinstance(m, FastCausalConv3d) for m in fast.modules())
    assert fast.state_dict().keys() == stock.state_dict().keys()
    x = torch.rand(1, 3, 5, 16, 16) * 2 - 1
    with torch.no_grad():
        a = stock.decode(stock.encode(x).latent_dist.mode()).sample
        b = fast.decode(fast.encode(x).latent_dist.mode()).sample
    torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-5)


def _losses(run: Path) -> list[float]:
    log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    return [r["loss"] for r in log if "loss" in r]


def test_a_bf16_run_trains_in_bf16_and_its_model_loads_in_float32(tmp_path: Path) -> None:
    train(tiny_config(tmp_path / "fp32", steps=3), quiet=True)
    folder = train(tiny_config(tmp_path / "bf16", steps=3, precision="bf16"), quiet=True)
    a, b = _losses(tmp_path / "fp32"), _losses(tmp_path / "bf16")
    assert len(b) == 3 and all(math.isfinite(v) for v in b)
    assert a != b  # the same seed and data: only autocast can change the losses
    assert max(abs(x - y) / x for x, y in zip(a, b, strict=True)) < 0.1
    from spacetime.models.folder import load_vae

    assert next(load_vae(folder).parameters()).dtype == torch.float32


def test_a_compiled_run_saves_the_same_keys_and_resumes(tiny_model: Path, tmp_path: Path) -> None:
    """compile = true changes nothing a checkpoint or model folder holds."""
    from safetensors.torch import load_file

    kw = dict(stage="transformer", vae=str(tiny_model), precision="bf16", compile=True)
    folder = train(tiny_config(tmp_path / "c", **kw), quiet=True)
    got = load_file(folder / "transformer" / "diffusion_pytorch_model.safetensors")
    want = load_file(tiny_model / "transformer" / "diffusion_pytorch_model.safetensors")
    assert got.keys() == want.keys()
    train(tiny_config(tmp_path / "c", **{**kw, "steps": 3}), quiet=True)  # resumes at step 2
    assert len(_losses(tmp_path / "c")) == 3
