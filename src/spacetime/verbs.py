"""The film-maker's verbs. Each one is a choice of known pixels for `Pipeline.generate`.

| verb        | known pixels in each window                                        |
|-------------|--------------------------------------------------------------------|
| animate     | frame 0 (the image)                                                |
| extend      | the last 9 (or 5) frames of the clip so far; backward: the first 8 |
| interpolate | every factor-th frame (the input frames)                           |
| morph       | frame 0 (A's last frame) and the last frame (B's first)            |
| inpaint     | everything outside the mask                                        |
| outpaint    | the input, placed in the middle of the larger canvas               |
| cinemagraph | frame 0, and everything outside the region in every frame          |
| stylize     | nothing: the clip is noised to `strength` and denoised             |

Long inputs are cut into windows of the model's length. Frames made by an earlier window are
known pixels of the next one, so windows join without seams. The model works at its working
canvas: an input of another size is resized to it (cropped, where only its aspect is kept),
and every verb but stylize gives back the input's own size (fullsize.py, put_back). Each
change is written to the recipe's "notices", and the CLI prints it.

Arrays: video uint8 (T, H, W, 3), image uint8 (H, W, 3), mask bool (T, H, W) or (H, W).
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .fullsize import between, extended, gathered, resize, restyled, sharpened
from .io.video import MAX_DECODED, MAX_FPS, MIN_FPS, Video
from .known import ColourAnchor, even_pace, smooth_time
from .sprite import keep_look

MAX_SIDE = 1024  # the largest working canvas side a verb accepts
MAX_OUT_SIDE = 4096  # the largest output side of a verb that puts its work back at full size
MAX_STEPS = 1000  # sampling steps: Wan's default is 50, ours 20
MAX_SECONDS = 3600.0  # the longest extension or transition asked for at once
PLAIN_SPREAD = 1.5  # levels: a frame's median deviation below which it has no backdrop's
# texture (the world's textured ones: 3.3 for the night's glow to 16 for the checks)
MORPH_SMOOTH = 2.0  # frames: sigma of morph's smoothing over time (docs/tasks.md, Smooth morph)


# ----------------------------------------------------------------------------- user arrays


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
    a = _uint8(x, what)
    if a.ndim != 4 or a.shape[-1] != 3 or min(a.shape) < 1:
        raise ValueError(f"{what} must be RGB frames (T, H, W, 3), got shape {a.shape}")
    return a


LOAD_DEFAULTS = ("frames", "height", "width", "fps", "steps", "guidance")  # Pipeline.load(**)
EMPTY_MASK = "the mask is empty: mark the pixels to repaint in white (over mid-grey)"


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
        _number("fps", fps)
        if not MIN_FPS <= fps <= MAX_FPS:  # also false for nan
            raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    return fps


def _clip_or_image(x: Any, what: str, notices: list[str]) -> np.ndarray:
    """morph's ends: a clip (T, H, W, 3) or Video, or an image as a 1-frame clip (a file's
    path too)."""
    from PIL import Image

    if isinstance(x, str | os.PathLike):
        from .io import read_media

        return read_media(x, notices).frames
    if isinstance(x, Image.Image) or (not isinstance(x, Video) and np.ndim(x) in (2, 3)):
        return as_image(x, what)[None]
    return as_clip(x, what)


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


# ----------------------------------------------------------------------------- fitting input


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


def check_mask(mask: np.ndarray, t: int, h: int, w: int) -> None:
    """A mask (H, W) or (T, H, W) must match its video of t frames of h x w, and mark some
    pixels."""
    _check_mask_shape(mask.shape, t, h, w)
    if not mask.any():
        raise ValueError(EMPTY_MASK)


def _check_mask_shape(shape: tuple[int, ...], t: int, h: int, w: int) -> None:
    if shape != ((h, w) if len(shape) == 2 else (t, h, w)):
        size = f"{shape[-1]}x{shape[-2]}"
        said = size if len(shape) == 2 else f"{size} with {shape[0]} frames"
        raise ValueError(
            f"the mask is {said} but the video is {w}x{h} with {t} frames; make them match"
        )


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
    _check_mask_shape(shape if len(small) == 1 else (len(small), *shape), t, h, w)
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


def region_at(
    image: np.ndarray,
    x: int,
    y: int,
    margin: float = 0.2,
    to: tuple[int, int] | None = None,
) -> np.ndarray:
    """The region around the object under pixel (x, y): pixels of similar colour connected to
    it, as a box grown by margin x the image size on every side so the object can move. to:
    where the user dragged the point (a motion brush): the box also covers the object moved
    there, so the region holds its whole path."""
    h, w = image.shape[:2]
    for px, py in [(x, y), *([to] if to is not None else [])]:
        if not (0 <= px < w and 0 <= py < h):
            which = "--to" if (px, py) == to and (px, py) != (x, y) else "the point"
            raise ValueError(f"{which} {px},{py} is outside the {w}x{h} image")
    flood = np.zeros((h + 2, w + 2), np.uint8)
    img = np.ascontiguousarray(image)
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (255 << 8)
    cv2.floodFill(img, flood, (x, y), (0, 0, 0), (24,) * 3, (24,) * 3, flags)
    ys, xs = np.nonzero(flood[1:-1, 1:-1])
    if len(xs) > 0.5 * h * w:
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
    x, y, bw, bh = box
    if x >= w or y >= h:
        raise ValueError(f"the box {x},{y},{bw},{bh} lies outside the {w}x{h} video")
    m = np.zeros((h, w), bool)
    m[y : y + bh, x : x + bw] = True
    return m


def check_options(
    prompt: str,
    *,
    known: bool = False,
    steps: Any = None,
    guidance: Any = None,
    guidance_stop: Any = None,
    frames: Any = None,
    fps: Any = None,
    seed: Any = 0,
    start: Any = None,
    **_: Any,
) -> None:
    """Refuse options no model could use, before one is loaded (None: not given, the
    model's default); raises ValueError. known: pixels are given, so the prompt may be empty.
    What depends on the model (frames 4k+1, size multiples) `Verbs.settings` checks."""
    if not isinstance(prompt, str):
        raise ValueError(f"the prompt must be text, got {type(prompt).__name__}")
    if not prompt.strip() and not known:
        raise ValueError("the prompt is empty: say what to show, e.g. 'a red circle moving'")
    for name, value in (("steps", steps), ("frames", frames), ("seed", seed)):
        if value is not None:
            _number(name, value, whole=True)
    numbers = (("guidance", guidance), ("guidance_stop", guidance_stop), ("fps", fps))
    for name, value in (*numbers, ("start", start)):
        if value is not None:
            _number(name, value)
    if frames is not None and frames < 1:
        raise ValueError(f"frames must be 1 or more, got {frames}")
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be from 1 to {MAX_STEPS}, got {steps}")
    if guidance is not None and not (math.isfinite(guidance) and guidance >= 1.0):
        raise ValueError(f"guidance must be a number, 1 or more (1 = off), got {guidance}")
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be from 0 to 2**63 - 1, got {seed}")
    if guidance_stop is not None and not 0.0 <= guidance_stop <= 1.0:
        raise ValueError(f"--guidance-stop must be in [0, 1], got {guidance_stop}")
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:  # also false for nan
        raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    if start is not None and not 0.0 < start <= 1.0:
        raise ValueError(f"--start must be in (0, 1] (1: from noise), got {start}")


def _number(name: str, value: Any, whole: bool = False) -> None:
    """A Python caller's option must be a number (whole: an integer), not text or None."""
    kind = Integral if whole else Real
    if not isinstance(value, kind) or isinstance(value, bool):
        wanted = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")


def check_seconds(seconds: float) -> None:
    """An extension's or transition's length: more than 0 s and at most MAX_SECONDS."""
    _number("seconds", seconds)
    if not 0 < seconds <= MAX_SECONDS:  # also false for nan
        raise ValueError(
            f"--seconds must be more than 0 and at most {MAX_SECONDS:g}, got {seconds}"
        )


def check_raised_rate(fps: float, factor: int) -> None:
    """interpolate's input rate, and the rate factor times it, within a clip's."""
    if not MIN_FPS <= fps <= MAX_FPS:
        raise ValueError(f"the input's fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    if fps * factor > MAX_FPS:
        raise ValueError(
            f"the result would play at {fps:g} x {factor} = {fps * factor:g} fps, over the "
            f"{MAX_FPS:g} a video may have; lower --factor or --fps"
        )


def check_length(frames: int | None, made: dict[str, Any]) -> None:
    """A clip of frames: past the model's window (made: its {frames, fps}) it is extended
    window by window, at most MAX_SECONDS at the model's rate."""
    most = int(made["frames"]) + int(MAX_SECONDS * float(made["fps"]))
    if frames is not None and frames > most:
        raise ValueError(
            f"--frames must be at most {most} (an hour at the model's {float(made['fps']):g} "
            f"fps), got {frames}"
        )


def check_factor(factor: int, window: int) -> None:
    """interpolate's factor: 2 or more, and whole gaps fit a window of window frames."""
    _number("factor", factor, whole=True)
    if factor < 2 or (window - 1) % factor:
        ok = [k for k in range(2, window) if (window - 1) % k == 0]
        raise ValueError(f"--factor must be one of {ok} for this model, got {factor}")


def transition_frames(seconds: float, fps: float) -> int:
    """The frames of a morph of seconds at fps: 3 or more (both ends and one between)."""
    check_seconds(seconds)
    want = round(seconds * fps) + 1
    if want < 3:
        raise ValueError(
            f"--seconds must be {2 / fps:g} or more for a transition (3 frames at "
            f"{fps:g} fps), got {seconds:g}"
        )
    return want


def check_what_moves(region: bool, point: Any, to: Any) -> None:
    """A cinemagraph's moving part: a region (region: one is given) or a point, and --to only
    with a point."""
    if to is not None and point is None:
        raise ValueError("--to drags a --point; give --point X,Y too")
    if region == (point is not None):
        raise ValueError("say what moves: exactly one of a point (--point X,Y) or --mask")


def _check_xy(name: str, xy: Any) -> None:
    """A Python caller's point: two whole numbers (x, y), or None."""
    whole = isinstance(xy, tuple | list) and all(
        isinstance(v, Integral) and not isinstance(v, bool) for v in xy
    )
    if xy is not None and not (whole and len(xy) == 2):
        raise ValueError(f"{name} must be two whole numbers (x, y) in pixels, got {xy!r}")


def check_smooth(smooth: float) -> None:
    """morph's smoothing over time: a sigma of 0 frames (off) or more."""
    _number("smooth", smooth)
    if not smooth >= 0:  # also false for nan
        raise ValueError(f"--smooth must be 0 or more frames, got {smooth:g}")


def check_strength(strength: float) -> None:
    """stylize's strength: how far the clip is noised, in (0, 1]."""
    _number("strength", strength)
    if not 0.0 < strength <= 1.0:  # also false for nan
        raise ValueError(f"--strength must be in (0, 1], got {strength}")


def check_shape(frames: int | None, sides: tuple[int, ...], step: int, multiple: int) -> None:
    """frames step*k + 1 and every side a multiple of multiple, as a model needs; raises
    ValueError. Verbs.settings checks with the loaded model's numbers, the command line
    before the load with a Spacetime folder's configs (spacetime.cli.load_model)."""
    if frames is not None and (frames - 1) % step:
        k = step
        some = ", ".join(str(k * i + 1) for i in (range(1, 4) if frames > 1 else range(3)))
        raise ValueError(f"frames must be {k}k+1 ({some}, ...), got {frames}")
    for side in sides:
        if side < multiple or side % multiple:
            raise ValueError(f"size must be a multiple of {multiple}, not {side}")


# ----------------------------------------------------------------------------- the verbs


class Verbs:
    """Task methods for `Pipeline` (mixed in); every one returns a Video with its recipe."""

    meta: dict[str, Any]  # frames, fps, size (or height and width): the model's defaults
    multiple: int
    generate: Any
    frame_step: int = 4  # a model makes frame_step * k + 1 frames
    reference_frame: bool = True  # a reference image takes frame 0 of every window
    completes: bool = True  # a short prompt gets the input's background (`complete_prompt`)

    def settings(self, prompt: str, **given: Any) -> dict[str, Any]:
        """Fill unset options from the model's defaults and check them; raises ValueError.

        `height` and `width` default to the given `size`, then the model's height and width,
        then its square `size`.
        """
        m = self.meta
        opts = {
            k: m[k] if given.get(k) is None else given[k]
            for k in ("steps", "guidance", "frames", "size", "fps")
        }
        stop = given.get("guidance_stop")
        opts["guidance_stop"] = float(m.get("guidance_stop", 1.0) if stop is None else stop)
        opts["height"] = given.get("height") or given.get("size") or m.get("height") or opts["size"]
        opts["width"] = given.get("width") or given.get("size") or m.get("width") or opts["size"]
        seed, known, start = (
            given.get("seed", 0),
            given.get("known_given", False),
            given.get("start"),
        )
        check_options(prompt, seed=seed, known=known, start=start, **opts)
        opts["steps"], opts["frames"] = int(opts["steps"]), int(opts["frames"])
        sides = (opts["height"], opts["width"])
        check_shape(opts["frames"], sides, self.frame_step, self.multiple)
        check_length(opts["frames"], m)
        for side in (opts["height"], opts["width"]):
            if side > MAX_SIDE:
                raise ValueError(f"size must be {MAX_SIDE} or less a side, not {side}")
        return opts

    # geometry ---------------------------------------------------------------------------
    def canvas(self, h: int, w: int) -> tuple[int, int]:
        """The working size for an input of h x w: its aspect, the model's trained area."""
        m = self.meta
        area = int(m.get("height") or m["size"]) * int(m.get("width") or m["size"])
        k = self.multiple
        scale = math.sqrt(area / (h * w))
        return max(k, round(h * scale / k) * k), max(k, round(w * scale / k) * k)

    def _fit(
        self, frames: np.ndarray, notices: list[str], what: str, hw: tuple[int, int] | None = None
    ) -> np.ndarray:
        """frames (T, H, W, 3) cropped and resized to hw, by default the canvas of their size
        (the `canvas` a verb is given: the size a caller already shrank them to)."""
        h, w = hw or self.canvas(*frames.shape[1:3])
        if frames.shape[1:3] != (h, w):
            fh, fw = frames.shape[1:3]
            notices.append(f"{what}: {fw}x{fh} cropped and resized to {w}x{h}")
        return fit_frames(frames, h, w)

    def _full(
        self,
        hw: tuple[int, int],
        held: int,
        canvas: tuple[int, int] | None,
        notices: list[str],
        size: tuple[int, int],
    ) -> bool:
        """Whether a verb gives back its result at the input's own size (h, w) = size: it
        is not the working size hw, no caller has shrunk the input already (canvas), hw has
        the input's aspect but for rounding (not so for a model fixed at one size, whose
        input is cropped), and the result, held bytes at full size, fits in MAX_DECODED; a
        notice says when it does not."""
        if canvas is not None or hw == size or not self.keeps_size(hw, size):
            return False
        if held > MAX_DECODED:
            notices.append(
                f"made at {hw[1]}x{hw[0]}, the model's working size: at {size[1]}x{size[0]} "
                f"the result would hold {held / 2**30:.1f} GiB of frames"
            )
            return False
        return True

    def keeps_size(self, hw: tuple[int, int], size: tuple[int, int]) -> bool:
        """Whether a result made at the working size hw can be brought to the input's size
        (h, w): hw has its aspect but for rounding to the model's multiple. Not so for a
        model fixed at one size of another aspect (CogVideoX), whose input is cropped."""
        (h, w), k = size, self.multiple
        return abs(hw[0] * w - hw[1] * h) <= k * max(h, w)

    def complete_prompt(
        self, prompt: str, frame: np.ndarray, notices: list[str], complete: bool = True
    ) -> str:
        """The prompt, with the background the analyser reads in frame (H, W, 3), the input
        at the working size, added when the prompt names none. The world's captions leave
        the background out only when it is plain grey, so the model reads "the star keeps
        drifting right" as "on plain grey" and turned a clip's grass grey within a second
        (benchmarks/short_prompt.py). Like a prompt enhancer that captions the image it
        animates, but it only adds what the input shows and the prompt leaves out. Nothing
        for an empty prompt, a grey background, a frame too plain for the textured
        background nearest it (a flat dark grey is no night sky), complete False, or
        another family's model (completes False), whose text encoder knows no such rule."""
        from .world.analyse import WORK_SIZE, estimate_background
        from .world.caption import BACKGROUND_PHRASES
        from .world.parse import names_background
        from .world.spec import TEXTURED

        if not isinstance(prompt, str):
            raise ValueError(f"the prompt must be text, got {type(prompt).__name__}")
        if not (complete and self.completes and prompt.strip()) or names_background(prompt):
            return prompt
        k = min(1.0, WORK_SIZE / frame.shape[0])  # as the analyser reads a clip
        small = cv2.resize(frame, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
        background = estimate_background(small.astype(np.float32))
        pixels = small.reshape(-1, 3).astype(np.float32)
        spread = np.median(np.abs(pixels - np.median(pixels, 0)), 0).mean()  # objects aside
        plain = spread < PLAIN_SPREAD  # no texture: not grass, sea, checks or a night's glow
        if background == "grey" or (plain and background in TEXTURED):
            return prompt
        phrase = BACKGROUND_PHRASES[background][0]
        notices.append(
            f"prompt: {phrase!r} added, the background the input shows (to this model a "
            "prompt without one means plain grey; --as-written, in Python complete=False, "
            "keeps the prompt as written)"
        )
        return f"{prompt.strip().rstrip(' .!?;:,')} {phrase}"

    def _window(self, reference: np.ndarray | None) -> int:
        """Frames of output one window makes (a reference may take frame 0 of the window)."""
        return int(self.meta["frames"]) - self._ref_frames(reference)

    def _ref_frames(self, reference: np.ndarray | None) -> int:
        return int(reference is not None and self.reference_frame)

    def _ref(self, reference: np.ndarray | None, hw: tuple[int, int], notices: list[str]):
        if reference is None:
            return None
        image = as_image(reference, "the reference", notices)[None]
        return self._fit(image, notices, "reference", hw)[0]

    def _run(
        self,
        prompt: str,
        video: np.ndarray,  # (T, H, W, 3): known pixels; unknown ones are ignored
        known: np.ndarray,  # (T, H, W) bool
        task: str,
        notices: list[str],
        extra: dict[str, Any],
        reference: np.ndarray | None = None,
        init: np.ndarray | None = None,
        strength: float = 1.0,
        fps: float | None = None,
        step: int | None = None,
        **opts: Any,
    ) -> Video:
        """Make every unknown pixel of a clip of any length, window by window.

        Windows step forward (step frames apart; by default they overlap a quarter); frames
        an earlier window made are known in the next. A clip shorter than a window is made
        in one shorter window (4k+1 frames).
        """
        total, h, w = known.shape
        fps = float(self.meta["fps"]) if fps is None else fps
        win = self._window(reference)
        r = self._ref_frames(reference)
        if total < win:
            win = frames_at_least(total + r, self.frame_step) - r
        out, known = video.copy(), known.copy()
        made = np.zeros(total, bool)  # frames a window has finished
        seed = int(opts.pop("seed", 0))
        recipe: dict[str, Any] = {}
        starts = window_starts(total, win, step)
        for i, s in enumerate(starts):
            sl = slice(s, s + win)
            pad = win - len(out[sl])  # a short clip in a longer window: unknown frames after
            kv = np.concatenate([out[sl], np.zeros((pad, h, w, 3), np.uint8)])
            kn = np.concatenate([known[sl] | made[sl, None, None], np.zeros((pad, h, w), bool)])
            iv = None if init is None else np.concatenate([init[sl], init[sl][-1:].repeat(pad, 0)])
            clip = self.generate(
                prompt,
                known_video=kv,
                known=kn,
                init_video=iv,
                strength=strength,
                reference=reference,
                frames=win + r,
                height=h,
                width=w,
                fps=fps,
                seed=seed + i,
                task=task,
                **opts,
            )
            out[sl] = clip.frames[: win - pad]
            made[sl] = True
            recipe = clip.recipe
        recipe = {
            **recipe,
            "frames": total,
            "window": win,
            "windows": len(starts),
            "seed": seed,
            **extra,
            "notices": _merge(notices, recipe.get("notices", [])),
        }
        return Video(out, fps, recipe)

    # verbs ------------------------------------------------------------------------------
    def animate(
        self,
        image: np.ndarray,
        prompt: str,
        *,
        frames: int | None = None,
        reference: np.ndarray | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Image to video: the image is frame 0 and the prompt says what happens. The video
        has the image's size: the model works at its working size, and the frames it makes
        are brought to the image's, sharpened from it (`fullsize.sharpened`)."""
        notices: list[str] = []  # what reading the inputs changed, then what the verb did
        image = as_image(image, notices=notices)
        check_frames(frames)
        n = frames or self._window(reference)
        hw = self.canvas(*image.shape[:2])
        full = self._full(hw, n * image.size, None, notices, image.shape[:2])
        img = (
            fit_frames(image[None], *hw, crop=False)[0]
            if full
            else self._fit(image[None], notices, "image")[0]
        )
        prompt = self.complete_prompt(prompt, img, notices, complete)
        video = np.repeat(img[None], n, axis=0)
        known = np.zeros(video.shape[:3], bool)
        known[0] = True
        ref = self._ref(reference, img.shape[:2], notices)
        made = self._run(prompt, video, known, "animate", notices, {}, ref, **opts)
        if full:
            out = np.empty((n, *image.shape), np.uint8)
            out[0] = image
            sharpened(made.frames[1:], [image], out=out[1:])
            made.frames = out
            made.recipe["notices"] = _merge(made.recipe["notices"], [brought_line(hw, image.shape)])
        return made

    def extend(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        seconds: float,
        backward: bool = False,
        fps: float | None = None,
        reference: np.ndarray | None = None,
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Continue a clip forward (or backward) by `seconds`, window after window.

        Each window knows the last 9 frames made so far (forward; 8 first frames backward),
        as the model was trained. The result is the input followed (or preceded) by the new
        frames. A clip at another frame rate (fps; a Video's own by default) is given to the
        model at its own rate and kept as it is: the new frames are raised to the clip's rate
        along optical flow (retime), so the user's own frames and frame rate stay. The clip
        keeps its size too: the model works at its working size and the new frames are
        brought to the clip's, sharpened from its last (backward: first) frame
        (`fullsize.extended`). canvas: the size a caller already shrank the frames to (the
        command line, which brings the result to full size itself as it writes it): the
        result stays at it, as it does when the full-size result would hold more than
        MAX_DECODED bytes.
        """
        check_seconds(seconds)
        if not isinstance(backward, bool | np.bool_):
            raise ValueError(f"backward must be True or False, got {backward!r}")
        fps = rate_of(video, fps)
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        rate = float(self.meta["fps"])
        other = fps is not None and abs(fps - rate) > 1e-6  # the clip is at another rate
        add = max(1, round(seconds * rate))  # new frames at the model's rate
        count = max(1, round(add * fps / rate)) if other else add  # ... at the clip's
        t, h, w = video.shape[:3]
        hw = canvas or self.canvas(h, w)
        full = self._full(hw, (t + count) * h * w * 3, canvas, notices, (h, w))
        own = clip = (
            fit_frames(video, *hw, crop=False) if full else self._fit(video, notices, "video", hw)
        )
        prompt = self.complete_prompt(prompt, clip[0 if backward else -1], notices, complete)
        if other:
            clip = resample_time(clip, fps, rate)
            notices.append(
                f"video: kept at {fps:g} fps; the model sees it and makes the new frames at "
                f"{rate:g} fps, raised to {fps:g} fps along optical flow"
            )
        ref = self._ref(reference, clip.shape[1:3], notices)
        win = self._window(ref)
        # As trained: 9 or 5 known frames forward (whole latents), 8 or 4 backward.
        choices = (8, 4) if backward else (9, 5, 1)
        fits = [c for c in choices if c <= min(len(clip), win - 1)]
        context = fits[0] if fits else min(len(clip), win - 1)
        if abs(add - seconds * rate) > 0.01:
            notices.append(
                f"extend: {seconds:g} s is {add} frame{'s' * (add != 1)} at {rate:g} fps "
                f"({add / rate:g} s)"
            )
        if backward:
            clip = clip[::-1]
        total = len(clip) + add
        frames = np.concatenate([clip, np.zeros((add, *clip.shape[1:]), np.uint8)])
        known = np.zeros(frames.shape[:3], bool)
        known[: len(clip)] = True
        # Windows overlap the frames made so far by `context` frames.
        starts = list(range(len(clip) - context, total - context, win - context))
        seed = int(opts.pop("seed", 0))
        if opts.get("anchor", True) is True:  # fitted per colour on the input, then kept
            opts["anchor"] = ColourAnchor()
        for i, s in enumerate(starts):
            s = min(s, total - win) if total >= win else 0
            sl = slice(s, s + win)
            kv, kn = frames[sl], known[sl]
            if backward:  # the model was trained with the known frames at the end
                kv, kn = kv[::-1], kn[::-1]
            task = "extend_back" if backward else "extend"
            part = self._run(prompt, kv, kn, task, [], {}, ref, seed=seed + i, **opts)
            made = part.frames[::-1] if backward else part.frames
            frames[sl] = np.where(known[sl, ..., None], frames[sl], made)
            known[sl] = True
            recipe = part.recipe
        new = frames[len(clip) :]  # (add, h, w, 3), in the order made (back in time: reversed)
        if other:  # the new frames at the clip's rate
            edge = own[0] if backward else own[-1]
            new = retime(np.concatenate([edge[None], new]), rate / fps, count)
        if full:  # the clip's own frames, and the new ones at their size
            play = new[::-1] if backward else new
            frames = gathered(extended(video, play, backward, video[0]), t + count)
        else:
            frames = np.concatenate([new[::-1], own] if backward else [own, new])
        extra = {"seconds": seconds, "backward": backward, "context": context}
        recipe = {
            **recipe,
            "task": "extend",
            "frames": len(frames),
            "seed": seed,
            "windows": len(starts),
        }
        brought = [brought_line(hw, video.shape[1:])] if full else []
        said = _merge(notices, recipe.get("notices", []), brought)
        recipe = {**recipe, **extra, "fps": fps if other else rate, "notices": said}
        return Video(np.ascontiguousarray(frames), fps if other else rate, recipe)

    def interpolate(
        self,
        video: np.ndarray,
        *,
        factor: int,
        fps: float | None = None,
        prompt: str = "",
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Raise the frame rate `factor` times: the input frames are every factor-th frame.
        The clip comes back at its own size: the model works at its working size, and each
        made frame is the flow's between the input's own frames (`fullsize.between`), with
        the model's redraw put back resized where it kept one. canvas: the size a caller
        already shrank the frames to (the command line, which brings the result to full
        size itself as it writes it): the result stays at it, as it does when the full-size
        result would hold more than MAX_DECODED bytes. fps: the clip's rate (default: a
        Video's own, else the model's)."""
        fps = rate_of(video, fps)
        fps = float(self.meta["fps"]) if fps is None else fps  # 0 is refused below, not "unset"
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        window = self._window(None)
        check_factor(factor, window)
        if len(video) < 2:
            raise ValueError(f"interpolate needs a clip of 2 frames or more, got {len(video)}")
        check_raised_rate(fps, factor)
        t, h, w = video.shape[:3]
        hw = canvas or self.canvas(h, w)
        full = self._full(hw, ((t - 1) * factor + 1) * h * w * 3, canvas, notices, (h, w))
        clip = (
            fit_frames(video, *hw, crop=False) if full else self._fit(video, notices, "video", hw)
        )
        prompt = self.complete_prompt(prompt, clip[0], notices, complete)
        total = (len(clip) - 1) * factor + 1
        frames = np.zeros((total, *clip.shape[1:]), np.uint8)
        frames[::factor] = clip
        known = np.zeros(frames.shape[:3], bool)
        known[::factor] = True
        extra = {"factor": factor, "input_fps": fps}
        step = window - 1  # windows meet on an input frame: each holds whole gaps
        made = self._run(
            prompt,
            frames,
            known,
            "interpolate",
            notices,
            extra,
            fps=fps * factor,
            step=step,
            **opts,
        )
        if full:
            made.frames = gathered(between(video, made.frames, factor), len(made.frames))
            line = brought_line(hw, video.shape[1:])
            made.recipe["notices"] = _merge(made.recipe["notices"], [line])
        return made

    def morph(
        self,
        a: np.ndarray,
        b: np.ndarray,
        *,
        seconds: float | None = None,
        prompt: str = "",
        even: bool = True,
        smooth: float = MORPH_SMOOTH,
        fps: float | None = None,
        **opts: Any,
    ) -> Video:
        """A transition that starts exactly on a's last frame and ends on b's first, at the
        model's frame rate (fps: a's, for a notice when it differs).

        a and b are clips (T, H, W, 3); pass an image as a 1-frame clip. smooth: sigma in
        frames of a Gaussian over time on the made frames (known.smooth_time; 0 is off), so
        texture the model redraws in each frame does not flicker. even: replay the
        transition at an even pace of change (known.even_pace). The model changes the
        picture a latent frame (4 frames) at a time, so as made it jumps every 4 frames.
        The result has A's size (B's frame is cropped to its aspect): made at the working
        size, its frames are brought to A's, sharpened from both ends (`fullsize.sharpened`),
        and replayed at an even pace again there.
        """
        fps = rate_of(a, fps)
        notices: list[str] = []
        a, b = _clip_or_image(a, "A", notices), _clip_or_image(b, "B", notices)
        check_smooth(smooth)
        rate = float(self.meta["fps"])
        if fps is not None and abs(fps - rate) > 1e-6:
            notices.append(f"morph: made at the model's {rate:g} fps; A is at {fps:g} fps")
        want = int(self.meta["frames"]) if seconds is None else transition_frames(seconds, rate)
        n = frames_at_least(want, self.frame_step)
        if n != want:
            notices.append(
                f"morph: {want} frames rounded up to {n} (the model needs {self.frame_step}k+1)"
            )
        size = a.shape[1:3]  # (H, W): the result's, A's
        hw = self.canvas(*size)
        full = self._full(hw, n * a[-1].size, None, notices, size)
        if full:  # the ends at A's size, and at the working size for the model
            ends = np.concatenate([a[-1:], self._fit(b[:1], notices, "B", size)])
            first, last = fit_frames(ends, *hw, crop=False)
        else:
            first = self._fit(a[-1:], notices, "A", hw)[0]
            last = self._fit(b[:1], notices, "B", hw)[0]
        frames = np.zeros((n, *first.shape), np.uint8)
        frames[0], frames[-1] = first, last
        known = np.zeros(frames.shape[:3], bool)
        known[[0, -1]] = True
        clip = self.generate(
            prompt,
            known_video=frames,
            known=known,
            frames=n,
            height=hw[0],
            width=hw[1],
            task="morph",
            extra={"seconds": (n - 1) / rate, "smooth": smooth, "even": even, "notices": notices},
            **opts,
        )
        clip.frames = smooth_time(clip.frames, smooth)
        if even:
            clip.frames = even_pace(clip.frames)
        if full:  # each made frame sharpened from A's end as much as it is still A, and B's
            s = np.linspace(0, 1, n)[1:-1, None]  # (n - 2, 1): how far along
            out = np.empty((n, *ends.shape[1:]), np.uint8)
            out[0], out[-1] = ends
            sharpened(clip.frames[1:-1], list(ends), np.hstack([1 - s, s]), out=out[1:-1])
            clip.frames = out
            if even:  # again at full size, where the detail added changes the steps
                clip.frames = even_pace(clip.frames)
            clip.recipe["notices"] = _merge(clip.recipe["notices"], [brought_line(hw, size)])
        return clip

    def inpaint(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        mask: np.ndarray,
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Repaint the masked pixels (True = repaint; (T, H, W), or (H, W) for every frame);
        the mask may move over time. Every frame is kept, at the clip's rate: a Video's own,
        or `fps` for an array (default: the model's). The clip comes back at its own size:
        the model repaints at its working size and the region is put back into the input's frames
        (put_back), every other pixel kept. canvas: the size a caller already shrank the
        frames and the mask to (the command line, which puts the region back itself as it
        writes the result): the result stays at it."""
        opts["fps"] = rate_of(video, opts.get("fps"))
        notices: list[str] = []
        video, mask = as_clip(video, notices=notices), as_mask(mask, notices=notices)
        t, h, w = video.shape[:3]
        check_mask(mask, t, h, w)
        hw = canvas or self.canvas(h, w)
        clip = fit_frames(video, *hw, crop=False)
        small = np.broadcast_to(fit_mask(mask, *hw, crop=False), (t, *hw))  # (T, h, w)
        prompt = self.complete_prompt(prompt, clip[0], notices, complete)
        made = self._run(prompt, clip, ~small, "inpaint", notices, {}, **opts)
        if hw != (h, w):
            made.frames = put_back(video, made.frames, mask)
            line = put_back_line(hw, video.shape[1:])
            made.recipe["notices"] = _merge(made.recipe["notices"], [line])
        return made

    def placement(
        self, size: tuple[int, int], width: int, height: int, notices: list[str]
    ) -> Placement:
        """Where outpaint puts an input of size (h, w) on a width x height canvas: in the
        middle at its own size, scaled down only to leave room around it (with a notice).
        ValueError for a canvas out of bounds."""
        k = self.multiple
        if not (k <= width <= MAX_OUT_SIDE and k <= height <= MAX_OUT_SIDE):
            raise ValueError(
                f"--to must be WxH with sides from {k} to {MAX_OUT_SIDE}, got {width}x{height}"
            )
        hw = self.canvas(height, width)
        if max(hw) > MAX_SIDE:
            raise ValueError(
                f"--to {width}x{height} is too long and thin: the model would work at "
                f"{hw[1]}x{hw[0]}, over its {MAX_SIDE} a side"
            )
        vh, vw = size
        scale = min(1.0, width / vw, height / vh)
        if scale < 1.0 or (vw, vh) == (width, height):
            scale *= 0.75  # leave something to outpaint
            notices.append(f"video: scaled by {scale:.2f} to leave room around it")
        ih, iw = max(1, round(vh * scale)), max(1, round(vw * scale))
        return Placement(height, width, (height - ih) // 2, (width - iw) // 2, ih, iw, size)

    def outpaint(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        width: int,
        height: int,
        placed: Placement | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Grow the canvas to width x height around the video, which stays in the middle at
        its own size (scaled down only to leave room around it). The model makes the border
        at its working size, which is put back around the input's own pixels (put_back).
        Every frame is kept, at the clip's rate: a Video's own, or `fps` for an array.
        placed: the video is already placed so (`placement`) and shrunk to the working size
        (the command line, which puts the border back itself as it writes the result): the
        result stays at it."""
        opts["fps"] = rate_of(video, opts.get("fps"))
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        t = len(video)
        _number("width", width, whole=True)
        _number("height", height, whole=True)
        width, height = int(width), int(height)  # a numpy integer too
        where = placed or self.placement(video.shape[1:3], width, height, notices)
        hw = self.canvas(height, width)
        if placed is None and t * height * width * 3 > MAX_DECODED:
            raise ValueError(
                f"--to {width}x{height} for {t} frames would hold "
                f"{t * height * width * 3 / 2**30:.1f} GiB of frames; choose a smaller size "
                "or cut the clip shorter"
            )
        border = where.border()  # (H, W): the same in every frame
        if placed is None:
            frames = np.empty((t, height, width, 3), np.uint8)  # the output, filled in place
            for k, frame in enumerate(video):
                frames[k] = where.place(frame)
            small = fit_frames(frames, *hw, crop=False)
        elif video.shape[1:3] != hw:
            raise ValueError(f"placed frames must be at the working size {hw}, not {video.shape}")
        else:
            small = video
        inside = np.broadcast_to(~fit_mask(border, *hw, crop=False), (t, *hw))  # wholly input
        ys, xs = np.nonzero(inside[0])  # the input's own part: none when it is tiny
        if len(ys):
            own = small[0, ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            prompt = self.complete_prompt(prompt, own, notices, complete)
        extra = {"to": [width, height]}
        made = self._run(prompt, small, inside, "outpaint", notices, extra, **opts)
        if placed is None and hw != (height, width):
            made.frames = put_back(frames, made.frames, border, inplace=True)
            line = put_back_line(hw, frames.shape[1:])
            made.recipe["notices"] = _merge(made.recipe["notices"], [line])
        return made

    def cinemagraph(
        self,
        image: np.ndarray,
        prompt: str,
        *,
        region: np.ndarray | None = None,
        point: tuple[int, int] | None = None,
        to: tuple[int, int] | None = None,
        frames: int | None = None,
        start: float = 1.0,
        keep: bool = True,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Only the region (bool (H, W), True = may move) moves; the rest stays the image.

        Instead of a region, point (x, y) clicks the object (region_at), and to (x, y) drags
        the click where it should go, so the region holds the object's path.

        start: 1 samples the region from noise. Started from the still image (start < 1),
        the model leaves the object where it was: at 0.7 it moved as the prompt says in none
        of the eval's 12 items (docs/tasks.md). keep: the image's own object is moved as the
        model moved it (sprite.keep_look), so it keeps its look instead of the VAE's blur;
        where it cannot be cut out or followed, the model's pixels stay, with a notice."""
        read: list[str] = []  # what reading the inputs changed
        image = as_image(image, notices=read)
        region = None if region is None else as_mask(region, "the region", read)
        if region is not None and region.ndim == 3:
            region = region.any(axis=0)  # a mask clip: wherever it ever covers
        check_what_moves(region is not None, point, to)
        _check_xy("point", point)
        _check_xy("to", to)
        said: dict[str, Any] = {}
        if point is not None:
            region = region_at(image, *point, to=to)
            said = {"point": list(point), **({"to": list(to)} if to is not None else {})}
        assert region is not None
        if region.shape != image.shape[:2]:
            raise ValueError(
                f"the mask is {region.shape[1]}x{region.shape[0]} but the image is "
                f"{image.shape[1]}x{image.shape[0]}; make them match"
            )
        if not region.any():
            raise ValueError("the region is empty: mark what should move in white (over mid-grey)")
        check_frames(frames)
        notices = read
        hw = self.canvas(*image.shape[:2])
        img = fit_frames(image[None], *hw, crop=False)[0]
        m = fit_mask(region, *hw, crop=False)
        n = frames or self._window(None)
        prompt = self.complete_prompt(prompt, img, notices, complete)
        video = np.repeat(img[None], n, axis=0)
        known = np.repeat(~m[None], n, axis=0)
        known[0] = True
        extra = {"keep": keep, **said}
        clip = self._run(prompt, video, known, "cinemagraph", notices, extra, start=start, **opts)
        kept = None
        if keep:  # at the image's own size: its own object, sharp, moved as the model moved it
            big = np.stack([resize(f, *image.shape[:2]) for f in clip.frames])
            kept = keep_look(image, region, big)
            if kept is None:
                notices.append(
                    "cinemagraph: no single object to follow in the region; the model's "
                    "pixels are kept"
                )
        if hw != image.shape[:2]:
            notices.append(put_back_line(hw, image.shape))
            if kept is None:
                still = np.repeat(image[None], len(clip.frames), axis=0)
                moves = np.repeat(region[None], len(still), axis=0)
                moves[0] = False  # frame 0 is the image
                clip.frames = put_back(still, clip.frames, moves, inplace=True)
        if kept is not None:
            clip.frames = kept
        clip.recipe["notices"] = _merge(clip.recipe["notices"], notices)
        return clip

    def stylize(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        strength: float = 0.6,
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Video to video: keep the motion, change what the prompt changes. strength 0..1:
        how far the clip is noised before the model redraws it (1 = ignore the input).
        Every frame is kept, at the clip's rate: a Video's own, or `fps` for an array. The
        clip keeps its size: the model works at its working size and each frame is brought
        to the clip's, sharpened from the clip's own frame at that time (`fullsize.restyled`),
        so what the model left as it was keeps its detail. canvas: the size a caller already
        shrank the frames to (the command line, which brings the result to full size
        itself as it writes it): the result stays at it, as it does when the full-size
        result would hold more than MAX_DECODED bytes."""
        opts["fps"] = rate_of(video, opts.get("fps"))
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        check_strength(strength)
        t, h, w = video.shape[:3]
        hw = canvas or self.canvas(h, w)
        full = self._full(hw, video.nbytes, canvas, notices, (h, w))
        clip = (
            fit_frames(video, *hw, crop=False) if full else self._fit(video, notices, "video", hw)
        )
        known = np.zeros(clip.shape[:3], bool)
        prompt = self.complete_prompt(prompt, clip[0], notices, complete)
        made = self._run(
            prompt, clip, known, "stylize", notices, {}, init=clip, strength=strength, **opts
        )
        if full:
            made.frames = gathered(restyled(video, made.frames), t)
            made.recipe["notices"] = _merge(made.recipe["notices"], [restyled_line(hw, (h, w))])
        return made


def retime(seq: np.ndarray, step: float, count: int) -> np.ndarray:
    """Frames at positions step, 2 step, ..., count step along seq (T, H, W, 3), a clip whose
    frames are 1 apart; between two frames, along their optical flow (flow_between). Past
    the last frame, the last frame. uint8 (count, H, W, 3)."""
    from .eval.metrics import flow_between

    at = np.minimum(np.arange(1, count + 1) * step, len(seq) - 1)
    out = np.empty((count, *seq.shape[1:]), np.uint8)
    for i in np.unique(np.minimum(np.floor(at).astype(int), len(seq) - 2)):
        mine = np.flatnonzero(np.minimum(np.floor(at).astype(int), len(seq) - 2) == i)
        out[mine] = flow_between(seq[i], seq[i + 1], at[mine] - i)
    return out


def put_back_line(hw: tuple[int, int], shape: tuple[int, ...]) -> str:
    """The notice of a verb that made its region at the working size hw and put it back
    into the original frames, of shape (H, W, ...), which keep their size."""
    return (
        f"made at {hw[1]}x{hw[0]}, the model's working size, and put back into the "
        f"{shape[1]}x{shape[0]} frames; every other pixel is the input's"
    )


def brought_line(hw: tuple[int, int], shape: tuple[int, ...]) -> str:
    """The notice of a verb that made new frames at the working size hw and brought them
    to its input's size, shape (H, W, ...), keeping the input's own frames."""
    return (
        f"made at {hw[1]}x{hw[0]}, the model's working size, and brought to the input's "
        f"{shape[1]}x{shape[0]}; its own frames are kept as they are"
    )


def restyled_line(hw: tuple[int, int], shape: tuple[int, ...]) -> str:
    """The notice of stylize, made at the working size hw and brought to its input's size,
    shape (H, W, ...), with the input's detail where the model kept the picture."""
    return (
        f"made at {hw[1]}x{hw[0]}, the model's working size, and brought to the input's "
        f"{shape[1]}x{shape[0]}, its own detail kept where the model kept the picture"
    )


def _merge(*notices: list[str]) -> list[str]:
    """Notice lists joined, each line once, in order."""
    return list(dict.fromkeys(line for lines in notices for line in lines))


def check_frames(frames: int | None) -> None:
    """frames for animate and cinemagraph: None (one window) or 2 or more."""
    if frames is not None:
        _number("frames", frames, whole=True)
    if frames is not None and frames < 2:
        raise ValueError(f"--frames must be 2 or more, got {frames}")


def window_starts(total: int, win: int, step: int | None = None) -> list[int]:
    """Start frames of windows that cover 0..total, each overlapping the last by a quarter
    window (rounded to the model's 4-frame latents), or step frames apart; the last one
    ends at the clip's end."""
    if total <= win:
        return [0]
    step = step or max(4, (win - 1) * 3 // 4 // 4 * 4)
    starts = list(range(0, total - win, step))
    return [*starts, total - win]
