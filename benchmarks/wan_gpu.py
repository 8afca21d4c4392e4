"""Wan2.1-T2V-1.3B on a GPU: seconds per step and peak GPU memory, ours against stock
diffusers `WanPipeline`, in the same run.

    python benchmarks/wan_gpu.py [--steps 6] [--frames 81] [--size 832x480] [--tiny]

Builds the real architecture with random weights (speed does not depend on their values;
`spacetime.external.dummy.wan_t2v_1_3b`), saves it as a diffusers folder, then runs:

- stock: `WanPipeline.from_pretrained(folder)`, bfloat16 with the VAE in float32, `.to(cuda)`;
- ours: `Pipeline.load(folder)` (auto: the same dtypes on cuda), then `generate`;
- ours with `--low-memory` (model CPU offload, VAE tiling and slicing);
- ours with `--offload group` (leaf-level group offload).

Seconds per step are the mean over steps after the first (warm-up), from step-end
callbacks; peak memory is torch.cuda.max_memory_allocated over the whole call, VAE decode
included. The text encoder is one UMT5 layer of the real width, not UMT5-XXL.
`--tiny` runs the same code on the CPU with toy widths: a check that the script works.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

from spacetime.external import devices
from spacetime.external.dummy import save, wan_t2v_1_3b
from spacetime.inputs import parse_size
from spacetime.pipeline import Pipeline

PROMPT = "a fox running through deep snow at dawn, the camera tracking beside it"


def measure(device: str, run: Any) -> dict[str, Any]:
    """run(callback) makes one clip; returns seconds per step, wall time and peak memory."""
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
    stamps: list[float] = []

    def tick(*_: Any) -> dict[str, Any]:
        if device == "cuda":
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())
        return {}

    t0 = time.perf_counter()
    run(tick)
    if device == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    steps = [b - a for a, b in itertools.pairwise(stamps)]
    out = {
        "seconds_per_step": round(sum(steps) / len(steps), 3) if steps else None,
        "first_step_s": round(stamps[0] - t0, 2) if stamps else None,
        "wall_s": round(wall, 2),
    }
    if device == "cuda":
        out["peak_gpu_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--frames", type=int, default=81)
    ap.add_argument("--size", default="832x480")
    ap.add_argument("--tiny", action="store_true", help="toy widths on the CPU")
    ap.add_argument("--folder", default=None, help="reuse a folder built by an earlier run")
    args = ap.parse_args()
    device = "cpu" if args.tiny else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("error: no CUDA GPU; run with --tiny to check the script on a CPU")
    w, h = parse_size(args.size)
    if args.tiny:
        w, h, args.frames = 32, 32, 9
    folder = Path(args.folder or tempfile.mkdtemp(prefix="wan-1.3b-"))
    if not (folder / "model_index.json").is_file():
        t = time.perf_counter()
        if args.tiny:
            save("wan-t2v", folder)
        else:
            wan_t2v_1_3b(folder, device)
        print(f"built {folder} in {time.perf_counter() - t:.0f} s", flush=True)
    gen = dict(height=h, width=w, num_frames=args.frames, num_inference_steps=args.steps)
    results: dict[str, Any] = {}

    import diffusers

    dtype = torch.float32 if args.tiny else {"default": torch.bfloat16, "vae": torch.float32}
    stock = diffusers.WanPipeline.from_pretrained(folder, dtype=dtype).to(device)
    stock.set_progress_bar_config(disable=True)

    def run_stock(cb: Any, stock: Any = stock) -> None:
        stock(PROMPT, guidance_scale=5.0, output_type="np", callback_on_step_end=cb, **gen)

    results["stock WanPipeline"] = measure(device, run_stock)
    del stock, run_stock
    variants = {"ours": devices.Memory(device=device)}
    if not args.tiny:
        variants["ours --low-memory"] = devices.Memory(device=device, low_memory=True)
        variants["ours --offload group"] = devices.Memory(device=device, offload="group")
    for name, memory in variants.items():
        pipe = Pipeline.load(folder, memory)

        def run_ours(cb: Any, pipe: Any = pipe) -> None:
            pipe.generate(
                PROMPT,
                frames=args.frames,
                height=h,
                width=w,
                steps=args.steps,
                guidance=5.0,
                callback=cb,
            )

        results[name] = measure(device, run_ours)
        del pipe
    print(
        json.dumps(
            {
                "device": torch.cuda.get_device_name() if device == "cuda" else platform.machine(),
                "torch": torch.__version__,
                "clip": f"{args.frames} frames {w}x{h}, {args.steps} steps, guidance 5 (CFG)",
                "results": results,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
