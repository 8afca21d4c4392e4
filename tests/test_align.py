"""Carrying a transformer over to a new VAE: the rotation is exact, and init applies it."""

from __future__ import annotations

from pathlib import Path

import torch

from spacetime.models import presets
from spacetime.train.align import procrustes, rotate


def test_rotated_transformer_computes_the_same_flow_in_the_new_space() -> None:
    torch.manual_seed(0)
    z = 4
    tr = presets.transformer(z, 1, 2, 8, 16, [1, 2, 2], text_dim=8).eval()
    q, _ = torch.linalg.qr(torch.randn(z, z))  # old = q @ new
    noisy, cond = torch.randn(2, z, 2, 4, 4), torch.randn(2, z, 2, 4, 4)
    mask = (torch.rand(2, 4, 2, 4, 4) > 0.5).float()
    text, t = torch.randn(2, 5, 8), torch.tensor([300.0, 800.0])
    old = lambda x: torch.einsum("oc,bc...->bo...", q, x)  # noqa: E731
    with torch.no_grad():
        v_old = tr(torch.cat([old(noisy), mask, old(cond)], 1), t, text, return_dict=False)[0]
        rotate(tr, q)
        v_new = tr(torch.cat([noisy, mask, cond], 1), t, text, return_dict=False)[0]
    assert torch.allclose(old(v_new), v_old, atol=1e-4)

    new = torch.randn(500, z)
    r, fit = procrustes(new, new @ q.T)
    assert torch.allclose(r, q, atol=1e-4) and fit > 0.999
    _, fit = procrustes(new, torch.randn(500, z))  # unrelated spaces: nothing explained
    assert fit < 0.2


def test_init_from_a_model_on_another_vae_rotates_it(tiny_model: Path, tmp_path: Path) -> None:
    from conftest import tiny_config
    from safetensors.torch import load_file

    from spacetime.train.loop import train

    other = train(tiny_config(tmp_path / "vae2", seed=5), quiet=True)
    cfg = tiny_config(
        tmp_path / "tr2", stage="transformer", vae=str(other), init=str(tiny_model), lr=0.0
    )
    folder = train(cfg, quiet=True)  # lr 0: only the rotation changes the weights
    name = "transformer/diffusion_pytorch_model.safetensors"
    a, b = load_file(tiny_model / name), load_file(folder / name)
    moved = {k for k in a if not torch.equal(a[k], b[k])}
    assert moved == {"patch_embedding.weight", "proj_out.weight", "proj_out.bias"}
