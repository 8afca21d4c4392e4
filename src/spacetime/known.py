"""What the pipeline does with known pixels around the model: the classical guess sampling
starts from, and the fixes applied to the model's decoded output before the known pixels
are put back exactly (colour anchor, detail add-back, seam correction).

Videos are (T, H, W, 3), uint8 or float in 0..255; known is bool (T, H, W).
"""

from __future__ import annotations

import cv2
import numpy as np


def _neighbours(known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every pixel and frame, the nearest frame at or before it and at or after it where
    that pixel is known: int (T, H, W) each, -1 and T where there is none."""
    t = len(known)
    idx = np.arange(t)[:, None, None]
    prev = np.maximum.accumulate(np.where(known, idx, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(known, idx, t)[::-1], axis=0)[::-1]
    return prev, nxt


def _at(v: np.ndarray, i: np.ndarray) -> np.ndarray:
    """v[i[t, y, x], y, x] for every t, y, x: v (T, H, W, 3), i int (T, H, W)."""
    return np.take_along_axis(v, np.repeat(i.clip(0, len(v) - 1)[..., None], 3, -1), axis=0)


def colour_anchor(video: np.ndarray, target: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Per-channel y = a x + b fitted from video to target on the known pixels, applied to
    all of video (float (T, H, W, 3) in 0..255). Too few known pixels: video unchanged."""
    if known.sum() < 0.01 * known.size:
        return video
    x, y = video[known].astype(np.float64), target[known].astype(np.float64)  # (N, 3)
    out = video.copy()
    for c in range(3):
        dx, dy = x[:, c] - x[:, c].mean(), y[:, c] - y[:, c].mean()
        var = float((dx * dx).mean())
        a = 1.0 if var < 1.0 else float(np.clip((dx * dy).mean() / var, 0.5, 2.0))
        b = y[:, c].mean() - a * x[:, c].mean()
        out[..., c] = a * video[..., c] + b
    return out


def guess_from_known(video: np.ndarray, known: np.ndarray) -> np.ndarray:
    """A classical fill of the unknown pixels of video (T, H, W, 3) given known (T, H, W):
    each pixel blends linearly in time between its nearest known frames before and after, or
    holds the one it has. Pixels never known in any frame stay as they are in video."""
    t = len(known)
    idx = np.arange(t)[:, None, None]
    prev, nxt = _neighbours(known)
    v = video.astype(np.float32)
    a, b = _at(v, prev), _at(v, nxt)
    has_a, has_b = (prev >= 0)[..., None], (nxt < t)[..., None]
    w = ((idx - prev) / np.maximum(nxt - prev, 1))[..., None].astype(np.float32)
    out = np.where(has_a & has_b, (1 - w) * a + w * b, np.where(has_a, a, np.where(has_b, b, v)))
    return out.round().clip(0, 255).astype(np.uint8)


def start_guess(video: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Where sampling starts for a task with known pixels: guess_from_known, with pixels never
    known in any frame painted in from their surroundings (OpenCV Telea, frame by frame)."""
    out = guess_from_known(video, known)
    never = (~known.any(axis=0)).astype(np.uint8) * 255  # (H, W)
    if never.any() and known.any():
        paint = cv2.INPAINT_TELEA
        out = np.stack([cv2.inpaint(np.ascontiguousarray(f), never, 3, paint) for f in out])
    return out


def seam_correct(
    video: np.ndarray, known_video: np.ndarray, known: np.ndarray, reach: int = 4
) -> np.ndarray:
    """Carry the model's miss at the known pixels (known - video) into the frames around
    them, so made frames meet the kept ones without a jump: between two frames where a pixel
    is known the miss blends linearly from one to the other; beyond the last (or before the
    first) it fades to nothing over reach frames. Returns float video (T, H, W, 3)."""
    t = len(known)
    idx = np.arange(t)[:, None, None]
    prev, nxt = _neighbours(known)
    miss = np.where(known[..., None], known_video.astype(np.float32) - video, 0.0)
    has_a, has_b = prev >= 0, nxt < t
    span = np.maximum(nxt - prev, 1)
    fade_a = np.clip(1 - (idx - prev) / reach, 0, 1)
    fade_b = np.clip(1 - (nxt - idx) / reach, 0, 1)
    wa = np.where(has_a & has_b, (nxt - idx) / span, np.where(has_a, fade_a, 0.0))
    wb = np.where(has_a & has_b, (idx - prev) / span, np.where(has_b, fade_b, 0.0))
    wa = np.where(known, 1.0, wa).astype(np.float32)[..., None]
    wb = np.where(known, 0.0, wb).astype(np.float32)[..., None]
    return video + wa * _at(miss, prev) + wb * _at(miss, nxt)


def keep_known(
    video: np.ndarray,
    known_video: np.ndarray,
    known: np.ndarray,
    anchor: bool,
    seam: bool = True,
) -> np.ndarray:
    """A model's output float (T, H, W, 3) with the known pixels put back exactly; with
    anchor, first the colour_anchor fitted on them; with seam, then seam_correct."""
    if anchor:
        video = colour_anchor(video, known_video, known)
    if seam:
        video = seam_correct(video, known_video, known)
    return np.where(known[..., None], known_video, video.round().clip(0, 255))


def agreement(video: np.ndarray, round_trip: np.ndarray, tol: float = 12.0) -> np.ndarray:
    """Where the model's decoded output (T, H, W, 3) matches the VAE round trip of the guess:
    bool (T, H, W), shrunk by a pixel so no halo is left where the model moved something.
    Detail is added back only there; elsewhere the model made something new."""
    close = (np.abs(video - round_trip).max(axis=-1) < tol).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    return np.stack([cv2.erode(f, kernel) for f in close]).astype(bool)
