"""User media for the task verbs: an image or a clip, and masks, with clear errors."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .video import (
    FOLDER_FPS,
    RECIPE_FILE,
    Each,
    Video,
    VideoError,
    frame_order,
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
    fps: float | None = None,
) -> Video:
    """An image file (as a 1-frame clip) or anything read_video reads (only "first" or
    "last": one frame of a clip; each: applied to every frame as it is read; fps: the
    clip's rate as the caller gives it, which a folder of frames takes without a guess).
    What was assumed or changed on the way (a transparent image flattened, a folder's frame
    rate guessed) is added to `notices`."""
    src = Path(path)
    said = notices if notices is not None else []
    if src.suffix.lower() not in IMAGE_SUFFIXES or src.is_dir():
        video = read_video(src, only, each, said)
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


def _read_image(src: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """An image file as (H, W, 3) uint8 (image_rgb: turned, transparency flattened onto
    grey), and its alpha (H, W) uint8 if some of its pixels are transparent, else None."""
    if not src.is_file():
        raise VideoError(f"Cannot read {src}: no such file; check the path.")
    try:
        with Image.open(src) as img:
            img = ImageOps.exif_transpose(img)
            frame, clear = image_rgb(img)
            alpha = np.asarray(img.convert("RGBA"))[..., 3] if clear else None
    except (UnidentifiedImageError, OSError) as e:
        raise VideoError(f"Cannot read {src}: not an image ({e}); pass a PNG or JPEG.") from None
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


def iter_mask(
    path: str | os.PathLike[str], notices: list[str] | None = None
) -> Iterator[np.ndarray]:
    """A mask image or clip a frame at a time: (H, W) bool, True where the pixel is light.

    An image with transparent pixels (alpha < 128) is read by its alpha instead: when every
    opaque pixel is light (strokes on a clear layer), the opaque pixels are the region, else
    the transparent ones (a picture with a hole cut out: the edit-mask convention of OpenAI's
    image edits and ComfyUI). Which was taken is added to `notices`."""
    src = Path(path)
    if src.suffix.lower() not in IMAGE_SUFFIXES or src.is_dir():
        for frame in iter_video(src):
            yield _light(frame)
        return
    frame, alpha = _read_image(src)
    if alpha is None:
        yield _light(frame)
        return
    clear = alpha < 128  # (H, W)
    said = notices if notices is not None else []
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
    files = sorted(p.glob("*.png"), key=frame_order) if p.is_dir() else [p]
    for f in files:
        h.update(f.read_bytes())
    return {"path": str(p), "sha256": h.hexdigest()[:16]}
