"""VAE reconstruction on held-out world clips: PSNR of decode(encode(clip)).

    python benchmarks/vae.py [--model FOLDER] [--clips 64]

Clips are 17 frames, 64x64, 1 to 3 objects, every object a held-out (colour, shape, motion)
triple, so no clip was seen in training. PSNR is over all pixels of a clip, averaged over clips;
by frame, over frame k of every clip (frame 0 is encoded alone, the others 4 to a latent frame).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from spacetime.eval.metrics import psnr
from spacetime.models.folder import load_vae
from spacetime.pipeline import shipped_folder
from spacetime.train.data import world_clips
from spacetime.train.vae import reconstruct
from spacetime.world.spec import TEXTURED

SEED = 2_000_003


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--clips", type=int, default=64)
    args = ap.parse_args()
    vae = load_vae(Path(args.model) if args.model else shipped_folder())
    frames, _, scenes = world_clips(
        np.random.default_rng(SEED), args.clips, 17, 8.0, 64, held_out="only"
    )
    rec = reconstruct(vae, frames)
    scores = np.array([psnr(a, b) for a, b in zip(frames, rec, strict=True)])
    textured = np.array([s.background in TEXTURED for s in scenes])
    print(
        json.dumps(
            {
                "clips": args.clips,
                "psnr_db_mean": round(float(scores.mean()), 2),
                "psnr_db_median": round(float(np.median(scores)), 2),
                "psnr_db_plain_backgrounds": round(float(scores[~textured].mean()), 2),
                "psnr_db_textured_backgrounds": round(float(scores[textured].mean()), 2),
                "share_of_clips_at_or_above_30_db": round(float((scores >= 30).mean()), 3),
                "psnr_db_by_frame": [
                    round(psnr(frames[:, k], rec[:, k]), 1) for k in range(frames.shape[1])
                ],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
