"""Fill a hole in a still image from the backdrop around it (the cinemagraph's plate, where
the object stood before it moved): a plane where the backdrop is smooth (a plain colour, a
sky's gradient), a shifted copy of the image where it is textured (grass, waves, a checkered
floor), OpenCV's Telea where neither fits.

Images are (H, W, 3) uint8, holes and masks bool (H, W).
"""

from __future__ import annotations

import cv2
import numpy as np

BAND = 4  # px: the ring around the hole that a fill must match
FLAT = 2.0  # mean RGB error of a plane on the band: below, the backdrop is smooth
MATCH = 12.0  # RMS RGB error of the best shifted copy on the band: above, Telea
SEARCH = 96  # px: the longest side the shift is searched at before it is refined full size
CANDIDATES = 8  # best shifts of the coarse search refined at full size
SAMPLE = 2000  # most band (and hole) pixels a refined shift is checked on; the winner on all


def fill(
    image: np.ndarray, hole: np.ndarray, avoid: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """image with the hole filled, and how: (plate (H, W, 3) uint8, "plane" | "shift" |
    "telea" | "none"). avoid: pixels no copy may take (other objects)."""
    if not hole.any():
        return image.copy(), "none"
    if not _band(hole).any():
        raise ValueError("the hole covers the whole image: there is nothing to fill it from")
    plate = plane(image, hole)
    if plate is not None:
        return plate, "plane"
    plate = shifted(image, hole, avoid)
    if plate is not None:
        return plate, "shift"
    paint = hole.astype(np.uint8) * 255
    return cv2.inpaint(np.ascontiguousarray(image), paint, 3, cv2.INPAINT_TELEA), "telea"


def _band(hole: np.ndarray) -> np.ndarray:
    ring = cv2.dilate(hole.astype(np.uint8), np.ones((2 * BAND + 1,) * 2, np.uint8)) > 0
    return ring & ~hole


def _design(ys: np.ndarray, xs: np.ndarray, side: int) -> np.ndarray:
    """Columns 1, x, y (N, 3) of a plane over pixels (ys, xs), scaled by the image's side."""
    return np.stack([np.ones(len(ys)), xs / side, ys / side], axis=-1)


def _fit(design: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Least-squares plane coefficients (3, C) of values (N, C) over design (N, 3); a
    constant, their mean, where the pixels do not span a plane (one row, one pixel)."""
    coef, _, rank, _ = np.linalg.lstsq(design, values, rcond=None)
    if rank < 3:
        coef = np.zeros((3, values.shape[1]))
        coef[0] = values.mean(axis=0)
    return coef


def plane(image: np.ndarray, hole: np.ndarray) -> np.ndarray | None:
    """image with the hole filled from a plane per channel fitted to the band around it, or
    None when the plane misses the band by FLAT or more (texture, a neighbour) or there is
    no band. Telea would smooth a gradient into a visibly paler patch; a plane does not."""
    by, bx = np.nonzero(_band(hole))
    if len(by) == 0:
        return None
    side = max(hole.shape)
    values = image[by, bx].astype(np.float64)  # (N, 3)
    coef = _fit(_design(by, bx, side), values)
    if np.abs(_design(by, bx, side) @ coef - values).mean() >= FLAT:
        return None
    hy, hx = np.nonzero(hole)
    out = image.copy()
    out[hy, hx] = (_design(hy, hx, side) @ coef).round().clip(0, 255).astype(np.uint8)
    return out


def shifted(
    image: np.ndarray, hole: np.ndarray, avoid: np.ndarray | None = None
) -> np.ndarray | None:
    """image with the hole filled by a copy of the image shifted by the offset whose band
    best matches the band around the hole (avoided pixels left out of both), evened out by a
    plane fitted to their difference (a gradient of light); None when no copy matches within
    MATCH. The copy comes from outside the hole and the avoided pixels, wholly inside the
    image. A periodic texture (a checkered floor) is so continued in phase, and a horizon
    stays level. Offsets found on the shrunk image (`_coarse`) are refined at full size by a
    local search whose step halves down to a pixel, scored on a sample of a photo's pixels."""
    bad = hole if avoid is None else hole | avoid
    by, bx = np.nonzero(_band(hole) & ~bad)  # the backdrop around the hole
    hy, hx = np.nonzero(hole)
    if len(by) == 0:
        return None
    b_step, h_step = max(1, len(by) // SAMPLE), max(1, len(hy) // SAMPLE)
    memo: dict[tuple[int, int], float] = {}

    def score(d: tuple[int, int]) -> float:
        if d not in memo:
            memo[d] = np.inf
            if _lands(bad, hy[::h_step], hx[::h_step], *d):
                got = _residual(image, bad, by[::b_step], bx[::b_step], *d)
                if got is not None:  # ties: the nearest shift
                    memo[d] = got[0] + 1e-4 * float(np.hypot(*d))
        return memo[d]

    coarse, f = _coarse(image, hole, bad)
    found = set()
    for d in coarse:
        step = max(1, f // 2)
        while True:  # 5 x 5 shifts around the best so far, `step` px apart
            near = [(d[0] + i * step, d[1] + j * step) for i in range(-2, 3) for j in range(-2, 3)]
            d = min(near, key=score)
            if step == 1:
                break
            step = max(1, step // 2)
        found.add(d)
    for d in sorted(found, key=score):
        if score(d) > MATCH:
            break
        if not _lands(bad, hy, hx, *d):
            continue  # every pixel of the copy must come from one it may take
        got = _residual(image, bad, by, bx, *d)
        if got is None or got[0] > MATCH:
            continue
        copy = image[hy + d[0], hx + d[1]] + _design(hy, hx, max(hole.shape)) @ got[1]
        out = image.copy()
        out[hy, hx] = copy.round().clip(0, 255).astype(np.uint8)  # copy: (M, 3)
        return out
    return None


def _lands(bad: np.ndarray, ys: np.ndarray, xs: np.ndarray, dy: int, dx: int) -> bool:
    """Whether every pixel (ys, xs) shifted by (dy, dx) is inside the image and not bad."""
    ys, xs = ys + dy, xs + dx
    return bool(_inside(ys, xs, bad.shape).all() and not bad[ys, xs].any())


def _residual(
    image: np.ndarray, bad: np.ndarray, by: np.ndarray, bx: np.ndarray, dy: int, dx: int
) -> tuple[float, np.ndarray] | None:
    """How the band pixels (by, bx) match the image shifted by (dy, dx): the RMS RGB error
    left after a plane (the light's gradient) fitted to their difference, and the plane's
    coefficients (3, 3); None when fewer than 90% of them have a pixel to compare with."""
    ok = _inside(by + dy, bx + dx, bad.shape)
    ok[ok] &= ~bad[by[ok] + dy, bx[ok] + dx]
    if ok.sum() < max(1, 0.9 * len(by)):
        return None
    by, bx = by[ok], bx[ok]
    diff = image[by, bx].astype(np.float64) - image[by + dy, bx + dx]  # (N, 3)
    design = _design(by, bx, max(bad.shape))  # (N, 3)
    coef = _fit(design, diff)
    return float(np.sqrt(((diff - design @ coef) ** 2).mean())), coef


def _inside(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return (ys >= 0) & (ys < shape[0]) & (xs >= 0) & (xs < shape[1])


def _coarse(
    image: np.ndarray, hole: np.ndarray, bad: np.ndarray
) -> tuple[list[tuple[int, int]], int]:
    """The CANDIDATES best shifts (dy, dx) found on the image shrunk f times to SEARCH px a
    side, in full-size pixels, and f: every shift scored at once as correlations (FFT), the
    squared difference of the band to the image shifted under it. A shrunk pixel that any
    hole or bad pixel touches counts as one, so a thin hole does not vanish. The shrunk band
    is 4 shrunk pixels wide: in a photo it compares more of the surroundings than the
    full-size band does."""
    h, w = hole.shape
    f = max(1, int(np.ceil(max(h, w) / SEARCH)))
    sh, sw = -(-h // f), -(-w // f)
    img = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float64) / 255

    def shrink(mask: np.ndarray) -> np.ndarray:
        return cv2.resize(mask.astype(np.uint8) * 255, (sw, sh), interpolation=cv2.INTER_AREA) > 0

    small, bad_s = shrink(hole), shrink(bad)
    band = (_band(small) & ~bad_s).astype(np.float64)  # the template's weights
    if not band.any():
        return [], f
    good = (~(bad_s | small)).astype(np.float64)  # pixels a copy may take
    shape = (2 * sh, 2 * sw)  # zero-padded: shifts up to a whole side, no wrap-around

    def corr(t: np.ndarray, a: np.ndarray) -> np.ndarray:
        """sum_p t(p) a(p + d) for every shift d, indexed [dy % 2h, dx % 2w]."""
        spec = np.conj(np.fft.rfft2(t, shape)) * np.fft.rfft2(a, shape)
        return np.fft.irfft2(spec, shape)

    count = corr(band, good)  # band pixels whose shifted pixel may be copied
    ssd = np.zeros(shape)
    for c in range(3):
        i = img[..., c]
        ssd += corr(band * i * i, good) - 2 * corr(band * i, good * i) + corr(band, good * i * i)
    covered = corr(small.astype(np.float64), good)  # hole pixels landing on good ones
    valid = (count >= 0.9 * band.sum() - 0.5) & (covered >= small.sum() - 0.5)
    rms = np.sqrt(np.maximum(ssd, 0) / np.maximum(3 * count, 1))
    dy, dx = np.mgrid[0 : shape[0], 0 : shape[1]]
    dy, dx = np.where(dy >= sh, dy - shape[0], dy), np.where(dx >= sw, dx - shape[1], dx)
    rms = np.where(valid, rms + 1e-4 * np.hypot(dy, dx), np.inf)  # ties: the nearest shift
    order = np.argsort(rms, axis=None)[:CANDIDATES]
    return [(int(dy.flat[k]) * f, int(dx.flat[k]) * f) for k in order if rms.flat[k] < np.inf], f
