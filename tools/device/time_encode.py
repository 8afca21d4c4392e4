"""Where a cache shard's time goes on the device: the VAE encode at several clips per call,
alone and beside another process that keeps the GPU busy (as a training run does).

    PYTHONPATH=src:tools/device/stub:/tmp/site python3 tools/device/time_encode.py CONFIG VAE
"""

import multiprocessing as mp
import sys
import time
from pathlib import Path

import torch

from spacetime.models import folder as mf
from spacetime.models.fast import speed_up
from spacetime.models.text import default_encoder
from spacetime.train import cache
from spacetime.train.config import TrainConfig


def busy(stop) -> None:
    """Keep the GPU busy with bf16 matmuls until stop is set."""
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    while not stop.is_set():
        for _ in range(50):
            a = (a @ a).clamp(-1, 1)
        torch.cuda.synchronize()


def main() -> None:
    cfg = TrainConfig.from_toml(sys.argv[1], cache_shard=64)
    dev = "cuda" if torch.cuda.is_available() else "cpu"  # cpu: a dry run of this script
    vae = speed_up(mf.load_vae(Path(sys.argv[2]))).to(dev)
    text = default_encoder().to(dev)
    t = time.perf_counter()
    r = cache.render_shard(cfg, 0)
    print(f"render: {(time.perf_counter() - t) / 64 * 1000:.0f} ms a clip, one process")
    for contended in (False, True)[: 1 + (dev == "cuda")]:
        stop = mp.get_context("spawn").Event()
        p = None
        if contended:
            p = mp.get_context("spawn").Process(target=busy, args=(stop,))
            p.start()
            time.sleep(20)  # its CUDA start-up
        for chunk in (16, 16, 64, 64):  # each twice: the first call of a size autotunes
            s: dict[str, float] = {}
            cache.encode_shard(cfg, vae, text, 0, chunk, rendered=r, seconds=s)
            print(
                f"busy GPU {contended}: {chunk} clips a call, VAE {s['vae'] / 64 * 256:.2f} s "
                f"and text {s['text'] / 64 * 256:.2f} s a 256-clip shard"
            )
        stop.set()
        if p:
            p.join()


if __name__ == "__main__":
    main()
