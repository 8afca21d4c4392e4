"""How well the analyser reads world clips back: clean, multi-object and degraded.

    spacetime world dataset --n 500 --out data/world500
    python benchmarks/analyser.py data/world500 --out docs/benchmarks/analyser.json

For every clip of the dataset it analyses the clip as written, then degraded copies (Gaussian
blur, Gaussian noise, low-bitrate H.264, shifted colours, and blur + noise + H.264 together),
and scores colour, shape, size and motion per object against the scene stored in
captions.jsonl. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from spacetime.io import Video, read_video, write_video
from spacetime.world.analyse import analyse
from spacetime.world.score import score
from spacetime.world.spec import SceneSpec

BLUR_SIGMA = 1.0  # pixels at 64 px, scaled with the frame size
NOISE_SIGMA = 10.0  # on the 0..255 scale
H264_BITRATE = 40_000  # bits per second at 64 px, scaled with the frame area
COLOUR_GAIN, COLOUR_OFFSET = 0.12, 12.0  # per-channel gain in 1 +- 0.12, offset in +- 12


def blur(frames: np.ndarray) -> np.ndarray:
    s = BLUR_SIGMA * frames.shape[1] / 64
    return np.stack([cv2.GaussianBlur(f, (0, 0), s) for f in frames])


def noise(frames: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(frames + rng.normal(0, NOISE_SIGMA, frames.shape), 0, 255).astype(np.uint8)


def colour_shift(frames: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The whole clip's colours a little wrong, as a generator's often are."""
    gain = 1 + rng.uniform(-COLOUR_GAIN, COLOUR_GAIN, 3)
    offset = rng.uniform(-COLOUR_OFFSET, COLOUR_OFFSET, 3)
    return np.clip(frames * gain + offset, 0, 255).astype(np.uint8)


def h264(frames: np.ndarray, fps: float, tmp: Path) -> np.ndarray:
    rate = int(H264_BITRATE * frames.shape[1] * frames.shape[2] / 64**2)
    path = write_video(Video(frames, fps, {}), tmp / "low.mp4", bitrate=rate)
    return read_video(path).frames


def degrade(
    cond: str, clean: np.ndarray, fps: float, rng: np.random.Generator, tmp: Path
) -> np.ndarray:
    """One degraded copy of a clip."""
    if cond == "clean":
        return clean
    if cond == "blur":
        return blur(clean)
    if cond == "noise":
        return noise(clean, rng)
    if cond == "h264":
        return h264(clean, fps, tmp)
    if cond == "colour":
        return colour_shift(clean, rng)
    if cond == "all three":
        return h264(noise(blur(clean), rng), fps, tmp)
    raise SystemExit(f"unknown condition {cond!r}")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255**2 / mse)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("data", type=Path, help="folder written by `spacetime world dataset`")
    ap.add_argument("--out", type=Path, help="write every number here as JSON")
    ap.add_argument("--limit", type=int, default=0, help="only the first N clips")
    ap.add_argument(
        "--conditions",
        default="clean,blur,noise,h264,colour,all three",
        help="comma-separated subset of: clean, blur, noise, h264, colour, all three",
    )
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    lines = (args.data / "captions.jsonl").read_text().splitlines()
    if args.limit:
        lines = lines[: args.limit]
    conditions = tuple(args.conditions.split(","))
    # tallies[(group, condition)][attribute] = [right, total]
    tallies: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    psnrs: dict[str, list[float]] = defaultdict(list)
    failures: list[dict] = []
    start = time.time()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        for k, line in enumerate(lines):
            item = json.loads(line)
            truth = SceneSpec.from_dict(item["scene"])
            video = read_video(args.data / item["file"])
            group = "single" if len(truth.objects) == 1 else "multi"
            clean = video.frames
            variants = {c: degrade(c, clean, video.fps, rng, tmp) for c in conditions}
            for cond in conditions:
                frames = variants[cond]
                psnrs[cond].append(psnr(frames, clean))
                s = score(truth, analyse(frames, video.fps))
                t = tallies[(group, cond)]
                for o in s.objects:
                    for attr in ("colour", "shape", "size", "motion"):
                        t[attr][0] += o.right[attr]
                        t[attr][1] += 1
                    trio = o.right["colour"] and o.right["shape"] and o.right["motion"]
                    t["colour+shape+motion"][0] += trio
                    t["colour+shape+motion"][1] += 1
                    if not trio and len(failures) < 200:
                        got = (
                            None
                            if o.track is None
                            else {
                                "colour": o.track.colour,
                                "shape": o.track.character or o.track.shape,
                                "motion": o.track.motion,
                            }
                        )
                        failures.append(
                            {
                                "file": item["file"],
                                "condition": cond,
                                "want": {
                                    "colour": o.truth.colour,
                                    "shape": o.truth.character or o.truth.shape,
                                    "motion": o.truth.motion,
                                },
                                "got": got,
                            }
                        )
                t["background"][0] += s.background
                t["background"][1] += 1
                t["camera"][0] += s.camera
                t["camera"][1] += 1
            if not args.quiet and (k + 1) % 25 == 0:
                print(f"{k + 1}/{len(lines)} clips, {time.time() - start:.0f} s", file=sys.stderr)
    wall = time.time() - start
    attrs = ("colour", "shape", "size", "motion", "colour+shape+motion", "background", "camera")
    print(f"{len(lines)} clips from {args.data}, {wall:.0f} s on {platform.processor() or 'cpu'}")
    print()
    print("| objects | condition | PSNR dB | n objects | " + " | ".join(attrs) + " |")
    print("|---|---|---|---|" + "---|" * len(attrs))
    table = {}
    for group in ("single", "multi"):
        for cond in conditions:
            t = tallies[(group, cond)]
            if not t:
                continue
            row = {a: t[a][0] / max(t[a][1], 1) for a in attrs}
            table[f"{group}/{cond}"] = {**row, "objects": t["colour"][1]}
            cells = " | ".join(f"{100 * row[a]:.1f}%" for a in attrs)
            p = np.mean([v for v in psnrs[cond] if v < 99] or [99])
            print(f"| {group} | {cond} | {p:.1f} | {t['colour'][1]} | {cells} |")
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "data": str(args.data),
                    "clips": len(lines),
                    "wall_s": wall,
                    "settings": {
                        "blur_sigma_px_at_64": BLUR_SIGMA,
                        "noise_sigma": NOISE_SIGMA,
                        "h264_bitrate_at_64": H264_BITRATE,
                        "colour_gain": COLOUR_GAIN,
                        "colour_offset": COLOUR_OFFSET,
                    },
                    "table": table,
                    "failures": failures,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
