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
BAND_PIXELS = 2000  # most band pixels a refined shift is scored on (then all, for the fill)


def fill(image: np.ndarray, hole: np.ndarray, avoid: np.ndarray | None = None):
    """image with the hole filled, and how: (plate (H, W, 3) uint8, "plane" | "shift" |
    "telea" | "none"). avoid: pixels no copy may take (other objects)."""
    if not hole.any():
        return image.copy(), "none"
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


def plane(image: np.ndarray, hole: np.ndarray) -> np.ndarray | None:
    """image with the hole filled from a plane per channel fitted to the band around it, or
    None when the plane misses the band by FLAT or more (texture, a neighbour). Telea would
    smooth a gradient into a visibly paler patch; a plane does not."""
    band = _band(hole)
    side = max(hole.shape)
    by, bx = np.nonzero(band)
    coef, *_ = np.linalg.lstsq(_design(by, bx, side), image[band].astype(np.float64), rcond=None)
    if np.abs(_design(by, bx, side) @ coef - image[band]).mean() >= FLAT:
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
    stays level."""
    bad = hole if avoid is None else hole | avoid
    by, bx = np.nonzero(_band(hole) & ~bad)  # the backdrop around the hole
    side = max(hole.shape)
    step = max(1, len(by) // BAND_PIXELS)  # a photo's band is scored on a sample
    scored = []
    for dy, dx in _coarse(image, hole, bad):
        got = _residual(image, bad, by[::step], bx[::step], dy, dx)
        if got is not None:
            scored.append((got[0] + 1e-4 * np.hypot(dy, dx), dy, dx))  # ties: the nearest
    hy, hx = np.nonzero(hole)
    for rms, dy, dx in sorted(scored):
        if rms > MATCH:
            break
        if not _inside(hy + dy, hx + dx, hole.shape).all() or bad[hy + dy, hx + dx].any():
            continue  # the copy must come from pixels it may take
        got = _residual(image, bad, by, bx, dy, dx)
        if got is None:
            continue
        copy = image[hy + dy, hx + dx] + _design(hy, hx, side) @ got[1]  # (M, 3)
        out = image.copy()
        out[hy, hx] = copy.round().clip(0, 255).astype(np.uint8)
        return out
    return None


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
    coef, *_ = np.linalg.lstsq(design, diff, rcond=None)
    return float(np.sqrt(((diff - design @ coef) ** 2).mean())), coef


def _inside(ys: np.ndarray, xs: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return (ys >= 0) & (ys < shape[0]) & (xs >= 0) & (xs < shape[1])


def _coarse(image: np.ndarray, hole: np.ndarray, bad: np.ndarray) -> list[tuple[int, int]]:
    """The CANDIDATES best shifts (dy, dx) at full size, each within the coarse grid's step of
    a shift found on the image shrunk to SEARCH px a side: every shift scored at once as
    correlations (FFT), the band's squared difference to the image shifted under it."""
    h, w = hole.shape
    f = max(1, int(np.ceil(max(h, w) / SEARCH)))
    sh, sw = -(-h // f), -(-w // f)
    img = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float64) / 255
    small = cv2.resize(hole.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_AREA) > 0
    bad_s = cv2.resize(bad.astype(np.uint8) * 255, (sw, sh), interpolation=cv2.INTER_AREA) > 0
    band = (_band(small) & ~bad_s).astype(np.float64)  # the template's weights
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
    found = []
    for k in order:
        if not np.isfinite(rms.flat[k]):
            break
        cy, cx = int(dy.flat[k]) * f, int(dx.flat[k]) * f
        found += [(cy + i, cx + j) for i in range(-f + 1, f) for j in range(-f + 1, f)]
    return list(dict.fromkeys(found))
