"""What the pipeline does with known pixels around the model: the classical guess sampling
starts from, and the fixes applied to the model's decoded output before the known pixels
are put back exactly (colour anchor, detail add-back, seam correction).

Videos are (T, H, W, 3), uint8 or float in 0..255; known is bool (T, H, W).
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from .eval.metrics import dis_flow, flow_interpolate, flow_warps, optical_flow
from .fill import fill

STILL = 0.25  # px per frame: slower flow is read as noise and held still
CHANGED = 8  # grey levels (0-255): a smaller change between two frames is not motion
SAME_SHOT = 30.0  # mean absolute difference (0-255) under which two frames are one shot
STILL_TOL = np.inf  # detail keeps a still_between pixel's guess where the model is this close
FLOW_SURE = 32.0  # an interpolation's two flow warps differing less (mean, 0-255): flow trusted


def same_shot(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether frames a and b (H, W, 3) are close enough for optical flow between them (a
    morph's two ends are not: they are blended instead)."""
    return float(np.abs(a.astype(np.float32) - b).mean()) < SAME_SHOT


def _neighbours(known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every pixel and frame, the nearest frame at or before it and at or after it where
    that pixel is known: int (T, H, W) each, -1 and T where there is none."""
    t = len(known)
    idx = np.arange(t, dtype=np.int32)[:, None, None]  # int32: a long clip's (T, H, W) twice
    prev = np.maximum.accumulate(np.where(known, idx, np.int32(-1)), axis=0)
    nxt = np.minimum.accumulate(np.where(known, idx, np.int32(t))[::-1], axis=0)[::-1]
    return prev, nxt


def _at(v: np.ndarray, i: np.ndarray) -> np.ndarray:
    """v[i[t, y, x], y, x] for every t, y, x: v (T, H, W, 3), i int (T, H, W)."""
    return np.take_along_axis(v, np.repeat(i.clip(0, len(v) - 1)[..., None], 3, -1), axis=0)


LUT_BINS = 16  # the per-colour correction: bins per channel of its lookup table
LUT_SIGMA = 1.0  # its Gaussian smoothing across neighbouring colours, in bins
LUT_PRIOR = 20.0  # known pixels a colour needs before its own correction counts half


class ColourAnchor:
    """Corrects a model's output towards the known pixels of its window, in two parts.

    - Per colour: the mean miss (known - output) at known pixels of about each colour, beyond
      the window's median miss (colour_lut): a small blue object the model pales gets its blue
      back while the grey around it stays as it is. Fitted on the first window the anchor
      sees, then kept: in a chain of windows (extend) only the first knows the user's own
      pixels, later ones know frames made before, and fitting to those would keep their
      drift and undo the model's own pull back to clean colours.
    - An offset per channel (a cast), fitted on every window after the per-colour part: the
      median miss left, so that of the backdrop, not of an object that drifted.

    Too few known pixels (under 1%): the output is left as it is.
    """

    def __init__(self) -> None:
        self.lut: np.ndarray | None = None  # (LUT_BINS, LUT_BINS, LUT_BINS, 3)

    def __call__(self, video: np.ndarray, target: np.ndarray, known: np.ndarray) -> np.ndarray:
        """video float (T, H, W, 3) in 0..255, target (T, H, W, 3), known bool (T, H, W):
        the corrected video, float."""
        if known.sum() < 0.01 * known.size:
            return video
        x = video[known].astype(np.float64)  # (N, 3)
        miss = target[known].astype(np.float64) - x
        if self.lut is None:
            self.lut = colour_lut(x, miss - np.median(miss, axis=0))
        offset = np.median(miss - lookup(self.lut, x), axis=0)  # (3,): the typical pixel's
        out = np.empty(video.shape, np.result_type(video.dtype, np.float32))
        for t, frame in enumerate(video):  # a frame at a time: memory of one frame of float64
            f = frame.astype(np.float64)
            out[t] = f + offset + lookup(self.lut, f)
        return out


def colour_lut(x: np.ndarray, miss: np.ndarray) -> np.ndarray:
    """The mean miss (N, 3) of pixels by their colour x (N, 3) in 0..255, as a lookup table
    (LUT_BINS, LUT_BINS, LUT_BINS, 3): misses summed per colour bin and counted, both
    smoothed over LUT_SIGMA bins, then sum / (count + LUT_PRIOR), so a colour few pixels have
    gets little of their miss and a colour none has gets none."""
    n = LUT_BINS
    idx = np.clip(x * n / 256, 0, n - 1).astype(int)  # (N, 3)
    flat = (idx[:, 0] * n + idx[:, 1]) * n + idx[:, 2]
    count = np.bincount(flat, minlength=n**3).reshape(n, n, n).astype(np.float64)
    sums = np.stack([np.bincount(flat, miss[:, c], n**3) for c in range(3)], -1)
    i = np.arange(n)
    g = np.exp(-0.5 * ((i[:, None] - i[None]) / LUT_SIGMA) ** 2)  # (n, n): smoothing
    # optimize: one axis at a time, n**4 products each, not all n**6 at once (0.9 s a call)
    count = np.einsum("ai,bj,ck,ijk->abc", g, g, g, count, optimize=True)
    sums = np.einsum("ai,bj,ck,ijkd->abcd", g, g, g, sums.reshape(n, n, n, 3), optimize=True)
    return sums / (count + LUT_PRIOR)[..., None]


def lookup(lut: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """lut (n, n, n, 3) read at colours rgb (..., 3) in 0..255, trilinear between bin
    centres: (..., 3)."""
    n = len(lut)
    p = np.clip(rgb * n / 256 - 0.5, 0, n - 1)  # (..., 3): position among bin centres
    lo = np.floor(p).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    f = p - lo
    out = np.zeros(rgb.shape)
    for corner in itertools.product((0, 1), repeat=3):
        at = [np.where(c, hi[..., k], lo[..., k]) for k, c in enumerate(corner)]
        w = np.prod([np.where(c, f[..., k], 1 - f[..., k]) for k, c in enumerate(corner)], 0)
        out += w[..., None] * lut[at[0], at[1], at[2]]
    return out


def subject_mask(image: np.ndarray, tol: float = 24.0, grow: int = 2) -> np.ndarray:
    """The pixels of a reference image (H, W, 3) uint8 that are not its plain backdrop: bool
    (H, W). The backdrop is the median colour of the border; pixels farther from it than tol
    (RGB distance, 0..255) are the subject, grown by grow pixels to keep its outline. An image
    without a plain backdrop (a photo, a style frame), or with nothing on it, is all subject."""
    img = image.astype(np.float32)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])  # (N, 3)
    backdrop = np.median(border, axis=0)
    if float(np.median(np.linalg.norm(border - backdrop, axis=1))) > tol / 2:
        return np.ones(image.shape[:2], bool)  # the border is not one colour
    subject = np.linalg.norm(img - backdrop, axis=-1) > tol
    if not subject.any():
        return np.ones(image.shape[:2], bool)
    kernel = np.ones((2 * grow + 1, 2 * grow + 1), np.uint8)
    return cv2.dilate(subject.astype(np.uint8), kernel) > 0


def guess_from_known(video: np.ndarray, known: np.ndarray) -> np.ndarray:
    """A classical fill of the unknown pixels of video (T, H, W, 3) given known (T, H, W):
    each pixel blends linearly in time between its nearest known frames before and after, or
    holds the one it has. Pixels never known in any frame stay as they are in video."""
    t = len(known)
    prev, nxt = _neighbours(known)
    out = np.empty_like(video)
    for s in range(0, t, GUESS_CHUNK):  # a chunk of frames at a time: a long clip's floats
        e = min(t, s + GUESS_CHUNK)  # would be 17 times its bytes
        p, n = prev[s:e], nxt[s:e]
        v = video[s:e].astype(np.float32)
        a, b = _at(video, p).astype(np.float32), _at(video, n).astype(np.float32)
        has_a, has_b = (p >= 0)[..., None], (n < t)[..., None]
        idx = np.arange(s, e)[:, None, None]
        w = ((idx - p) / np.maximum(n - p, 1))[..., None].astype(np.float32)
        both = (1 - w) * a + w * b
        guess = np.where(has_a & has_b, both, np.where(has_a, a, np.where(has_b, b, v)))
        out[s:e] = guess.round().clip(0, 255).astype(np.uint8)
    return out


GUESS_CHUNK = 64  # frames guess_from_known blends at once


def _colour_flow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """optical_flow from a to b (H, W, 3), run on R, G and B alone: at each pixel, the flow of
    the channel with the most local contrast in a (grey levels miss a red object on grey,
    whose brightness is about the same; a flat channel gives no usable flow). Zero where
    nothing changed between a and b within an eighth of the frame."""
    h, w = a.shape[:2]
    box = (max(3, w // 8) | 1, max(3, h // 8) | 1)
    flows = np.stack(
        [optical_flow(*(np.repeat(x[..., c : c + 1], 3, -1) for x in (a, b))) for c in range(3)]
    )  # (3, H, W, 2)
    contrast = []
    for c in range(3):
        ch = a[..., c].astype(np.float32)
        g = cv2.Sobel(ch, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(ch, cv2.CV_32F, 0, 1) ** 2
        contrast.append(cv2.blur(g, box))
    best = np.argmax(contrast, axis=0)  # (H, W)
    flow = np.take_along_axis(flows, best[None, ..., None], axis=0)[0]  # (H, W, 2)
    diff = np.abs(a.astype(np.int16) - b).max(axis=-1) > CHANGED  # (H, W)
    changed = cv2.dilate(diff.astype(np.uint8), np.ones(box[::-1], np.uint8)) > 0
    return np.where(changed[..., None], flow, 0.0).astype(np.float32)


GAPS = 5  # extrapolate reads velocity from up to this many frames before the last


def extrapolate(past: np.ndarray, steps: int) -> np.ndarray:
    """Continue the motion of consecutive frames past (K >= 2, H, W, 3) for steps more frames
    after the last one, b: (steps, H, W, 3) uint8. Each pixel of b moves on by its velocity
    every frame: the optical flow from b back to the frame g before it, reversed and divided
    by g, the median over g = 1 .. min(K - 1, GAPS) (one frame pair alone misreads a small
    object's speed), made one median velocity per connected moving region smaller than a
    quarter of the frame (an object, not the camera). Faster pixels are drawn over slower
    ones; the holes they leave are painted in (OpenCV Telea)."""
    b = past[-1]
    gaps = range(1, min(len(past) - 1, GAPS) + 1)
    v = np.median([-_colour_flow(b, past[-1 - g]) / g for g in gaps], axis=0)  # (H, W, 2)
    moving = np.hypot(v[..., 0], v[..., 1]) >= STILL
    v[~moving] = 0
    n, labels = cv2.connectedComponents(moving.astype(np.uint8))
    for k in range(1, n):  # one velocity per moving object, so it moves whole; a region
        region = labels == k  # as big as a quarter of the frame is the camera: left as is
        if region.sum() < labels.size / 4:
            v[region] = np.median(v[region], axis=0)
    h, w = b.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    order = np.argsort(np.hypot(v[..., 0], v[..., 1]).ravel(), kind="stable")  # fast last
    colours = b.reshape(-1, 3)[order]  # (H*W, 3)
    out = np.empty((steps, h, w, 3), np.uint8)
    for k in range(1, steps + 1):
        tx = np.rint(xs + k * v[..., 0]).astype(int).ravel()[order]
        ty = np.rint(ys + k * v[..., 1]).astype(int).ravel()[order]
        ok = np.flatnonzero((tx >= 0) & (tx < w) & (ty >= 0) & (ty < h))
        target = ty[ok] * w + tx[ok]
        _, last = np.unique(target[::-1], return_index=True)  # the last write to each pixel
        keep = ok[len(ok) - 1 - last]
        frame = np.zeros((h * w, 3), np.uint8)
        hit = np.zeros(h * w, bool)
        frame[ty[keep] * w + tx[keep]] = colours[keep]
        hit[ty[keep] * w + tx[keep]] = True
        holes = (~hit).reshape(h, w).astype(np.uint8) * 255
        out[k - 1] = cv2.inpaint(frame.reshape(h, w, 3), holes, 3, cv2.INPAINT_TELEA)
    return out


def _gaps(video: np.ndarray, known: np.ndarray) -> list[tuple[int, int]]:
    """Interpolation gaps: pairs (a, b) of whole known frames of one shot with only empty
    frames between them."""
    whole = np.flatnonzero(known.all(axis=(1, 2)))
    empty = ~known.any(axis=(1, 2))
    return [
        (int(a), int(b))
        for a, b in itertools.pairwise(whole)
        if b - a > 1 and empty[a + 1 : b].all() and same_shot(video[a], video[b])
    ]


def start_guess(video: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Where sampling starts for a task with known pixels: guess_from_known, with pixels never
    known in any frame filled from their surroundings frame by frame (`fill`: a plane, a
    shifted copy of the texture around them, or OpenCV Telea).
    Frames past the last whole known frames, with nothing known (an extension), continue
    their motion instead (extrapolate); so do frames before the first ones (extending back).
    Empty frames between two whole known frames (interpolation) follow the optical flow
    between them (flow_interpolate on dis_flow) rather than a blend, which shows a moving
    object twice. Both only within one shot: not from a reference image or across a morph."""
    out = guess_from_known(video, known)
    never = ~known.any(axis=0)  # (H, W)
    if never.any() and known.any():
        out = np.stack([fill(f, never)[0] for f in out])
    for a, b in _gaps(video, known):
        out[a + 1 : b] = flow_interpolate(video[a], video[b], b - a - 1, dis_flow)
    whole = np.flatnonzero(known.all(axis=(1, 2)))
    empty = ~known.any(axis=(1, 2))
    t = len(known)
    if len(whole) < 2:
        return out
    a, b = whole[-2], whole[-1]  # extension: the motion up to b continued
    if b == a + 1 < t - 1 and empty[b + 1 :].all() and same_shot(video[a], video[b]):
        out[b + 1 :] = extrapolate(video[_end_run(whole, video, -1)], t - 1 - b)
    a, b = whole[1], whole[0]  # backwards
    if b == a - 1 > 0 and empty[:b].all() and same_shot(video[a], video[b]):
        out[:b] = extrapolate(video[_end_run(whole, video, 0)][::-1], b)[::-1]
    return out


def _end_run(whole: np.ndarray, video: np.ndarray, end: int) -> np.ndarray:
    """The indices of the consecutive whole known frames of one shot at one end of whole
    (end -1: the last ones, 0: the first ones), at most GAPS + 1 of them, in time order."""
    step = -1 if end == -1 else 1
    run = [int(whole[end])]
    for i in whole[::step][1:]:
        if i != run[-1] + step or len(run) > GAPS or not same_shot(video[i], video[run[0]]):
            break
        run.append(int(i))
    return np.array(run[::step])


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
    anchor: bool | ColourAnchor,
    seam: bool = True,
    reference: bool = False,
) -> np.ndarray:
    """A model's output float (T, H, W, 3) with the known pixels put back exactly; with
    anchor, first corrected towards them (a ColourAnchor: the one given, which may carry a
    fit from an earlier window, or a fresh one); with seam, then seam_correct. With
    reference, frame 0 is a reference image, not part of the clip: no seam from it."""
    if anchor:
        fit = anchor if isinstance(anchor, ColourAnchor) else ColourAnchor()
        video = fit(video, known_video, known)
    if seam:
        carry = known.copy()
        carry[0] &= not reference
        video = seam_correct(video, known_video, carry)
    return np.where(known[..., None], known_video, video.round().clip(0, 255))


def gaussian_time(x: np.ndarray, sigma: float, odd: bool = False) -> np.ndarray:
    """x (T, ...) float, each entry replaced by a Gaussian-weighted mean over time (sigma in
    frames), summed one offset at a time: memory of one x. Past the ends x repeats its end
    value, or with odd it is mirrored through it (a straight line stays straight)."""
    t = len(x)
    r = int(np.ceil(3 * sigma))
    w = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    w /= w.sum()  # (2r + 1,)
    out = np.zeros_like(x)
    for k, wk in zip(range(-r, r + 1), w, strict=True):
        i = np.arange(t) + k
        inside = i.clip(0, t - 1)
        if odd:  # x[-j] = 2 x[0] - x[j], x[t - 1 + j] = 2 x[t - 1] - x[t - 1 - j]
            mirror = np.where(i < 0, -i, np.where(i > t - 1, 2 * (t - 1) - i, i)).clip(0, t - 1)
            end = np.where(i < 0, 0, t - 1)
            outside = ((i < 0) | (i > t - 1)).reshape(-1, *[1] * (x.ndim - 1))
            out += wk * np.where(outside, 2 * x[end] - x[mirror], x[inside])
        else:
            out += wk * x[inside]
    return out


def smooth_time(video: np.ndarray, sigma: float) -> np.ndarray:
    """Each frame of a clip (T, H, W, 3) but the first and last replaced by a Gaussian-weighted
    mean of the frames around it (gaussian_time). Texture the model redraws differently in
    every frame of a morph's middle stops flickering; the ends stay exactly as they are.
    sigma <= 0: unchanged. uint8."""
    if sigma <= 0 or len(video) < 3:
        return video.copy()
    v = video.astype(np.float32)
    out = gaussian_time(v, sigma)
    out[0], out[-1] = v[0], v[-1]
    return out.round().clip(0, 255).astype(np.uint8)


def even_pace(video: np.ndarray) -> np.ndarray:
    """A clip (T, H, W, 3) replayed at an even pace of change: output frame k lies k / (T - 1)
    of the way along the clip's total change (the sum of its frame-to-frame mean absolute
    differences), a blend of the two frames on either side of that point. The first and last
    frames are kept exactly and no step is larger than the mean step of the input. uint8."""
    if len(video) < 3:
        return video.copy()

    def f32(i: int) -> np.ndarray:  # a frame at a time: the clip may be large
        return video[i].astype(np.float32)

    steps = np.array([np.abs(f32(i + 1) - f32(i)).mean() for i in range(len(video) - 1)])
    done = np.concatenate([[0.0], np.cumsum(steps)])  # (T,): change up to each frame
    if done[-1] <= 0:
        return video.copy()
    out = np.empty_like(video)
    for k, at in enumerate(np.linspace(0.0, done[-1], len(video))):
        i = min(int(np.searchsorted(done, at, side="right")) - 1, len(video) - 2)
        w = 0.0 if steps[i] <= 0 else min(1.0, (at - done[i]) / steps[i])
        out[k] = ((1 - w) * f32(i) + w * f32(i + 1)).round().clip(0, 255).astype(np.uint8)
    return out


def still_between(video: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Unknown pixels whose nearest known frames before and after hold the same value (within
    CHANGED in every channel): bool (T, H, W). The truth there is almost surely still; an
    interpolation's background, which the model redraws a little differently each time."""
    t = len(known)
    prev, nxt = _neighbours(known)
    v = video.astype(np.int16)
    same = np.abs(_at(v, prev) - _at(v, nxt)).max(axis=-1) < CHANGED
    return same & (prev >= 0) & (nxt < t) & ~known


def agreement(video: np.ndarray, round_trip: np.ndarray, tol: float = 12.0) -> np.ndarray:
    """Where the model's decoded output (T, H, W, 3) matches the VAE round trip of the guess:
    bool (T, H, W), shrunk by a pixel so no halo is left where the model moved something.
    The guess's own pixels are kept only there; elsewhere the model made something new."""
    close = (np.abs(video - round_trip).max(axis=-1) < tol).astype(np.uint8)
    kernel = np.ones((3, 3), np.uint8)
    return np.stack([cv2.erode(f, kernel) for f in close]).astype(bool)


def flow_doubt(video: np.ndarray, known: np.ndarray) -> np.ndarray:
    """How unsure start_guess's flow is in each interpolated pixel: the largest channel
    difference (0-255) between the two warps it blends (flow_warps), float32 (T, H, W);
    inf in frames no interpolation gap holds."""
    doubt = np.full(known.shape, np.inf, np.float32)
    for a, b in _gaps(video, known):
        ts = np.arange(1, b - a) / (b - a)
        fa, fb = flow_warps(video[a], video[b], ts, dis_flow)
        doubt[a + 1 : b] = np.abs(fa - fb).max(axis=-1)
    return doubt


def flow_sure(made: np.ndarray, doubt: np.ndarray) -> np.ndarray:
    """Of the pixels where the model made something of its own (made, bool (T, H, W)), the
    regions where the interpolation's flow was sure (flow_doubt at most FLOW_SURE on average):
    bool (T, H, W). Each connected region, grown by 2 pixels, is taken or left whole."""
    sure = np.zeros_like(made)
    kernel = np.ones((5, 5), np.uint8)
    for t in np.flatnonzero(np.isfinite(doubt).all(axis=(1, 2)) & made.any(axis=(1, 2))):
        n, labels = cv2.connectedComponents(cv2.dilate(made[t].astype(np.uint8), kernel))
        counts = np.maximum(np.bincount(labels.ravel(), minlength=n), 1)
        means = np.bincount(labels.ravel(), doubt[t].ravel(), n) / counts
        sure[t] = (means <= FLOW_SURE)[labels] & (labels > 0)
    return sure


def guess_kept(
    video: np.ndarray,
    round_trip: np.ndarray,
    given: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Where detail keeps the classical guess's own pixels: bool (T, H, W). video is the
    model's decoded output, round_trip the guess's VAE round trip, given (known_video, known)
    when the guess was made from known pixels (not for video-to-video). Kept: where the two
    agree (agreement), every pixel still between two known frames (still_between; with a
    finite STILL_TOL, only where the model is that close), and in an interpolation every
    region the model redrew where the flow was sure (flow_sure): the model's redraw of a
    moving object is softer than the flow's warp of it, and is worth it only where the flow
    lost the object. A pixel no frame knows (inpaint, outpaint) is kept where the model
    agrees with the guess's fill there (`start_guess`)."""
    agree = agreement(video, round_trip)
    if given is None:
        return agree
    known_video, known = given
    still = still_between(known_video, known)
    if np.isfinite(STILL_TOL):
        still &= agreement(video, round_trip, STILL_TOL)
    kept = agree | still
    return kept | flow_sure(~kept & ~known, flow_doubt(known_video, known))
