"""Training clips from a folder of your own videos, listed in its captions.jsonl.

Each line of FOLDER/captions.jsonl is {"file": ..., "caption": ...} (the file relative to the
folder; `world dataset` writes the same format). Every clip is read once: at the run's frame
rate (the nearest frame to each tick) and with its short side scaled to the run's size, then
held in memory. A training clip is a random window of `frames` frames from one of them,
cropped to a random size x size square. Clips shorter than a window are left out with a
note. With 10 clips or more, every 10th (8 at most) is held out: the previews score on them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..fullsize import resize
from ..io import read_media
from ..io.media import probe_media
from ..io.video import VideoError

LIST = "captions.jsonl"
MAX_BYTES = 8 << 30  # the clips in memory at the run's size
HOLD_EVERY = 10  # with this many clips or more, every HOLD_EVERY-th is held out
MAX_HELD = 8
NEEDS = ("file", "caption")  # the keys of a captions.jsonl line (the world's add more)


@dataclass
class Footage:
    """A folder's clips at the run's rate and size, and their captions."""

    folder: Path
    clips: list[np.ndarray]  # each (T, h, w, 3) uint8, min(h, w) == size, T >= frames
    captions: list[str]
    files: list[str]  # as captions.jsonl names them
    train: list[int]  # indices of the clips trained on
    held: list[int]  # and of those held out for previews
    sha256: str  # of captions.jsonl and every file it lists
    fps: float  # the run's rate, which the clips are at
    notes: list[str] = field(default_factory=list)  # clips left out, assumptions made

    def draw(
        self, rng: np.random.Generator, n: int, frames: int, size: int
    ) -> tuple[np.ndarray, list[str]]:
        """n random training windows: uint8 (n, frames, size, size, 3), and their captions."""
        pick = rng.choice(self.train, n)
        return self.windows(rng, pick, frames, size)

    def windows(
        self, rng: np.random.Generator | None, pick: list[int] | np.ndarray, frames: int, size: int
    ) -> tuple[np.ndarray, list[str]]:
        """A window of each clip in pick: random with rng, the middle one without."""
        out = [window(self.clips[i], frames, size, rng) for i in pick]
        return np.stack(out), [self.captions[i] for i in pick]

    def shown(self, frames: int, size: int, n: int = MAX_HELD) -> tuple[np.ndarray, list[str]]:
        """The middle window of up to n held-out clips (of training clips where none are)."""
        return self.windows(None, (self.held or self.train)[:n], frames, size)

    def summary(self) -> str:
        seconds = sum(len(c) for c in self.clips) / self.fps if self.clips else 0.0
        held = f", {len(self.held)} held out for previews" if self.held else ""
        return f"videos: {len(self.clips)} clips from {self.folder} ({seconds:.0f} s{held})"


def window(clip: np.ndarray, frames: int, size: int, rng: np.random.Generator | None) -> np.ndarray:
    """frames frames of a clip (T, h, w, 3) cropped to size x size: (frames, size, size, 3).
    Where in time and space: random with rng, the middle without."""
    t, h, w = clip.shape[:3]

    def at(room: int) -> int:
        return room // 2 if rng is None else int(rng.integers(0, room + 1))

    a, y, x = at(t - frames), at(h - size), at(w - size)
    return clip[a : a + frames, y : y + size, x : x + size]


def read_list(folder: Path) -> list[tuple[str, str]]:
    """(file, caption) per line of folder/captions.jsonl; ValueError naming the bad line."""
    if not folder.is_dir():
        what = "a file" if folder.exists() else "not there"
        raise ValueError(f"videos = {folder}: {what}; give a folder holding {LIST} and its clips")
    listed = folder / LIST
    if not listed.is_file():
        raise ValueError(
            f"videos = {folder} has no {LIST}: write one line per clip, "
            '{"file": "clips/a.mp4", "caption": "what happens in it"}'
        )
    try:
        lines = listed.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as e:
        raise ValueError(f"{listed}: not UTF-8 text (byte {e.start})") from None
    out = []
    for k, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{listed} line {k}: not JSON ({e.msg})") from None
        if not (isinstance(item, dict) and all(isinstance(item.get(f), str) for f in NEEDS)):
            raise ValueError(f'{listed} line {k}: needs "file" and "caption", both strings')
        out.append((item["file"], item["caption"]))
    if not out:
        raise ValueError(f"{listed} lists no clips")
    gone = [f for f, _ in out if not (folder / f).exists()]
    if gone:
        more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
        raise ValueError(
            f"{listed} lists {len(gone)} file(s) that are not there: {', '.join(gone[:3])}{more}"
        )
    return out


def content_hash(folder: Path, items: list[tuple[str, str]]) -> str:
    """sha256 of captions.jsonl and the bytes of every file it lists (a frame folder's
    frames in order): what decides the clips, so a changed clip never reads a stale cache."""
    from ..io.video import frame_files

    h = hashlib.sha256((folder / LIST).read_bytes())
    for name, _ in items:
        path = folder / name
        for f in frame_files(path) if path.is_dir() else [path]:
            with open(f, "rb") as fh:
                h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()[:16]


def read_footage(
    folder: str | Path,
    frames: int,
    fps: float,
    size: int,
    progress: Callable[[int, int], None] | None = None,
) -> Footage:
    """Read a videos folder for a run of frames frames at fps, size x size. ValueError when its
    list is broken, a file is missing, it would not fit in memory or no clip is long enough."""
    folder = Path(folder)
    items = read_list(folder)
    need = 0
    for name, _ in items:  # what the clips take at the run's rate and size, before any work
        try:
            p = probe_media(folder / name)
        except VideoError:
            continue  # read below, and left out with its reason
        ticks = int((p.num_frames - 1) * fps / p.fps) + 1
        need += ticks * size * size * 3 * max(p.height, p.width) // max(1, min(p.height, p.width))
    if need > MAX_BYTES:
        raise ValueError(
            f"videos = {folder}: its clips take {need / 2**30:.1f} GiB at {fps:g} fps and size "
            f"{size}, more than {MAX_BYTES >> 30} GiB; list fewer or shorter clips"
        )
    clips, captions, files, notes = [], [], [], []
    short, broken = [], []
    for k, (name, text) in enumerate(items):
        try:
            clip = at_rate_and_size(folder / name, fps, size, notes)
        except VideoError as e:
            broken.append(f"{name} ({e})")
            clip = None
        if clip is not None and len(clip) >= frames:
            clips.append(clip)
            captions.append(text)
            files.append(name)
        elif clip is not None:
            short.append(name)
        if progress:
            progress(k + 1, len(items))
    seconds = (frames - 1) / fps
    if short:
        notes.append(
            f"{len(short)} clip(s) shorter than {seconds:g} s ({frames} frames at {fps:g} fps) "
            f"left out: {', '.join(short[:3])}{' ...' if len(short) > 3 else ''}"
        )
    if broken:
        notes.append(f"{len(broken)} clip(s) unreadable, left out: {'; '.join(broken[:3])}")
    if not clips:
        raise ValueError(
            f"videos = {folder}: no clip of {seconds:g} s or more ({frames} frames at {fps:g} "
            "fps) to train on" + (f"; {notes[-1]}" if broken else "")
        )
    held = list(range(HOLD_EVERY - 1, len(clips), HOLD_EVERY))[:MAX_HELD]
    train = [i for i in range(len(clips)) if i not in held]
    return Footage(
        folder,
        clips,
        captions,
        files,
        train,
        held,
        content_hash(folder, items),
        fps,
        notes,
    )


def at_rate_and_size(path: Path, fps: float, size: int, notes: list[str]) -> np.ndarray:
    """A clip at fps (each tick takes the nearest frame) with its short side size: uint8
    (T, h, w, 3). Frames are shrunk as they are read, so a long clip is never held whole."""

    def shrink(frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        s = size / min(h, w)
        return resize(frame, max(size, round(h * s)), max(size, round(w * s)))

    said: list[str] = []
    video = read_media(path, said, each=shrink)
    notes += [f"{path.name}: {line}" if path.name not in line else line for line in said]
    n = len(video.frames)
    ticks = int((n - 1) * fps / video.fps + 1e-9) + 1
    idx = np.minimum(np.round(np.arange(ticks) * video.fps / fps).astype(int), n - 1)
    return video.frames[idx]


def load(cfg, quiet: bool = False, main: bool = True) -> Footage:
    """Read cfg.videos for cfg's run, with a progress bar; say what was read and left out, and
    (main: the main process) record it in the run folder's videos.json. A folder changed since
    the run began is said."""
    from .. import progress

    quiet = quiet or not main
    with progress.bar(quiet) as bar:
        task = bar.add_task("read clips", total=None)
        seen = lambda k, n: bar.update(task, completed=k, total=n)  # noqa: E731
        fx = read_footage(cfg.videos, cfg.frames, cfg.fps, cfg.size, seen)
    record = Path(cfg.out) / "videos.json"
    now = {"videos": cfg.videos, "sha256": fx.sha256, "clips": fx.files, "held_out": fx.held}
    was = json.loads(record.read_text()) if record.is_file() else None
    if not quiet:
        print(fx.summary(), flush=True)
        for line in fx.notes:
            print(f"note: {line}", flush=True)
        if was is not None and was.get("sha256") != fx.sha256:
            print(
                f"note: {cfg.videos} has changed since this run began (its clips or "
                f"{LIST}): the steps from here learn from it as it is now",
                flush=True,
            )
    if main and Path(cfg.out).is_dir():
        record.write_text(json.dumps(now, indent=1) + "\n")
    return fx
