"""Training clips from a folder of your own videos, listed in its captions.jsonl.

Each line of FOLDER/captions.jsonl is {"file": ..., "caption": ...} (the file relative to the
folder; `world dataset` writes the same format), and optionally "fps", the rate to read the
clip at (a folder of PNG frames has none of its own). Every clip is read once: at the run's frame
rate (the nearest frame to each tick) and with its short side scaled to the run's size, then
held in memory. A training clip is a random window of `frames` frames from one of them,
cropped to a random size x size square. Clips shorter than a window are left out with a
note. With 10 files or more, every 10th (8 at most) is held out, with every caption it is
listed with: the previews score on them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..fullsize import resize
from ..io import read_media
from ..io.media import probe_media
from ..io.video import MAX_FPS, MIN_FPS, VideoError, atomic_path, sound_note

if TYPE_CHECKING:
    from .config import TrainConfig

LIST = "captions.jsonl"
MAX_BYTES = 8 << 30  # the clips in memory at the run's size
HOLD_EVERY = 10  # with this many files or more, every HOLD_EVERY-th is held out
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
    sha256: str  # of what is trained on: clips as read, captions, which are held out
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
        return f"videos: {_count(len(self.clips))} from {self.folder} ({seconds:.0f} s{held})"


def window(clip: np.ndarray, frames: int, size: int, rng: np.random.Generator | None) -> np.ndarray:
    """frames frames of a clip (T, h, w, 3) cropped to size x size: (frames, size, size, 3).
    Where in time and space: random with rng, the middle without."""
    t, h, w = clip.shape[:3]

    def at(room: int) -> int:
        return room // 2 if rng is None else int(rng.integers(0, room + 1))

    a, y, x = at(t - frames), at(h - size), at(w - size)
    return clip[a : a + frames, y : y + size, x : x + size]


class Line(NamedTuple):
    """A line of captions.jsonl: the clip, its caption, and the rate to read it at (a
    folder of frames has none of its own; slow motion shot at 120 fps can be read at 30)."""

    file: str
    caption: str
    fps: float | None = None


def read_list(folder: Path) -> list[Line]:
    """The lines of folder/captions.jsonl; ValueError naming the bad line."""
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
        lines = listed.read_text(encoding="utf-8-sig").splitlines()  # -sig: a BOM, as Excel writes
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
        if not item["file"].strip():
            raise ValueError(f'{listed} line {k}: "file" is empty; name a clip')
        fps = item.get("fps")
        ok = fps is None or (type(fps) in (int, float) and MIN_FPS <= fps <= MAX_FPS)
        if not ok:
            raise ValueError(
                f'{listed} line {k}: "fps" must be a number from {MIN_FPS:g} to {MAX_FPS:g}, '
                f"not {fps!r}"
            )
        out.append(Line(item["file"], item["caption"], None if fps is None else float(fps)))
    if not out:
        raise ValueError(f"{listed} lists no clips")
    gone = [line.file for line in out if not (folder / line.file).exists()]
    if gone:
        more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
        shown = ", ".join(repr(f) for f in gone[:3])
        raise ValueError(f"{listed} lists {len(gone)} file(s) that are not there: {shown}{more}")
    return out


def content_hash(clips: list[np.ndarray], captions: list[str], held: list[int]) -> str:
    """sha256 of the clips as read (at the run's rate and size), their captions and which
    are held out: whatever changes them (a clip's bytes, a frame folder's recipe.json, a
    line's "fps"), the latent cache is another, and a file changed while it was read is
    hashed as it was read."""
    h = hashlib.sha256(json.dumps([captions, held]).encode())
    for clip in clips:
        h.update(repr(clip.shape).encode())
        h.update(np.ascontiguousarray(clip).data)
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
    for name, rate in dict.fromkeys((x.file, x.fps) for x in items):  # before any work
        try:
            p = probe_media(folder / name)
        except VideoError:
            continue  # read below, and left out with its reason
        ticks = int((p.num_frames - 1) * fps / (rate or p.fps)) + 1
        need += ticks * size * size * 3 * max(p.height, p.width) // max(1, min(p.height, p.width))
    if need > MAX_BYTES:
        raise ValueError(
            f"videos = {folder}: its clips take {need / 2**30:.1f} GiB at {fps:g} fps and size "
            f"{size}, more than {MAX_BYTES >> 30} GiB; list fewer or shorter clips"
        )
    clips, captions, files = [], [], []
    about: dict[str, list[str]] = {}  # a note on reading -> the files it is about
    read: dict[tuple, np.ndarray | None] = {}  # a file listed twice (two captions): read once
    for k, (name, text, rate) in enumerate(items):
        if (name, rate) not in read:
            try:
                read[name, rate], said = at_rate_and_size(folder / name, fps, size, rate)
            except VideoError as e:
                read[name, rate], said = None, [f"unreadable, left out ({_short(str(e))})"]
            for line in said:
                about.setdefault(line, []).append(name)
        clip = read[name, rate]
        if clip is not None and len(clip) >= frames:
            clips.append(clip)
            captions.append(text)
            files.append(name)
        elif clip is not None and name not in about.get(SHORT, []):
            about.setdefault(SHORT, []).append(name)
        if progress:
            progress(k + 1, len(items))
    seconds = (frames - 1) / fps
    blank = [f for f, c in zip(files, captions, strict=True) if not c.strip()]
    if blank:
        about["an empty caption (it teaches what to make from no prompt)"] = blank
    short = f"shorter than {seconds:g} s ({frames} frames at {fps:g} fps), left out"
    notes = [_rolled(short if line == SHORT else line, names) for line, names in about.items()]
    if len(notes) > MAX_NOTES:
        notes = [*notes[:MAX_NOTES], f"and {len(notes) - MAX_NOTES} more notes like these"]
    if not clips:
        raise ValueError(
            f"videos = {folder}: no clip of {seconds:g} s or more ({frames} frames at {fps:g} "
            f"fps) to train on; {'; '.join(notes[:2])}"
        )
    unique = list(dict.fromkeys(files))  # a file listed twice is held out with both captions
    kept = set(unique[HOLD_EVERY - 1 :: HOLD_EVERY][:MAX_HELD])
    held = [i for i, f in enumerate(files) if f in kept]
    train = [i for i, f in enumerate(files) if f not in kept]
    return Footage(
        folder,
        clips,
        captions,
        files,
        train,
        held,
        content_hash(clips, captions, held),
        fps,
        notes,
    )


SHORT = "too short"  # the key of the note on clips too short for a window
MAX_NOTES = 6  # notes on reading shown, each on all the clips it is about


def _rolled(line: str, names: list[str]) -> str:
    """One note on every clip it is about: '3 clips: LINE (a.mp4, b.mp4, c.mp4)'."""
    shown = ", ".join(repr(n) if n != n.strip() else n for n in names[:3])
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{_count(len(names))}: {line} ({shown}{more})"


def _count(n: int) -> str:
    return f"{n} clip{'s' if n != 1 else ''}"


def _short(text: str, most: int = 120) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."


def at_rate_and_size(
    path: Path, fps: float, size: int, rate: float | None = None
) -> tuple[np.ndarray, list[str]]:
    """A clip at fps (each tick takes the nearest frame) with its short side size: uint8
    (T, h, w, 3), and what reading it assumed or changed, without its name. rate: the
    clip's own rate, where captions.jsonl gives one. Each frame is shrunk as it is read (a
    4K clip is never held at 4K), then the ticks are picked: the shrunk clip is held whole
    at its own rate for a moment."""
    last: list = [None, None]  # a frame shown again (an uneven clip replayed) is shrunk once
    seen: list[tuple[int, int]] = []

    def shrink(frame: np.ndarray) -> np.ndarray:
        if frame is last[0]:
            return last[1]
        h, w = frame.shape[:2]
        seen[:] = [(h, w)]
        s = size / min(h, w)
        last[:] = [frame, resize(frame, max(size, round(h * s)), max(size, round(w * s)))]
        return last[1]

    said: list[str] = []
    video = read_media(path, said, each=shrink, fps=rate)
    sound = sound_note(path, False)  # training makes pictures: its sound is not news
    lines = [n.removeprefix(f"{path.name}: ") for n in said if n != sound]
    lines = [f'{n}; give its "fps" in {LIST}' if "no frame rate" in n else n for n in lines]
    if seen and min(seen[0]) < size:
        lines.append(f"smaller than size ({size}), scaled up")
    if video.fps < fps - 1e-6:
        lines.append(f"under {fps:g} fps, so frames repeat")
    n = len(video.frames)
    ticks = int((n - 1) * fps / video.fps + 1e-9) + 1
    nearest = np.floor(np.arange(ticks) * video.fps / fps + 0.5).astype(int)  # ties go later
    idx = np.minimum(nearest, n - 1)
    return video.frames[idx], lines


def load(cfg: TrainConfig, quiet: bool = False, main: bool = True) -> Footage:
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
    held = list(dict.fromkeys(fx.files[i] for i in fx.held))
    now = {"videos": cfg.videos, "sha256": fx.sha256, "clips": fx.files, "held_out": held}
    try:
        was = json.loads(record.read_text()) if record.is_file() else None
    except (ValueError, OSError):  # damaged: written again below
        was = None
    if not quiet:
        print(fx.summary(), flush=True)
        for line in fx.notes:
            print(f"note: {line}", flush=True)
        if isinstance(was, dict) and was.get("sha256") != fx.sha256:
            print(
                f"note: {cfg.videos} has changed since this run began (its clips or "
                f"{LIST}): the steps from here learn from it as it is now",
                flush=True,
            )
    if main and Path(cfg.out).is_dir():
        with atomic_path(record) as tmp:
            tmp.write_text(json.dumps(now, indent=1) + "\n")
    return fx
