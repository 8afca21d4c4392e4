"""User media for the task verbs: an image or a clip, and masks, with clear errors."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .video import (
    FOLDER_FPS,
    RECIPE_FILE,
    Each,
    Video,
    VideoError,
    image_rgb,
    iter_video,
    read_video,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp")
IMAGE_FPS = 8.0  # an image is a 1-frame clip at the shipped model's rate


def read_media(
    path: str | os.PathLike[str],
    notices: list[str] | None = None,
    only: str | None = None,
    each: Each | None = None,
) -> Video:
    """An image file (as a 1-frame clip) or anything read_video reads (only "first" or
    "last": one frame of a clip; each: applied to every frame as it is read). What was
    assumed or changed on the way (a transparent image flattened, a folder's frame rate
    guessed) is added to `notices`."""
    src = Path(path)
    said = notices if notices is not None else []
    if src.suffix.lower() not in IMAGE_SUFFIXES or src.is_dir():
        video = read_video(src, only, each)
        if src.is_dir() and not (src / RECIPE_FILE).is_file():
            said.append(f"{src}: a folder of frames has no frame rate; {FOLDER_FPS:g} fps assumed")
        return video
    if not src.is_file():
        raise VideoError(f"Cannot read {src}: no such file; check the path.")
    try:
        with Image.open(src) as img:
            frame, alpha = image_rgb(img)
    except (UnidentifiedImageError, OSError) as e:
        raise VideoError(f"Cannot read {src}: not an image ({e}); pass a PNG or JPEG.") from None
    if alpha:
        said.append(f"{src}: transparent pixels flattened onto grey")
    frame = frame if each is None else each(frame)
    return Video(frame[None].copy(), IMAGE_FPS, {})


def iter_media(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    """The frames of an image or a clip, (H, W, 3) uint8, one at a time as they are asked
    for: an image as read_media reads it (turned by its EXIF, transparency flattened)."""
    src = Path(path)
    if src.suffix.lower() in IMAGE_SUFFIXES and not src.is_dir():
        yield from read_media(src).frames
    else:
        yield from iter_video(src)


def iter_mask(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    """A mask image or clip a frame at a time: (H, W) bool, True where the pixel is light
    (its mean over R, G and B above 127)."""
    for frame in iter_media(path):
        yield frame.sum(axis=-1, dtype=np.uint16) > 3 * 127


def read_mask(path: str | os.PathLike[str]) -> np.ndarray:
    """A mask image (H, W) or mask clip (T, H, W): bool, True where the pixel is light (> 127)."""
    mask = list(iter_mask(path))
    return mask[0] if len(mask) == 1 else np.stack(mask)


def digest(path: str | os.PathLike[str]) -> dict[str, str]:
    """Where an input came from, for the recipe: its path and a hash of its bytes."""
    p = Path(path)
    h = hashlib.sha256()
    files = sorted(p.glob("*.png")) if p.is_dir() else [p]
    for f in files:
        h.update(f.read_bytes())
    return {"path": str(p), "sha256": h.hexdigest()[:16]}
