"""A transformer carried over to another VAE: how far does the rotation get it?

    python benchmarks/align.py --vae FOLDER [--model FOLDER] [--clips 48]

The model's transformer (shipped by default) is scored by its flow-matching loss on
training-style samples (the cache's clips, tasks and noise, t spread over 0.05 to 0.95):
on its own VAE's latents, on the other VAE's latents as they are, and on them after
`align.carry` rotates it into that VAE's latent space. Predicting zero is given as the
scale. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from spacetime.models.folder import load_vae
from spacetime.models.text import default_encoder
from spacetime.pipeline import shipped_folder
from spacetime.train.align import carry
from spacetime.train.cache import encode_shard
from spacetime.train.config import TrainConfig


@torch.no_grad()
def flow_loss(transformer, data: dict[str, torch.Tensor], zero: bool = False) -> float:
    gen = torch.Generator().manual_seed(0)
    x0 = data["latents"].float()  # (N, z, T', h, w)
    n = len(x0)
    t = torch.linspace(0.05, 0.95, n)[torch.randperm(n, generator=gen)]
    noise = torch.randn(x0.shape, generator=gen)
    tt = t.view(n, 1, 1, 1, 1)
    inp = torch.cat([(1 - tt) * x0 + tt * noise, data["mask"].float(), data["cond"].float()], 1)
    if zero:
        v = torch.zeros_like(x0)
    else:
        v = transformer(inp, t * 1000, data["text"].float(), return_dict=False)[0]
    return round(float((v - (noise - x0)).pow(2).mean()), 4)


def main() -> None:
    from diffusers import WanTransformer3DModel

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vae", type=Path, required=True, help="the other VAE (a model or run folder)")
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--clips", type=int, default=48)
    args = ap.parse_args()
    folder = args.model or shipped_folder()
    cfg = TrainConfig(stage="transformer", vae=str(folder), seed=99, cache_shard=args.clips)
    text = default_encoder()
    old, new = load_vae(folder), load_vae(args.vae)
    tr = WanTransformer3DModel.from_pretrained(folder / "transformer").eval()
    own = encode_shard(cfg, old, text, 0)["tensors"]
    other = encode_shard(cfg, new, text, 0)["tensors"]
    report = {
        "own_vae": flow_loss(tr, own),
        "own_vae_predicting_zero": flow_loss(tr, own, zero=True),
        "other_vae_as_is": flow_loss(tr, other),
        "other_vae_predicting_zero": flow_loss(tr, other, zero=True),
    }
    report["rotation_fit"] = round(carry(tr, old, new, cfg.frames, cfg.size), 3)
    report["other_vae_rotated"] = flow_loss(tr, other)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
