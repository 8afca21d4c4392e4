"""Made frames brought back to the input's own size.

The model works at its working canvas (about 64 x 64 pixels for the shipped one); a
film-maker's clip is larger. The verbs that keep the user's own frames give the result at
the input's size: its frames as they are, and each made frame resized up, sharpened from the
input's own pixels where they can be carried onto it:

- `sharpen_each`: extend, animate and morph. A source frame (the clip's last frame, the
  image, morph's two ends) is warped onto each made frame along DIS flow, and its pixels are
  taken wherever the warp agrees with the made frame at the working size (within SHARP_TOL),
  so a still or panning background, and an object the flow follows, keep their detail.
- `between`: interpolate, whose made frames lie between two input frames.
- `restyled`: stylize, each made frame sharpened from the input's frame at the same time.

`extended`, `between` and `restyled` give the result a frame at a time and read the input's
frames as they need them, so the command line streams a result of any length from the
input file to the output file at full size, holding the working-size result and a few
full-size frames in memory.

Arrays: frames uint8 (T, H, W, 3) at full size, (T, h, w, 3) at the working size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import cv2
import numpy as np

# Grey levels (0-255, mean over RGB) at the working size by which a warped source pixel may
# differ from the made frame and still be taken, fading linearly to none at this value.
# Chosen on extend items 12 to 19 of the eval's task set at 256 px, which the eval does not
# use: 8, 16 and 32 gave 25.57, 25.60 and 25.52 dB on the new frames (resized up alone:
# 25.40); no gate at all, 22.87 (benchmarks/sharpen.py, docs/tasks.md).
SHARP_TOL = 16.0


def resize(frame: np.ndarray, h: int, w: int) -> np.ndarray:
    """One frame (H, W, C) resized to h x w: area-averaged down, cubic up."""
    if frame.shape[:2] == (h, w):
        return frame
    interp = cv2.INTER_AREA if frame.shape[0] > h else cv2.INTER_CUBIC
    return cv2.resize(np.ascontiguousarray(frame), (w, h), interpolation=interp)


def sharpen_each(
    made: np.ndarray,
    sources: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    tol: float = SHARP_TOL,
) -> Iterator[np.ndarray]:
    """Made frames (n, h, w, 3), one at a time at the sources' size (H, W): each resized up
    (cubic), then sharpened from the sources: source j, a frame (H, W, 3), is warped onto
    made frame k along DIS flow found at the working size, and replaces it by weights[k, j]
    times how well the two agree there (1 when equal, 0 at tol grey levels apart). weights
    (n, len(sources)), each row summing to at most 1; by default all 1 for a single source.
    Yields uint8 (H, W, 3)."""
    from .eval.metrics import dis_flow

    n, h, w = made.shape[:3]
    fh, fw = sources[0].shape[:2]
    wts = np.ones((n, 1), np.float32) if weights is None else np.asarray(weights, np.float32)
    small = [resize(s, h, w) for s in sources]  # (h, w, 3) each
    ys, xs = np.mgrid[0:fh, 0:fw].astype(np.float32)  # (H, W) each
    for k in range(n):
        base = resize(made[k], fh, fw).astype(np.float32)  # (H, W, 3)
        acc = base.copy()
        for j, src in enumerate(sources):
            if wts[k, j] <= 0:
                continue
            flow = dis_flow(made[k], small[j])  # (h, w, 2): made(x) ~ source(x + flow)
            big = cv2.resize(flow, (fw, fh), interpolation=cv2.INTER_LINEAR)  # (H, W, 2)
            mx, my = xs + big[..., 0] * (fw / w), ys + big[..., 1] * (fh / h)
            warped = cv2.remap(src, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            miss = np.abs(resize(warped, h, w).astype(np.float32) - made[k]).mean(-1)  # (h, w)
            agree = np.clip(1 - miss / tol, 0, 1) * wts[k, j]
            take = cv2.resize(agree, (fw, fh), interpolation=cv2.INTER_LINEAR)[..., None]
            acc += take * (warped.astype(np.float32) - base)
        yield np.clip(np.rint(acc), 0, 255).astype(np.uint8)


def sharpened(
    made: np.ndarray,
    sources: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    tol: float = SHARP_TOL,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """sharpen_each's frames gathered: uint8 (n, H, W, 3), written into out when given (a
    view of a larger clip: no copy of the result)."""
    fh, fw = sources[0].shape[:2]
    out = np.empty((len(made), fh, fw, 3), np.uint8) if out is None else out
    for k, frame in enumerate(sharpen_each(made, sources, weights, tol)):
        out[k] = frame
    return out


def extended(
    own: Iterable[np.ndarray], new: np.ndarray, backward: bool, first: np.ndarray | None = None
) -> Iterator[np.ndarray]:
    """An extension at the clip's own size, a frame at a time in play order: the clip's
    own frames (own: full size, in play order, read as they are needed) as they are, and
    the new frames (new (n, h, w, 3) at the working size, in play order) sharpened from
    the clip's frame next to them: its last, or backward its first (first: given, as the
    new frames come before own)."""
    if backward:
        if first is None:
            raise ValueError("extended backward needs the clip's first frame")
        yield from sharpen_each(new, [first])
        yield from own
        return
    last = None
    for frame in own:
        last = frame
        yield frame
    if last is None:
        raise ValueError("extended needs a clip of one frame or more")
    yield from sharpen_each(new, [last])


def between(frames: Iterable[np.ndarray], made: np.ndarray, factor: int) -> Iterator[np.ndarray]:
    """An interpolation made at the working size, at the input's own size, a frame at a
    time. frames: the input's frames (H, W, 3), read as they are needed; made (T, h, w, 3)
    the result, the input's frames at the working size every factor-th frame (T = (n - 1)
    factor + 1). Each input frame is kept as it is; each made frame is start_guess's
    interpolation between the input frames around it made at full size (along DIS flow,
    or a blend across a cut), except the pixels where made is not that guess, the model's
    own redraw, which are taken from made resized. Yields uint8 (H, W, 3)."""
    from .eval.metrics import blend_interpolate, dis_flow, flow_interpolate
    from .known import same_shot, start_guess

    known = np.zeros(made.shape[:3], bool)
    known[::factor] = True
    redrawn = (made != start_guess(made, known)).any(axis=-1) & ~known  # (T, h, w)
    prev = None
    for i, frame in enumerate(frames):
        if i * factor >= len(made):
            raise ValueError(f"more input frames than the {len(made)} made frames hold")
        if prev is not None:
            a, b = (i - 1) * factor, i * factor
            fh, fw = frame.shape[:2]
            if same_shot(made[a], made[b]):
                gap = flow_interpolate(prev, frame, factor - 1, dis_flow)
            else:  # a cut: blended, as start_guess does
                gap = blend_interpolate(prev, frame, factor - 1)
            for k, out in zip(range(a + 1, b), gap, strict=True):
                if redrawn[k].any():
                    grown = cv2.resize(
                        redrawn[k].astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR
                    )
                    inside = grown > 0  # (H, W): every pixel a redrawn one touches
                    out[inside] = resize(made[k], fh, fw)[inside]
                yield out
        yield frame
        prev = frame


def restyled(frames: Iterable[np.ndarray], made: np.ndarray) -> Iterator[np.ndarray]:
    """A stylized clip at the input's own size, a frame at a time: each made frame (made
    (T, h, w, 3) at the working size) sharpened from the input's frame at the same time
    (frames: full size, read as they are needed), so what the model left as it was keeps
    the input's detail and what it changed is its own, resized up."""
    for k, frame in enumerate(frames):
        yield from sharpen_each(made[k : k + 1], [frame])


def gathered(frames: Iterable[np.ndarray], n: int) -> np.ndarray:
    """n frames (H, W, 3) from an iterator, held in one uint8 array (n, H, W, 3)."""
    out: np.ndarray | None = None
    k = -1
    for k, frame in enumerate(frames):
        if out is None:
            out = np.empty((n, *frame.shape), np.uint8)
        out[k] = frame
    if out is None or k != n - 1:
        raise ValueError(f"expected {n} frames, got {k + 1}")
    return out
