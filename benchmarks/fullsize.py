"""Time the verbs on footage far larger than the model's canvas: seconds and peak memory.

    python benchmarks/fullsize.py [--model FOLDER] [--keep DIR] [--only TEXT]

Renders a world clip at 256 px and scales it up (cubic) to the sizes a film-maker has: a
17-frame 1080p clip, an 8-second 1080p clip at 30 fps, a 640x480 clip and a 4032x2268
photo. Then runs, each in a fresh `spacetime` process as a user would, inpaint (a box,
both 1080p clips; a moving mask clip, the long one), outpaint (4:3 to 16:9; the long 1080p
clip to 21:9), cinemagraph (a click on the object), interpolate (4x, both 1080p clips),
extend (2 s, both 1080p clips; 30 s, the long one), animate (the photo), morph (1080p to
640x480), stylize (the long clip), info and sheet.
Prints, for each, the wall-clock seconds and the process's peak resident memory
(`os.wait4`), and the output's size: every verb gives back the input's own size.
--keep DIR keeps inputs and outputs; --only TEXT runs the cases whose name holds TEXT.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Kept light: a child's peak memory (os.wait4) starts from this process's at the fork, so
# the inputs are made in a child process and nothing heavy is imported here.


def make(root: Path) -> None:
    """The inputs, in root: hd.mp4, long.mp4, mask.mp4 (the long one's), 4x3.mp4, photo.png."""
    import cv2
    import numpy as np
    from PIL import Image

    from spacetime.io import Video, write_video
    from spacetime.world.parse import prompt_to_scene
    from spacetime.world.render import render

    def scaled(prompt: str, frames: int, fps: float, rows: tuple[int, int], size: tuple[int, int]):
        """World frames (T, 256, 256) cut to rows (top, bottom), scaled to size (w, h)."""
        clip = render(prompt_to_scene(prompt, (frames - 1) / fps, seed=3), frames, fps, 256)
        top, bottom = rows
        return np.stack(
            [cv2.resize(f, size, interpolation=cv2.INTER_CUBIC) for f in clip[:, top:bottom]]
        )

    star = "a large red star drifting right on a grass field"
    hd = scaled(star, 17, 8.0, (56, 200), (1920, 1080))
    write_video(Video(hd, 8.0, {}), root / "hd.mp4")
    write_video(
        Video(scaled(star, 240, 30.0, (56, 200), (1920, 1080)), 30.0, {}), root / "long.mp4"
    )
    mask = np.zeros((240, 1080, 1920, 3), np.uint8)  # a box sliding right over 8 s
    for k, x in enumerate(np.linspace(40, 1100, 240).astype(int)):
        mask[k, 375:1050, x : x + 750] = 255
    write_video(Video(mask, 30.0, {}), root / "mask.mp4")
    del mask
    four3 = "a yellow circle drifting left on a checkered floor"
    write_video(Video(scaled(four3, 17, 8.0, (32, 224), (640, 480)), 8.0, {}), root / "4x3.mp4")
    photo = cv2.resize(hd[0], (4032, 2268), interpolation=cv2.INTER_CUBIC)
    Image.fromarray(photo).save(root / "photo.png")


def _run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident GiB of one command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss / 2**20  # KiB -> GiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--keep", default=None, help="a folder to keep inputs and outputs in")
    ap.add_argument("--only", default="", help="run only the cases whose name holds this")
    ap.add_argument("--make", default=None, help=argparse.SUPPRESS)  # the child's job
    args = ap.parse_args()
    if args.make:
        make(Path(args.make))
        return
    root = Path(args.keep or tempfile.mkdtemp(prefix="fullsize-"))
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, __file__, "--make", str(root)], check=True)
    spacetime = str(Path(sys.executable).with_name("spacetime"))  # the command a user runs
    model = ["-m", args.model] if args.model else []
    r = str(root)
    cases = {  # name: (arguments, output)
        "inpaint 1080p, 17 frames, --box": (
            ["inpaint", f"{r}/hd.mp4", "a grass field", "--box", "40,375,750,675"],
            "inpaint.mp4",
        ),
        "inpaint 1080p, 240 frames at 30 fps, --box": (
            ["inpaint", f"{r}/long.mp4", "a grass field", "--box", "40,375,750,675"],
            "inpaint-long.mp4",
        ),
        "inpaint 1080p, 240 frames at 30 fps, --mask clip": (
            ["inpaint", f"{r}/long.mp4", "a grass field", "--mask", f"{r}/mask.mp4"],
            "inpaint-mask.mp4",
        ),
        "outpaint 640x480 to 854x480": (
            ["outpaint", f"{r}/4x3.mp4", "a yellow circle on a checkered floor", "--to", "854x480"],
            "outpaint.mp4",
        ),
        "outpaint 1080p, 240 frames at 30 fps, to 2560x1080": (
            ["outpaint", f"{r}/long.mp4", "a grass field under a blue sky", "--to", "2560x1080"],
            "outpaint-long.mp4",
        ),
        "cinemagraph 4032x2268 photo, --point": (
            ["cinemagraph", f"{r}/photo.png", "the red star moves right", "--point", "800,1400"],
            "cinemagraph.mp4",
        ),
        "interpolate 1080p, 17 frames, --factor 4": (
            ["interpolate", f"{r}/hd.mp4", "--factor", "4"],
            "interpolate.mp4",
        ),
        "extend 1080p, 17 frames, --seconds 2": (
            ["extend", f"{r}/hd.mp4", "a large red star drifting right", "--seconds", "2"],
            "extend.mp4",
        ),
        "extend 1080p, 240 frames at 30 fps, --seconds 2": (
            ["extend", f"{r}/long.mp4", "a large red star drifting right", "--seconds", "2"],
            "extend-long.mp4",
        ),
        "extend 1080p, 240 frames at 30 fps, --seconds 30": (
            ["extend", f"{r}/long.mp4", "a large red star drifting right", "--seconds", "30"],
            "extend-30s.mp4",
        ),
        "interpolate 1080p, 240 frames at 30 fps, --factor 4": (
            ["interpolate", f"{r}/long.mp4", "--factor", "4"],
            "interpolate-long.mp4",
        ),
        "animate 4032x2268 photo": (
            ["animate", f"{r}/photo.png", "a large red star drifting right on a grass field"],
            "animate.mp4",
        ),
        "morph 1080p clip to 640x480 clip": (
            ["morph", f"{r}/hd.mp4", f"{r}/4x3.mp4"],
            "morph.mp4",
        ),
        "stylize 1080p, 240 frames at 30 fps": (
            ["stylize", f"{r}/long.mp4", "a large blue star drifting right on a grass field"],
            "stylize.mp4",
        ),
    }
    rows = {}
    cases = {k: v for k, v in cases.items() if args.only in k}
    for name, (cmd, out) in cases.items():
        seconds, gib = _run([spacetime, *cmd, "-o", f"{r}/{out}", *model, "-q"])
        rows[name] = {"seconds": round(seconds, 1), "peak_gib": round(gib, 2), "output": out}
    for name, cmd in {
        "info, 1080p, 240 frames": ["info", f"{r}/long.mp4"],
        "sheet, 1080p, 240 frames": ["sheet", f"{r}/long.mp4", "-o", f"{r}/sheet.png"],
    }.items():
        if args.only not in name:
            continue
        seconds, gib = _run([spacetime, *cmd])
        rows[name] = {"seconds": round(seconds, 1), "peak_gib": round(gib, 2)}
    from spacetime.io.video import probe  # after the runs: see the note on the imports

    for row in rows.values():
        if "output" in row:
            made = probe(root / row["output"])
            row["output"] = f"{made.width}x{made.height}, {made.num_frames} frames"
    if not args.keep:
        shutil.rmtree(root)
    print(
        json.dumps(
            {
                "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "cases": rows,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
