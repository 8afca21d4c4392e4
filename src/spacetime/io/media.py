"""User media for the task verbs: an image or a clip, and masks, with clear errors."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import ImageOps, ImageSequence, UnidentifiedImageError

from .video import (
    FOLDER_FPS,
    MAX_DECODED,
    MAX_FPS,
    MIN_FPS,
    RECIPE_FILE,
    SIDECAR_SUFFIX,
    Each,
    Probe,
    Video,
    VideoError,
    _replay,
    _too_big,
    frame_files,
    image_rgb,
    iter_video,
    missing,
    open_image,
    probe,
    read_video,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".webp", ".bmp", ".tif", ".tiff")
IMAGE_FPS = 8.0  # an image is a 1-frame clip at the shipped model's rate


def read_media(
    path: str | os.PathLike[str],
    notices: list[str] | None = None,
    only: str | None = None,
    each: Each | None = None,
    fps: float | None = None,
) -> Video:
    """An image file (as a 1-frame clip) or anything read_video reads (only "first" or
    "last": one frame of a clip; each: applied to every frame as it is read; fps: the
    clip's rate as the caller gives it, which a folder of frames takes without a guess).
    What was assumed or changed on the way (a transparent image flattened, a folder's frame
    rate guessed) is added to `notices`."""
    src = Path(path)
    said = notices if notices is not None else []
    if _animated(src) or _clear_gif(src):
        video = _read_animation(src, said, only, each)
        return video if fps is None else Video(video.frames, fps, {})
    if src.suffix.lower() not in IMAGE_SUFFIXES or src.is_dir():
        video = read_video(src, only, each, said)
        if src.is_dir() and (gap := _numbering_gap(src)) is not None:
            said.append(gap)
        if fps is not None:
            return Video(video.frames, fps, video.recipe)
        if src.is_dir() and not (src / RECIPE_FILE).is_file():
            said.append(
                f"{src.name}: a folder of frames has no frame rate; {FOLDER_FPS:g} fps assumed"
            )
        return video
    frame, alpha = _read_image(src)
    if alpha is not None:
        said.append(f"{src.name}: transparent pixels flattened onto grey")
    frame = frame if each is None else each(frame)
    return Video(frame[None].copy(), IMAGE_FPS, {})


def _numbering_gap(folder: Path) -> str | None:
    """A notice when a folder's frames are numbered with some missing (a frame lost in a
    copy): they are read one after another, so the clip jumps there."""
    found = [re.search(r"(\d+)$", f.stem) for f in frame_files(folder)]
    numbers = sorted(int(m.group(1)) for m in found if m is not None)
    if len(numbers) < 2 or len(numbers) != len(found):
        return None
    lost = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
    if not lost:
        return None
    said = ", ".join(str(n) for n in lost[:3]) + (", ..." if len(lost) > 3 else "")
    return (
        f"{folder.name}: frames numbered {numbers[0]} to {numbers[-1]} lack {said}; "
        "read one after another, so the clip jumps there"
    )


def is_still(path: str | os.PathLike[str]) -> bool:
    """Whether path is an image of one frame (an animated PNG or WebP is a clip)."""
    src = Path(path)
    return src.suffix.lower() in IMAGE_SUFFIXES and not src.is_dir() and not _animated(src)


def _animated(src: Path) -> bool:
    """Whether src is an image file of more than one frame (an animated PNG or WebP)."""
    if src.suffix.lower() not in IMAGE_SUFFIXES or not src.is_file():
        return False
    try:
        with open_image(src) as img:
            return getattr(img, "n_frames", 1) > 1
    except (UnidentifiedImageError, OSError):
        return False  # _read_image says what is wrong with it


def _clear_gif(src: Path) -> bool:
    """Whether src is a GIF with transparent pixels that spacetime did not write (its own
    are opaque and carry their recipe beside them): read as an animation, its transparent
    pixels flattened onto grey as a PNG's are, not decoded white or black by the video
    reader."""
    if src.suffix.lower() != ".gif" or not src.is_file():
        return False
    if src.with_name(src.name + SIDECAR_SUFFIX).is_file():
        return False
    try:
        with open_image(src) as img:
            return "transparency" in img.info
    except (UnidentifiedImageError, OSError):
        return False  # the video reader says what is wrong with it


def _read_animation(src: Path, said: list[str], only: str | None, each: Each | None) -> Video:
    """An animated PNG, WebP or GIF as a clip: its frames as a viewer composites them, at the rate
    their durations give; frames that last unevenly replayed at the shortest one's rate, as
    a video's are (a note in said). only "first" or "last": that frame alone."""
    frames: list[np.ndarray] = []
    times: list[tuple[int, int]] = []  # (start, duration) in ms
    clear, held = False, 0
    try:
        with open_image(src) as img:
            for frame in ImageSequence.Iterator(img):
                frame.load()  # a WebP frame's duration is known once it is loaded
                ms = int(frame.info.get("duration") or 0)
                times.append((times[-1][0] + times[-1][1] if times else 0, ms))
                if only == "first" and len(frames):
                    continue
                rgb, alpha = image_rgb(frame)
                clear |= alpha
                rgb = rgb if each is None else each(rgb)
                if only == "last":
                    frames.clear()
                frames.append(rgb)
                held += rgb.nbytes
                if only is None and held > MAX_DECODED:
                    raise VideoError(_too_big(src, len(frames), rgb))
    except (UnidentifiedImageError, OSError) as e:
        raise VideoError(f"cannot read {src}: a broken animation ({e}); re-export it") from None
    if clear:
        said.append(f"{src.name}: transparent pixels flattened onto grey")
    if any(ms <= 0 for _, ms in times):  # no durations: a sequence of frames, not a clip
        said.append(f"{src.name}: an animation without frame durations; {IMAGE_FPS:g} fps assumed")
        return Video(np.stack(frames), IMAGE_FPS, {})
    rate = min(max(1000 * len(times) / sum(ms for _, ms in times), MIN_FPS), MAX_FPS)
    replay = _replay(times, Fraction(1, 1000))
    if replay is None or only is not None:
        return Video(np.stack(frames), rate if replay is None else replay.rate, {})
    said.append(replay.note(src))
    starts = [at / 1000 for at, _ in times]  # seconds
    counts = [replay.at(b) - replay.at(a) for a, b in itertools.pairwise(starts)]
    counts.append(replay.at(replay.end) - replay.at(starts[-1]))
    if sum(counts) * frames[0].nbytes > MAX_DECODED:  # a frame held for minutes, replayed
        raise VideoError(_too_big(src, sum(counts), frames[0]))
    return Video(np.repeat(np.stack(frames), counts, axis=0), replay.rate, {})


def probe_media(path: str | os.PathLike[str]) -> Probe:
    """An image's or a clip's length, size, rate and recipe: a clip's from its header
    (io.video.probe), an image's or an animation's by reading it."""
    src = Path(path)
    if src.suffix.lower() not in IMAGE_SUFFIXES or src.is_dir():
        return probe(src)
    v = read_media(src)
    return Probe(v.num_frames, v.height, v.width, v.fps, v.recipe)


def _read_image(src: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """An image file as (H, W, 3) uint8 (image_rgb: turned, transparency flattened onto
    grey), and its alpha (H, W) uint8 if some of its pixels are transparent, else None."""
    if not src.is_file():
        raise VideoError(missing(src))
    try:
        with open_image(src) as img:
            img = ImageOps.exif_transpose(img)
            frame, clear = image_rgb(img)
            alpha = np.asarray(img.convert("RGBA"))[..., 3] if clear else None
    except (UnidentifiedImageError, OSError) as e:
        raise VideoError(f"cannot read {src}: not an image ({e}); pass a PNG or JPEG") from None
    return frame, alpha


def iter_media(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    """The frames of an image or a clip, (H, W, 3) uint8, one at a time as they are asked
    for: an image as read_media reads it (turned by its EXIF, transparency flattened)."""
    src = Path(path)
    if src.suffix.lower() in IMAGE_SUFFIXES and not src.is_dir():
        yield from read_media(src).frames
    else:
        yield from iter_video(src)


def _light(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 -> (...) bool: the mean over R, G and B above 127."""
    return rgb.sum(axis=-1, dtype=np.uint16) > 3 * 127


SOFT_SHARE = 0.05  # a mask with more of its pixels grey than this is soft, not anti-aliased


def _cut(rgb: np.ndarray, src: Path, said: list[str]) -> np.ndarray:
    """A mask frame (H, W, 3) uint8 -> (H, W) bool, _light; a note, once, if the mask is
    soft (a feathered or half-strength mask): the model repaints a region or keeps it, so
    grey is cut at half, not blended."""
    grey = rgb.sum(axis=-1, dtype=np.uint16)
    soft = float(((grey > 3 * 32) & (grey < 3 * 223)).mean())
    said_soft = any(n.startswith(f"{src.name}: a soft mask") for n in said)
    if soft > SOFT_SHARE and not said_soft:
        said.append(
            f"{src.name}: a soft mask ({soft:.0%} of its pixels grey); cut at half grey: "
            "the lighter pixels are the region, whole"
        )
    return grey > 3 * 127


def iter_mask(
    path: str | os.PathLike[str], notices: list[str] | None = None
) -> Iterator[np.ndarray]:
    """A mask image or clip a frame at a time: (H, W) bool, True where the pixel is light.

    An image with transparent pixels (alpha < 128) is read by its alpha instead: when every
    opaque pixel is light (strokes on a clear layer), the opaque pixels are the region, else
    the transparent ones (a picture with a hole cut out: the edit-mask convention of OpenAI's
    image edits and ComfyUI). Which was taken is added to `notices`."""
    src = Path(path)
    said = notices if notices is not None else []
    if src.suffix.lower() not in IMAGE_SUFFIXES or src.is_dir():
        for frame in iter_video(src):
            yield _cut(frame, src, said)
        return
    if _animated(src):  # a mask that moves, drawn as an animation
        for frame in read_media(src, said).frames:
            yield _cut(frame, src, said)
        return
    frame, alpha = _read_image(src)
    if alpha is None:
        yield _cut(frame, src, said)
        return
    clear = alpha < 128  # (H, W)
    if (clear | _light(frame)).all():  # every opaque pixel light (flattened, still light)
        said.append(f"{src.name}: a mask with transparency; its opaque pixels are the region")
        yield ~clear
    else:
        said.append(f"{src.name}: a mask with transparency; its transparent pixels are the region")
        yield clear


def read_mask(path: str | os.PathLike[str], notices: list[str] | None = None) -> np.ndarray:
    """A mask image (H, W) or mask clip (T, H, W), bool: iter_mask's frames."""
    mask = list(iter_mask(path, notices))
    return mask[0] if len(mask) == 1 else np.stack(mask)


def digest(path: str | os.PathLike[str]) -> dict[str, str]:
    """Where an input came from, for the recipe: its path and a hash of its bytes."""
    p = Path(path)
    h = hashlib.sha256()
    files = frame_files(p) if p.is_dir() else [p]
    for f in files:
        h.update(f.read_bytes())
    return {"path": str(p), "sha256": h.hexdigest()[:16]}
