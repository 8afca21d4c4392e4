"""A user's inputs made ready for the model: images, clips and masks from arrays, PIL
images or files (as_image, as_clip, as_mask), fitted to the working canvas and put back
(fit_frames, fit_mask, put_back), and the command line's boxes, sizes and clicks.

Arrays: video uint8 (T, H, W, 3), image uint8 (H, W, 3), mask bool (T, H, W) or (H, W).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .checks import EMPTY_MASK, check_mask_shape, check_number
from .fullsize import resize
from .io.video import MAX_FPS, MIN_FPS, Video, flattened


def as_image(x: Any, what: str = "the image", notices: list[str] | None = None) -> np.ndarray:
    """A user's image as uint8 (H, W, 3): a numpy array (grey (H, W) made RGB), a PIL image
    or an image file's path (read as shown: EXIF turn, transparency on grey; a clip's
    first frame; what reading it changed goes to notices). Anything else is a ValueError
    that says what is wanted."""
    from PIL import Image

    from .io.video import image_rgb

    if isinstance(x, Image.Image):
        return image_rgb(x)[0]
    if isinstance(x, str | os.PathLike):  # a file: an image, or a clip's first frame
        from .io import read_media
        from .io.media import is_still

        said = notices if notices is not None else []
        if not is_still(x):
            said.append(f"{Path(x).name}: a clip; its first frame is {what}")
        return read_media(x, said, only="first").frames[0]
    a = _uint8(x, what)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=-1)
    a = _as_rgb(a, what, notices) if a.ndim == 3 else a
    if a.ndim != 3 or a.shape[-1] != 3 or min(a.shape) < 1:
        raise ValueError(f"{what} must be an RGB image (H, W, 3), got shape {a.shape}")
    return a


def as_clip(x: Any, what: str = "the video", notices: list[str] | None = None) -> np.ndarray:
    """A user's clip as uint8 (T, H, W, 3): a numpy array, a list of frames, a Video or a
    file's path (a clip, a frame folder or an image; what reading it changed goes to
    notices)."""
    if isinstance(x, str | os.PathLike):
        from .io import read_media

        return read_media(x, notices).frames
    a = _as_rgb(_uint8(x, what), what, notices)
    if a.ndim != 4 or a.shape[-1] != 3 or min(a.shape) < 1:
        raise ValueError(f"{what} must be RGB frames (T, H, W, 3), got shape {a.shape}")
    return a


def as_mask(x: Any, what: str = "the mask", notices: list[str] | None = None) -> np.ndarray:
    """A user's mask as bool, (T, H, W) or (H, W): bool, 0/1 or 0/255 values (a grey mask
    image given as (..., 1) or (..., 3) equal channels too), or a mask file's path (io.read_mask;
    what reading it assumed goes to notices). Anything else is a ValueError."""
    if isinstance(x, str | os.PathLike):
        from .io import read_mask

        return read_mask(x, notices)
    a = np.asarray(x)
    if a.ndim in (3, 4) and a.shape[-1] in (1, 3) and (a == a[..., :1]).all():
        a = a[..., 0]  # a mask image read as RGB: its channels agree
    if a.dtype != bool:
        values = np.unique(a) if a.dtype.kind in "iuf" else np.array([-1])
        if not (set(values.tolist()) <= {0, 1} or set(values.tolist()) <= {0, 255}):
            raise ValueError(f"{what} must be bool, 0/1 or 0/255, got {a.dtype} values")
        a = a > 0
    if a.ndim not in (2, 3) or min(a.shape) < 1:
        raise ValueError(f"{what} must be (H, W) or (T, H, W), got shape {a.shape}")
    return a


@dataclass(frozen=True)
class Placement:
    """Where outpaint puts its input on the new canvas (height x width): at (top, left),
    h x w; size: the input's own (H, W)."""

    height: int
    width: int
    top: int
    left: int
    h: int
    w: int
    size: tuple[int, int]

    def place(self, frame: np.ndarray) -> np.ndarray:
        """The input's frame (H, W, 3) in its place on a black canvas (height, width, 3)."""
        if frame.shape[:2] != self.size:
            (h, w), (fh, fw) = self.size, frame.shape[:2]
            raise ValueError(f"the video's frames differ in size ({w}x{h}, then {fw}x{fh})")
        out = np.zeros((self.height, self.width, 3), np.uint8)
        inner = fit_frames(frame[None], self.h, self.w)[0]
        out[self.top : self.top + self.h, self.left : self.left + self.w] = inner
        return out

    def border(self) -> np.ndarray:
        """(height, width) bool: True where the model makes the pixels."""
        out = np.ones((self.height, self.width), bool)
        out[self.top : self.top + self.h, self.left : self.left + self.w] = False
        return out


def rate_of(x: Any, fps: float | None) -> float | None:
    """A clip's frame rate: fps when given, else a Video's own (a verb's result chained into
    another keeps its rate; a file's), else None (the model's)."""
    if fps is None and isinstance(x, Video):
        return float(x.fps)
    if fps is None and isinstance(x, str | os.PathLike):
        from .io import read_media

        return float(read_media(x, only="first").fps)
    if fps is not None:
        check_number("fps", fps)
        if not MIN_FPS <= fps <= MAX_FPS:  # also false for nan
            raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    return fps


def clip_or_image(x: Any, what: str, notices: list[str]) -> np.ndarray:
    """morph's ends: a clip (T, H, W, 3) or Video, or an image as a 1-frame clip (a file's
    path too)."""
    from PIL import Image

    if isinstance(x, str | os.PathLike):
        from .io import read_media

        return read_media(x, notices).frames
    if isinstance(x, Image.Image) or (not isinstance(x, Video) and np.ndim(x) in (2, 3)):
        return as_image(x, what)[None]
    return as_clip(x, what)


def _as_rgb(a: np.ndarray, what: str, notices: list[str] | None) -> np.ndarray:
    """uint8 pixels (..., C) as RGB, as a file's are read: grey (C = 1) repeated, RGBA
    (C = 4) flattened onto grey where it is transparent, with a notice."""
    if a.shape[-1] == 1:
        return np.repeat(a, 3, axis=-1)
    if a.shape[-1] != 4:
        return a
    rgb, clear = flattened(a)
    if clear and notices is not None:
        notices.append(f"{what}: transparent pixels flattened onto grey")
    return rgb


def _uint8(x: Any, what: str) -> np.ndarray:
    """x (an array, a list of frames, a Video) as a uint8 array; integers within 0..255
    are taken, anything else is a ValueError that says what to do."""
    if isinstance(x, Video):
        x = x.frames
    try:
        a = np.asarray(x)
    except ValueError:  # a list of frames of different sizes
        raise ValueError(f"{what}: all frames must be the same size") from None
    if a.dtype == np.uint8:
        return a
    if a.dtype.kind in "iu" and a.size and a.min() >= 0 and a.max() <= 255:
        return a.astype(np.uint8)
    if a.dtype == bool:
        raise ValueError(f"{what} is bool, a mask; give RGB pixels 0..255")
    if a.dtype.kind == "f":
        raise ValueError(
            f"{what} must hold pixels 0..255, got {a.dtype}; from floats in 0..1 use "
            "(x * 255).round().astype(np.uint8)"
        )
    raise ValueError(f"{what} must hold uint8 pixels 0..255, got {a.dtype}")


def _crop_box(fh: int, fw: int, h: int, w: int) -> tuple[int, int, int, int]:
    """The centred crop (y, x, height, width) of an fh x fw frame with the aspect of h x w."""
    if fh * w > fw * h:  # too tall: crop rows (one at least: a strip's aspect may round to 0)
        ch = max(1, round(fw * h / w))
        return (fh - ch) // 2, 0, ch, fw
    if fh * w < fw * h:  # too wide: crop columns
        cw = max(1, round(fh * w / h))
        return 0, (fw - cw) // 2, fh, cw
    return 0, 0, fh, fw


def fit_frames(frames: np.ndarray, h: int, w: int, crop: bool = True) -> np.ndarray:
    """Centre-crop frames (T, H, W, 3) to the aspect of h x w, then resize to h x w.
    crop False: resize the whole frame, stretched by the little the canvas's rounding
    changes its aspect, so every pixel has a place (the verbs that give back the input's
    size)."""
    fh, fw = frames.shape[1:3]
    if (fh, fw) == (h, w):
        return frames
    if crop:
        y, x, ch, cw = _crop_box(fh, fw, h, w)
        frames = frames[:, y : y + ch, x : x + cw]
    return np.stack([resize(f, h, w) for f in frames])


def fit_mask(mask: np.ndarray, h: int, w: int, crop: bool = True) -> np.ndarray:
    """A bool mask (T, H, W) or (H, W) fitted as fit_frames fits frames, a frame at a time;
    a working pixel the mask covers at all counts."""
    flat = mask.reshape(-1, *mask.shape[-2:])  # (T, H, W)
    fitted = [
        fit_frames(np.repeat(m.astype(np.uint8)[None, ..., None] * 255, 3, -1), h, w, crop)
        for m in flat
    ]
    return np.stack([f[0, ..., 0] > 0 for f in fitted]).reshape(*mask.shape[:-2], h, w)


def put_back(
    original: np.ndarray, made: np.ndarray, region: np.ndarray, inplace: bool = False
) -> np.ndarray:
    """The original frames (T, H, W, 3) with their region (T, H, W) or (H, W) taken from
    made (T, h, w, 3), frames at the working size (fit_frames with crop False) resized back
    (put_back_each); inplace writes into original instead of a copy."""
    out = original if inplace else original.copy()
    for _ in put_back_each(out, made, region):
        pass
    return out


def put_back_each(
    frames: Iterable[np.ndarray], made: np.ndarray, region: np.ndarray | Iterable[np.ndarray]
) -> Iterator[np.ndarray]:
    """Each original frame (H, W, 3) with its region taken from made (T, h, w, 3) resized
    back, written into the frame itself. region: (H, W) for every frame, or (T, H, W) or
    any iterable of (H, W) bool masks, one a frame (io.iter_mask: read as it is used).
    Every pixel outside the region is the original's. No feather: inside the region the
    original is what is being replaced (an object removed, outpaint's empty border), and
    the model made the region's edge to meet the known pixels around it."""
    one = isinstance(region, np.ndarray) and region.ndim == 2
    regions = itertools.repeat(region) if one else iter(region)
    for k, (frame, inside) in enumerate(zip(frames, regions, strict=False)):  # repeat() has no end
        if inside.any():
            frame[inside] = resize(made[k], *frame.shape[:2])[inside]
        yield frame


def fit_mask_each(
    masks: Iterable[np.ndarray], t: int, h: int, w: int, hw: tuple[int, int], crop: bool
) -> np.ndarray:
    """A mask read a frame at a time (io.iter_mask), checked against its video of t frames
    of h x w as check_mask checks it, and fitted to the working size hw as fit_mask fits it:
    (h', w') for a one-frame mask, else (T, h', w'). Only the small mask is ever held."""
    small, shape, marked = [], None, False
    for m in masks:  # (H, W) bool
        if shape is not None and m.shape != shape:
            raise ValueError("the mask's frames differ in size; re-export it at one size")
        shape, marked = m.shape, marked or bool(m.any())
        small.append(fit_mask(m, *hw, crop))
    if shape is None:
        raise ValueError("the mask has no frames: pass a mask image or clip")
    check_mask_shape(shape if len(small) == 1 else (len(small), *shape), t, h, w)
    if not marked:
        raise ValueError(EMPTY_MASK)
    return small[0] if len(small) == 1 else np.stack(small)


def resample_time(frames: np.ndarray, fps_in: float, fps_out: float) -> np.ndarray:
    """Nearest-frame resampling of a clip from fps_in to fps_out (same duration)."""
    if abs(fps_in - fps_out) < 1e-6:
        return frames
    n = max(1, round((len(frames) - 1) * fps_out / fps_in) + 1)
    idx = np.round(np.arange(n) * fps_in / fps_out).astype(int).clip(0, len(frames) - 1)
    return frames[idx]


def frames_at_least(n: int, step: int = 4) -> int:
    """The smallest step*k+1 that is >= n (the frame counts a model can make)."""
    return step * math.ceil(max(n - 1, 0) / step) + 1


def parse_box(text: str) -> tuple[int, int, int, int]:
    """'X,Y,W,H' -> ints; raises ValueError with the expected form."""
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"a box is X,Y,W,H in pixels, e.g. 16,16,32,24; got {text!r}") from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise ValueError(f"a box needs X, Y >= 0 and W, H > 0; got {text!r}")
    return x, y, w, h


def parse_size(text: str) -> tuple[int, int]:
    """'WxH' (or 'N' for N x N) -> (width, height)."""
    try:
        low = text.lower()
        w, h = (int(v) for v in low.split("x")) if "x" in low else (int(text),) * 2
    except ValueError:
        raise ValueError(f"a size is WxH in pixels, e.g. 128x64; got {text!r}") from None
    if w <= 0 or h <= 0:
        raise ValueError(f"a size needs positive sides; got {text!r}")
    return w, h


BACKDROP_EDGE = 0.25  # a click's colour on this share of the image's edge is the backdrop's
# (a check of a checkered floor: half the edge; the world's objects: none of it)


def region_at(
    image: np.ndarray,
    x: int,
    y: int,
    margin: float = 0.2,
    to: tuple[int, int] | None = None,
) -> np.ndarray:
    """The region around the object under pixel (x, y): pixels of similar colour connected to
    it, as a box grown by margin x the image size on every side so the object can move. A
    part over half the image, or of a colour common on the image's edge (a checkered floor's
    check, a band of sky) is the background: a ValueError. to:
    where the user dragged the point (a motion brush): the box also covers the object moved
    there, so the region holds its whole path."""
    h, w = image.shape[:2]
    for px, py in [(x, y), *([to] if to is not None else [])]:
        if not (0 <= px < w and 0 <= py < h):
            which = "--to" if (px, py) == to and (px, py) != (x, y) else "the point"
            raise ValueError(f"{which} {px},{py} is outside the {w}x{h} image")
    flood = np.zeros((h + 2, w + 2), np.uint8)
    img = np.array(image, np.uint8, order="C")  # a copy: OpenCV refuses a read-only array
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8)
    cv2.floodFill(img, flood, (x, y), (0, 0, 0), (24,) * 3, (24,) * 3, flags)
    ys, xs = np.nonzero(flood[1:-1, 1:-1])
    colour = img[ys, xs].astype(np.float32).mean(0)  # (3,): the clicked part's
    edge = np.concatenate([img[0], img[-1], img[1:-1, 0], img[1:-1, -1]]).astype(np.float32)
    edged = (np.abs(edge - colour).max(-1) <= 24).mean()  # its share of the image's edge
    if len(xs) > 0.5 * h * w or edged >= BACKDROP_EDGE:  # a big part, or one of a pattern's
        raise ValueError(
            f"the point {x},{y} is on the background, not an object; click on the object "
            "to move, or pass --mask"
        )
    m = round(margin * max(h, w))
    dx, dy = (to[0] - x, to[1] - y) if to is not None else (0, 0)
    y0, y1 = min(ys.min(), ys.min() + dy) - m, max(ys.max(), ys.max() + dy) + m
    x0, x1 = min(xs.min(), xs.min() + dx) - m, max(xs.max(), xs.max() + dx) + m
    region = np.zeros((h, w), bool)
    region[max(0, y0) : y1 + 1, max(0, x0) : x1 + 1] = True
    return region


def box_mask(h: int, w: int, box: tuple[int, int, int, int]) -> np.ndarray:
    """An (h, w) bool mask, True in box (x, y, width, height), cut at the frame's edge."""
    x, y, bw, bh = box
    if x >= w or y >= h:
        raise ValueError(f"the box {x},{y},{bw},{bh} lies outside the {w}x{h} video")
    m = np.zeros((h, w), bool)
    m[y : y + bh, x : x + bw] = True
    return m
