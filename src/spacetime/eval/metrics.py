"""Video-quality and reconstruction metrics, and classical baselines, without pretrained networks.

Clips are uint8 RGB arrays of shape (T, H, W, 3); single frames are (H, W, 3). Metrics return
Python floats (or small dicts / tuples of them).

* :func:`temporal_flicker` VBench "temporal flickering" (Huang et al., 2024): 1 - mean |I_t+1 - I_t|
  / 255. VBench scores it on static-scene videos only; we apply it to any clip, so camera or
  object motion also lowers the score.
* :func:`warping_error` flow-warping error with the forward-backward occlusion check of Sundaram
  et al. (2010) / Ruder et al. (2016), as used by Lai et al. (2018) for temporal consistency.
* :func:`dynamic_degree` VBench "dynamic degree" with Farneback flow in place of RAFT.
* :func:`psnr`, :func:`ssim` (Wang et al., 2004, Gaussian window sigma 1.5).
* :func:`permanence` object permanence from an analyser's tracks.
* Baselines for restoring hidden content: :func:`blend_interpolate`, :func:`flow_interpolate`
  (Farneback flow by default, :func:`dis_flow` on request),
  :func:`opencv_inpaint`, :func:`extrapolate_track`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import cv2
import numpy as np

__all__ = [
    "blend_interpolate",
    "dis_flow",
    "dynamic_degree",
    "extrapolate_track",
    "flow_between",
    "flow_interpolate",
    "flow_warps",
    "opencv_inpaint",
    "optical_flow",
    "permanence",
    "psnr",
    "ssim",
    "temporal_flicker",
    "warping_error",
]

Flow = Callable[[np.ndarray, np.ndarray], np.ndarray]  # frames a, b -> (H, W, 2)
# DIS's short side: chosen on 24 interpolation items the eval does not use, over 128 to 512
# (6x for the world's 64 px frames; 5x and 7x were 1 to 2 dB worse, docs/tasks.md)
DIS_MIN_SIDE = 384
FLOW_MIN_SIDE = 128  # frames with a shorter side are upscaled by an integer factor for Farneback
# Farneback runs on 8-bit grey levels as they are, with wide windows (see optical_flow): tuned
# so that two identical frames of any world background give ~0 flow. Known limit: a pan over
# the fine grass or smooth sea texture is measured at a fraction of its speed (object edges,
# stars and the checkered floor are measured right).
PSNR_MAX = 99.0  # PSNR reported for identical inputs
SSIM_C1 = (0.01 * 255) ** 2
SSIM_C2 = (0.03 * 255) ** 2
SSIM_SIGMA = 1.5
SSIM_WIN = 11  # Gaussian window size (Wang et al.)
DYN_FPS = 8.0  # VBench samples frame pairs at about this rate
DYN_THRESHOLD = 6.0  # VBench's flow threshold for a 256-pixel short side


def _clip(frames: np.ndarray, name: str = "frames") -> np.ndarray:
    """Check a (T, H, W, 3) clip and return it as an ndarray."""
    arr = np.asarray(frames)
    if arr.ndim != 4 or arr.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (T, H, W, 3), got {arr.shape}")
    return arr


def _frame(img: np.ndarray, name: str) -> np.ndarray:
    """Check an (H, W, 3) frame and return it as an ndarray."""
    arr = np.asarray(img)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (H, W, 3), got {arr.shape}")
    return arr


def _same_shape(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch: {a.shape} vs {b.shape}; inputs must match exactly")
    if a.ndim not in (3, 4) or a.shape[-1] != 3:
        raise ValueError(f"expected (T, H, W, 3) or (H, W, 3) arrays, got {a.shape}")
    return a, b


# --- temporal quality -----------------------------------------------------------------------


def temporal_flicker(frames: np.ndarray) -> float:
    """VBench temporal-flickering score: (255 - mean |I_{t+1} - I_t|) / 255, 1.0 = no change.

    The mean runs over all consecutive pairs, pixels and channels on the 0..255 scale. VBench
    only scores static-scene videos; here any clip is scored, so real motion also counts as
    flicker. A single-frame clip scores 1.0.
    """
    x = _clip(frames).astype(np.int16)  # (T, H, W, 3)
    if len(x) < 2:
        return 1.0
    mad = float(np.abs(np.diff(x, axis=0)).mean())
    return (255.0 - mad) / 255.0


def _grey_pair(
    a: np.ndarray, b: np.ndarray, side: int = FLOW_MIN_SIDE
) -> tuple[np.ndarray, np.ndarray, int]:
    """Frames a and b (H, W, 3) as 8-bit grey levels for a flow, upscaled (bicubic) by the
    integer factor k that brings a short side below side up to it: (kH, kW) each, and k."""
    a, b = _frame(a, "a"), _frame(b, "b")
    _same_shape(a, b)
    h, w = a.shape[:2]
    k = max(1, math.ceil(side / min(h, w)))
    ga, gb = (
        cv2.cvtColor(np.ascontiguousarray(x, np.uint8), cv2.COLOR_RGB2GRAY) for x in (a, b)
    )  # (H, W) uint8
    if k > 1:
        ga = cv2.resize(ga, (w * k, h * k), interpolation=cv2.INTER_CUBIC)  # (kH, kW)
        gb = cv2.resize(gb, (w * k, h * k), interpolation=cv2.INTER_CUBIC)
    return ga, gb, k


def _scaled_back(flow: np.ndarray, k: int) -> np.ndarray:
    """A flow (kH, kW, 2) of upscaled frames, area-averaged back to (H, W, 2) pixels."""
    if k > 1:
        h, w = flow.shape[0] // k, flow.shape[1] // k
        flow = cv2.resize(flow, (w, h), interpolation=cv2.INTER_AREA) / k
    return flow.astype(np.float32)


def optical_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense Farneback flow from frame ``a`` to ``b``: (H, W, 2) float32, (dx, dy) in pixels.

    ``b(x + flow(x)) ~ a(x)``. Runs on 8-bit grey levels (see the note at FLOW_MIN_SIDE).
    Frames with a short side below 128 are upscaled (bicubic) by an integer factor first
    (Farneback is weak on tiny frames) and the flow is area-averaged back and divided by it.
    Parameters: pyr_scale 0.5, levels 3, winsize max(5, upscaled H // 6) made odd, 5
    iterations, poly_n 5, poly_sigma 1.1: with a window of H // 8 and 3 iterations, two
    identical frames of the world's grass gave 4 px of flow.
    """
    ga, gb, k = _grey_pair(a, b)
    win = max(5, ga.shape[0] // 6) | 1  # odd
    flow = cv2.calcOpticalFlowFarneback(
        ga,
        gb,
        None,
        pyr_scale=0.5,
        levels=3,
        winsize=win,
        iterations=5,
        poly_n=5,
        poly_sigma=1.1,
        flags=0,
    )  # (kH, kW, 2)
    return _scaled_back(flow, k)


def dis_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dense inverse search flow (Kroeger et al., 2016; OpenCV's DISOpticalFlow, medium
    preset) from ``a`` to ``b``: (H, W, 2) float32, as optical_flow, on grey levels upscaled to
    a short side of DIS_MIN_SIDE. Its coarse-to-fine patch search follows a small object that
    moves further than its own size between the two frames, where Farneback loses it or
    moves it backwards."""
    ga, gb, k = _grey_pair(a, b, DIS_MIN_SIDE)
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    return _scaled_back(dis.calc(ga, gb, None), k)


def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinate grids (H, W) float32: xs, ys."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return xs, ys


def _warp(img: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward warp: out(x) = img(x + flow(x)), bilinear, border replicated. Keeps dtype."""
    h, w = flow.shape[:2]
    xs, ys = _grid(h, w)
    flow = flow.astype(np.float32)
    return cv2.remap(
        img,
        xs + flow[..., 0],
        ys + flow[..., 1],
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def warping_error(frames: np.ndarray) -> float:
    """Mean flow-warping error (0..255, lower is better; 0 for a still clip).

    For each pair (t, t+1): backward flow f_bw (t+1 -> t) warps frame t onto t+1; the error is
    the mean |warped - I_{t+1}| over channels and over the pixels x of frame t+1 that pass the
    forward-backward check of Sundaram et al. / Ruder et al.,
    |f_bw(x) + f_fw(x + f_bw(x))|^2 < 0.01 (|f_bw(x)|^2 + |f_fw(x + f_bw(x))|^2) + 0.5,
    and whose source x + f_bw(x) lies inside frame t. Pairs are averaged. (If no pixel of a
    pair passes, all of its pixels count.)
    """
    x = _clip(frames)
    if len(x) < 2:
        return 0.0
    h, w = x.shape[1:3]
    gx, gy = _grid(h, w)
    errs = []
    for t in range(len(x) - 1):
        cur, nxt = x[t], x[t + 1]
        f_bw = optical_flow(nxt, cur)  # (H, W, 2), on frame t+1's pixels
        f_fw = optical_flow(cur, nxt)  # (H, W, 2), on frame t's pixels
        warped = _warp(cur, f_bw).astype(np.float32)  # (H, W, 3)
        f_fw_at = _warp(f_fw, f_bw)  # forward flow sampled at x + f_bw(x)
        s = f_bw + f_fw_at
        ok = (s**2).sum(-1) < 0.01 * ((f_bw**2).sum(-1) + (f_fw_at**2).sum(-1)) + 0.5
        sx, sy = gx + f_bw[..., 0], gy + f_bw[..., 1]
        ok &= (sx >= 0) & (sx <= w - 1) & (sy >= 0) & (sy <= h - 1)  # (H, W)
        diff = np.abs(warped - nxt.astype(np.float32)).mean(-1)  # (H, W)
        errs.append(float(diff[ok].mean()) if ok.any() else float(diff.mean()))
    return float(np.mean(errs))


def dynamic_degree(frames: np.ndarray, fps: float) -> tuple[bool, float]:
    """VBench dynamic degree with Farneback instead of RAFT: (is_dynamic, mean score in pixels).

    Frames are sampled every ``max(1, round(fps / 8))`` frames; each consecutive sampled pair
    scores the mean of its top 5% flow magnitudes. The clip is dynamic when at least
    ``max(1, round(4 * n_pairs / 16))`` pairs exceed ``6 * min(H, W) / 256`` pixels (VBench's
    threshold 6 is for a 256-pixel short side). Unlike VBench, every pair counts (VBench skips
    the last two scores) and ``n_pairs`` rather than the frame count sets the count.
    """
    x = _clip(frames)
    h, w = x.shape[1:3]
    step = max(1, round(fps / DYN_FPS))
    sampled = x[::step]  # (S, H, W, 3)
    if len(sampled) < 2:
        return False, 0.0
    cut = max(1, int(h * w * 0.05))
    scores = []
    for a, b in itertools.pairwise(sampled):
        mag = np.linalg.norm(optical_flow(a, b), axis=-1).ravel()  # (H*W,)
        scores.append(float(np.sort(mag)[-cut:].mean()))
    thres = DYN_THRESHOLD * min(h, w) / 256.0
    count_num = max(1, round(4 * len(scores) / 16))
    moving = sum(s > thres for s in scores)
    return bool(moving >= count_num), float(np.mean(scores))


# --- reconstruction -------------------------------------------------------------------------


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB, 10 log10(255^2 / MSE) over all values; 99.0 if equal."""
    a, b = _same_shape(a, b)
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    if mse == 0:
        return PSNR_MAX
    return min(PSNR_MAX, 10.0 * math.log10(255.0**2 / mse))


def _ssim_plane(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM of two (H, W) float64 planes (Wang et al. 2004, Gaussian window)."""

    def blur(z: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(z, (SSIM_WIN, SSIM_WIN), SSIM_SIGMA)

    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    num = (2 * mx * my + SSIM_C1) * (2 * cxy + SSIM_C2)
    den = (mx * mx + my * my + SSIM_C1) * (vx + vy + SSIM_C2)
    smap = num / den  # (H, W)
    pad = SSIM_WIN // 2
    if smap.shape[0] > 2 * pad and smap.shape[1] > 2 * pad:
        smap = smap[pad:-pad, pad:-pad]  # 'valid' region, as in Wang's reference code
    return float(smap.mean())


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM over frames and channels (11x11 Gaussian window, sigma 1.5, C1, C2 standard).

    Each (H, W) channel plane is compared; the SSIM map is averaged over its valid region (the
    border of half a window is dropped when the frame is large enough). Identical inputs give 1.
    """
    a, b = _same_shape(a, b)
    a = a.reshape(-1, *a.shape[-3:]).astype(np.float64)  # (T, H, W, 3)
    b = b.reshape(-1, *b.shape[-3:]).astype(np.float64)
    vals = [
        _ssim_plane(fa[..., c], fb[..., c]) for fa, fb in zip(a, b, strict=True) for c in range(3)
    ]
    return float(np.mean(vals))


def permanence(track_frames: Sequence[Sequence[int]], num_frames: int) -> dict:
    """Object permanence from tracks (each: the frame indices where one object was seen).

    Objects in our world never leave the view, so any vanishing or appearing is a generator
    error. Returns ``{"vanished", "appeared", "gaps", "ok"}``:

    * vanished: tracks seen at the start (first index <= 1) whose last index < num_frames - 2;
    * appeared: tracks whose first index > 1 (spawned mid-clip, e.g. a split);
    * gaps: tracks missing for more than 2 consecutive frames somewhere inside;
    * ok: vanished == 0 and appeared == 0.
    Empty tracks are ignored.
    """
    vanished = appeared = gaps = 0
    for tr in track_frames:
        idx = sorted(set(int(i) for i in tr))
        if not idx:
            continue
        if idx[0] <= 1 and idx[-1] < num_frames - 2:
            vanished += 1
        if idx[0] > 1:
            appeared += 1
        if len(idx) > 1 and int(np.max(np.diff(idx))) - 1 > 2:
            gaps += 1
    return {
        "vanished": vanished,
        "appeared": appeared,
        "gaps": gaps,
        "ok": vanished == 0 and appeared == 0,
    }


# --- classical baselines --------------------------------------------------------------------


def blend_interpolate(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """n in-between frames by linear cross-fade, (1 - t) a + t b for t = k / (n + 1), k = 1..n.

    Returns uint8 (n, H, W, 3).
    """
    a, b = _same_shape(_frame(a, "a"), _frame(b, "b"))
    fa, fb = a.astype(np.float32), b.astype(np.float32)
    out = [(1 - t) * fa + t * fb for t in np.arange(1, n + 1) / (n + 1)]
    return np.clip(np.rint(np.array(out).reshape(n, *a.shape)), 0, 255).astype(np.uint8)


def flow_interpolate(a: np.ndarray, b: np.ndarray, n: int, flow: Flow | None = None) -> np.ndarray:
    """n in-between frames by optical flow (default optical_flow, Farneback); uint8 (n, H, W, 3).

    With F01 = flow(a -> b) and F10 = flow(b -> a), the flows from time t to the two ends are
    approximated as in Super SloMo (Jiang et al., 2018), i.e. using the flows sampled at the
    target pixel rather than splatting: F_t0 = -(1-t) t F01 + t^2 F10 (roughly -t F01, warping
    ``a`` forward by t) and F_t1 = (1-t)^2 F01 - t (1-t) F10 (roughly (1-t) F01 back from ``b``).
    The two backward warps are blended with weights (1-t, t); occlusions are not modelled.
    """
    return flow_between(a, b, np.arange(1, n + 1) / (n + 1), flow)


def flow_warps(
    a: np.ndarray, b: np.ndarray, ts: np.ndarray, flow: Flow | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The two warps flow_between blends at each fraction t of ts: ``a`` carried forward to
    t and ``b`` carried back to it, float32 (len(ts), H, W, 3) each. Where they differ, the
    flow is unsure (an occlusion, or an object it lost)."""
    a, b = _same_shape(_frame(a, "a"), _frame(b, "b"))
    fn = flow or optical_flow
    f01, f10 = fn(a, b), fn(b, a)  # (H, W, 2)
    fa, fb = a.astype(np.float32), b.astype(np.float32)
    wa = np.empty((len(ts), *a.shape), np.float32)
    wb = np.empty_like(wa)
    for k, t in enumerate(ts):
        wa[k] = _warp(fa, -(1 - t) * t * f01 + t * t * f10).reshape(a.shape)
        wb[k] = _warp(fb, (1 - t) ** 2 * f01 - t * (1 - t) * f10).reshape(a.shape)
    return wa, wb


def flow_between(
    a: np.ndarray, b: np.ndarray, ts: np.ndarray, flow: Flow | None = None
) -> np.ndarray:
    """Frames at fractions ts (each in [0, 1]) of the way from a to b along their optical
    flow, as flow_interpolate makes them; uint8 (len(ts), H, W, 3)."""
    fa, fb = flow_warps(a, b, ts, flow)
    t = np.asarray(ts, np.float32).reshape(-1, 1, 1, 1)
    return np.clip(np.rint((1 - t) * fa + t * fb), 0, 255).astype(np.uint8)


def opencv_inpaint(frames: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Fill hidden pixels frame by frame with cv2.inpaint (Telea 2004, radius 3).

    ``mask`` is bool (T, H, W) or (H, W) (same for every frame), True = hidden. Returns uint8
    (T, H, W, 3).
    """
    x = _clip(frames)
    m = np.asarray(mask, dtype=bool)
    if m.ndim == 2:
        m = np.broadcast_to(m, x.shape[:3])
    if m.shape != x.shape[:3]:
        raise ValueError(f"mask shape {m.shape} does not match frames {x.shape[:3]} or (H, W)")
    out = [
        cv2.inpaint(
            np.ascontiguousarray(f, np.uint8), mk.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA
        )
        if mk.any()
        else np.array(f, np.uint8)
        for f, mk in zip(x, m, strict=True)
    ]
    return np.stack(out)


def extrapolate_track(
    xs: Sequence[float], ys: Sequence[float], n: int
) -> tuple[list[float], list[float]]:
    """Constant-velocity extrapolation: a least-squares line through the last (up to) 4 points.

    Returns the next ``n`` positions (xs, ys) at unit time steps after the last point. One
    point extrapolates as standing still; an empty track raises ValueError.
    """
    if len(xs) != len(ys):
        raise ValueError(f"xs and ys differ in length: {len(xs)} vs {len(ys)}")
    if not len(xs):
        raise ValueError("cannot extrapolate an empty track")
    px = np.asarray(xs, dtype=np.float64)[-4:]
    py = np.asarray(ys, dtype=np.float64)[-4:]
    m = len(px)
    ts = np.arange(m, dtype=np.float64)
    future = np.arange(m, m + n, dtype=np.float64)
    if m == 1:
        return [float(px[0])] * n, [float(py[0])] * n
    cx, cy = np.polyfit(ts, px, 1), np.polyfit(ts, py, 1)
    return [float(v) for v in np.polyval(cx, future)], [float(v) for v in np.polyval(cy, future)]
