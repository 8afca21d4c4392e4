"""Made frames brought back to the input's own size.

The model works at its working canvas (about 64 x 64 pixels for the shipped one); a
film-maker's clip is larger. The verbs that keep the user's own frames give the result at
the input's size: its frames as they are, and each made frame resized up, sharpened from the
input's own pixels where they can be carried onto it:

- `sharpened`: extend, animate and morph. A source frame (the clip's last frame, the image,
  morph's two ends) is warped onto each made frame along DIS flow, and its pixels are taken
  wherever the warp agrees with the made frame at the working size (within SHARP_TOL), so a
  still or panning background, and an object the flow follows, keep their detail.
- `full_size_between`: interpolate, whose made frames lie between two input frames.

Arrays: frames uint8 (T, H, W, 3) at full size, (T, h, w, 3) at the working size.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def sharpened(
    made: np.ndarray,
    sources: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    tol: float = SHARP_TOL,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Made frames (n, h, w, 3) at the sources' size (H, W), each resized up (cubic), then
    sharpened from the sources: source j, a frame (H, W, 3), is warped onto made frame k along
    DIS flow found at the working size, and replaces it by weights[k, j] times how well the
    two agree there (1 when equal, 0 at tol grey levels apart). weights (n, len(sources)),
    each row summing to at most 1; by default all 1 for a single source. uint8 (n, H, W, 3),
    written into out when given (a view of a larger clip: no copy of the result)."""
    from .eval.metrics import dis_flow

    n, h, w = made.shape[:3]
    fh, fw = sources[0].shape[:2]
    wts = np.ones((n, 1), np.float32) if weights is None else np.asarray(weights, np.float32)
    small = [resize(s, h, w) for s in sources]  # (h, w, 3) each
    ys, xs = np.mgrid[0:fh, 0:fw].astype(np.float32)  # (H, W) each
    out = np.empty((n, fh, fw, 3), np.uint8) if out is None else out
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
        out[k] = np.clip(np.rint(acc), 0, 255).astype(np.uint8)
    return out


def full_size_between(
    video: np.ndarray, small: np.ndarray, factor: int, made: np.ndarray
) -> np.ndarray:
    """An interpolation made at the working size, at the input's own size. video (n, H, W,
    3) holds the input frames, small (T, h, w, 3) them at the working size every factor-th
    frame (T = (n - 1) factor + 1), made (T, h, w, 3) the result. Each input frame is kept
    as it is; each made frame is start_guess's interpolation between the input frames
    around it made at full size (along DIS flow, or a blend across a cut), except the
    pixels where made is not that guess, the model's own redraw, which are taken from made
    resized. uint8 (T, H, W, 3)."""
    from .eval.metrics import blend_interpolate, dis_flow, flow_interpolate
    from .known import same_shot, start_guess

    known = np.zeros(small.shape[:3], bool)
    known[::factor] = True
    redrawn = (made != start_guess(small, known)).any(axis=-1) & ~known  # (T, h, w)
    t, (fh, fw) = len(made), video.shape[1:3]
    out = np.empty((t, fh, fw, 3), np.uint8)
    out[::factor] = video
    for i in range(len(video) - 1):
        a, b = video[i], video[i + 1]
        gap = slice(i * factor + 1, (i + 1) * factor)
        if same_shot(small[i * factor], small[(i + 1) * factor]):
            out[gap] = flow_interpolate(a, b, factor - 1, dis_flow)
        else:  # a cut: blended, as start_guess does
            out[gap] = blend_interpolate(a, b, factor - 1)
    for k in np.flatnonzero(redrawn.any(axis=(1, 2))):
        grown = cv2.resize(redrawn[k].astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR)
        inside = grown > 0  # (H, W): every pixel a redrawn one touches
        out[k][inside] = resize(made[k], fh, fw)[inside]
    return out
