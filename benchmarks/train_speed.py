"""Seconds per training step of a config's model: stock Wan, then models/fast.py in float32,
bfloat16 and bfloat16 compiled.

    python benchmarks/train_speed.py configs/vae-wide.toml configs/model-wide.toml [--steps 5]

Times the model's part of a step (forward, loss, backward, AdamW) on random inputs of the
config's shapes: VAE batches of crops, transformer batches of latents, captions and known
latents. Data (rendering, the latent cache) is not included. Each mode runs in a fresh
process so that one's threads and compiled code do not touch the next's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import torch


def step_fn(cfg, fast: bool):
    """A function doing one training step of cfg's model on fixed random inputs."""
    from spacetime.models import presets
    from spacetime.models.fast import speed_up as fast_up
    from spacetime.train.transformer import flow_loss
    from spacetime.train.vae import VAEWithLoss

    speed_up = fast_up if fast else (lambda m: m)

    g = torch.Generator().manual_seed(0)
    if cfg.stage == "vae":
        vae = presets.vae(
            cfg.vae_base_dim, cfg.vae_z_dim, cfg.vae_dim_mult, cfg.vae_res_blocks, cfg.vae_residual
        )
        model = speed_up(VAEWithLoss(vae))
        side = cfg.crop or cfg.size
        x = torch.rand(cfg.batch, 3, cfg.frames, side, side, generator=g) * 2 - 1

        def loss(m):
            rec, _, _ = m(x, g)
            return (rec.float() - x).abs().mean()
    else:
        z, s = cfg.vae_z_dim, cfg.size // 4  # the 4x spatial VAE of our configs
        lt = (cfg.frames - 1) // 4 + 1
        model = speed_up(
            presets.transformer(z, cfg.layers, cfg.heads, cfg.head_dim, cfg.ffn_dim, cfg.patch)
        )
        b = {
            "latents": torch.randn(cfg.batch, z, lt, s, s, generator=g),
            "cond": torch.randn(cfg.batch, z, lt, s, s, generator=g),
            "mask": torch.ones(cfg.batch, 4, lt, s, s),
            "text": torch.randn(cfg.batch, cfg.text_tokens, 384, generator=g),
            "objects": (torch.rand(cfg.batch, 1, lt, s, s, generator=g) < 0.1).float(),
        }
        empty = torch.zeros(cfg.text_tokens, 384)

        def loss(m):
            t = torch.rand(cfg.batch, generator=g)
            return flow_loss(m, b, t, g, empty, cfg.text_dropout, cfg.object_weight)

    return model, loss


def run_mode(config: str, mode: str, steps: int) -> dict:
    from spacetime.train.config import TrainConfig

    cfg = TrainConfig.from_toml(config)
    model, loss = step_fn(cfg, fast=mode != "stock")
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    if mode == "bf16-compiled":
        model.compile()
    bf16 = mode.startswith("bf16")

    def step():
        with torch.autocast("cpu", torch.bfloat16, enabled=bf16):
            value = loss(model)
        value.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    t0 = time.perf_counter()
    step()  # the first step compiles
    first = time.perf_counter() - t0
    step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    per = (time.perf_counter() - t0) / steps
    return {"config": config, "mode": mode, "s_per_step": round(per, 3), "first_s": round(first, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("configs", nargs="*")
    ap.add_argument("--modes", default="stock,fp32,bf16,bf16-compiled")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--one", nargs=2, metavar=("CONFIG", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_mode(args.one[0], args.one[1], args.steps)))
        return
    print(f"threads {torch.get_num_threads()}, AMX {torch.cpu._is_amx_tile_supported()}")
    for config in args.configs:
        for mode in args.modes.split(","):
            cmd = [sys.executable, __file__, "--one", config, mode, "--steps", str(args.steps)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            print(out.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
