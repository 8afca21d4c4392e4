"""Keep a moving object's own look (cinemagraph): cut the object out of the still image,
follow where the model moves it in the clip it made, and paste the sharp cut-out there over
the still with the object painted out. The model decides the motion; the image keeps its
pixels, which the VAE round trip would blur (a small triangle comes back round).

Images are (H, W, 3) uint8, clips (T, H, W, 3) uint8, regions and masks bool (H, W).
"""

from __future__ import annotations

import cv2
import numpy as np

from .fill import fill
from .known import gaussian_time

RING = 3  # px: the band just outside the region whose colours are the background's
COLOURS = 4  # most colours in a palette (k-means)
FAR = 40.0  # RGB distance from every background colour that makes a pixel the object's
PLENTY = 0.15  # a background colour covers at least this share of the ring (not a neighbour)
MOST = 0.5  # an object covering more of its region than this is not cut out (no room to move)
MIN_PIXELS = 4  # a smaller object or blob is not followed
EDGE_EVERY = 256  # px of image side per px more of soft edge painted out around the object


def palette(pixels: np.ndarray, k: int = COLOURS, least: float = 0.0) -> np.ndarray:
    """Up to k representative colours of pixels (N, 3): float32 (K, 3), k-means centres,
    leaving out those that stand for less than a `least` share of the pixels."""
    px = pixels.reshape(-1, 3).astype(np.float32)
    distinct, counts = np.unique(px, axis=0, return_counts=True)
    if len(distinct) <= k:  # a clean backdrop's few colours: each a centre of its own
        share = counts / len(px)
        return distinct[share >= min(least, share.max())]
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(0)
    _, labels, centres = cv2.kmeans(px, k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
    share = np.bincount(labels.ravel(), minlength=k) / len(px)
    return centres[share >= min(least, share.max())]


def _distance(frame: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Distance from every pixel of frame (H, W, 3) to the nearest of colours (K, 3): (H, W)."""
    f = frame.astype(np.float32)
    best = np.full(frame.shape[:2], np.inf, np.float32)
    for c in colours:  # one colour at a time: a photo's (H, W, K, 3) would not fit
        np.minimum(best, np.sqrt(((f - c) ** 2).sum(-1)), out=best)
    return best


def _blend_distance(frame: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """Distance from every pixel of frame (H, W, 3) to the nearest of colours (K, 3) or of
    their two-colour blends (the soft edge between sky and grass, a gradient): (H, W)."""
    f = frame.astype(np.float32)
    best = _distance(frame, colours)
    for i in range(len(colours)):
        for j in range(i + 1, len(colours)):
            a, ab = colours[i], colours[j] - colours[i]
            t = np.clip(((f - a) @ ab) / max(float(ab @ ab), 1e-6), 0.0, 1.0)  # (H, W)
            np.minimum(best, np.sqrt(((f - a - t[..., None] * ab) ** 2).sum(-1)), out=best)
    return best


def _parts(mask: np.ndarray) -> tuple[np.ndarray, list[int], np.ndarray]:
    """The connected parts of mask (8-connected) with at least MIN_PIXELS pixels: the label
    image (H, W) int32, their labels, and their areas and centres (N, 3) as (area, x, y)."""
    n, labels, stats, centres = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    keep = [k for k in range(1, n) if stats[k, cv2.CC_STAT_AREA] >= MIN_PIXELS]
    info = np.array([[stats[k, cv2.CC_STAT_AREA], *centres[k]] for k in keep], np.float64)
    return labels, keep, info.reshape(-1, 3)


def background(image: np.ndarray, region: np.ndarray) -> np.ndarray | None:
    """The background's colours around a region: palette (K, 3) of the RING pixels just
    outside it, and of the region's own RING pixels along the image's border (a region run
    to the border, as a long drag makes it, may hold the only sky there is), without colours
    rarer than PLENTY (a neighbouring object's). None when the region leaves no band outside
    it (it is the whole image)."""
    ring = cv2.dilate(region.astype(np.uint8), np.ones((2 * RING + 1,) * 2, np.uint8)) > 0
    ring &= ~region
    if ring.sum() < MIN_PIXELS:
        return None
    border = np.ones_like(region, bool)
    border[RING:-RING, RING:-RING] = False  # the image's outer RING pixels
    return palette(image[ring | (region & border)], least=PLENTY)


def cut(
    image: np.ndarray, region: np.ndarray, background: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The object in the region of a still image and the image with it painted out:
    (mask, plate), or None when nothing in the region stands out from the background's
    colours, or the object fills most of the region. The object is the largest part that
    stands out and does not touch the region's edge (the image's border is not an edge)."""
    to_background = _distance(image, background)  # (H, W)
    edge = region & ~(cv2.erode(region.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    far = region & (to_background > FAR)
    # A backdrop's soft edge (a horizon's band of sky-grass blends, wide in a photo) is far
    # from every background colour but near a blend of two; where such a band runs to the
    # region's edge or the image's border it is backdrop, not part of the object standing
    # on it. A blend-coloured object inside the region (grey on black and white) stays.
    blends, bands, _ = _parts(far & (_blend_distance(image, background) <= FAR))
    if bands:  # the rim: the region's edge, the image's border included
        inner = cv2.erode(region.astype(np.uint8), np.ones((3, 3), np.uint8), borderValue=0)
        rim = region & ~(inner > 0)
        far &= ~np.isin(blends, sorted(set(np.unique(blends[rim]).tolist()) & set(bands)))
    closed = cv2.morphologyEx(far.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    labels, parts, info = _parts(closed > 0)
    if not parts:
        return None
    # The moving object lies wholly inside its region; a part the region's edge cuts through
    # is a neighbour the region overlaps, taken only when there is nothing else.
    touching = set(np.unique(labels[edge]).tolist())
    inside = [i for i, k in enumerate(parts) if k not in touching] or list(range(len(parts)))
    best = max(inside, key=lambda i: info[i, 0])
    rough = labels == parts[best]
    if info[best, 0] > MOST * region.sum():
        return None
    # Its edge pixels are blends with the background: each goes to the nearer palette, the
    # object's taken from the rough cut's inside.
    core = cv2.erode(rough.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    colours = palette(image[core if core.sum() >= MIN_PIXELS else rough], 3)
    near = cv2.dilate(rough.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    mask = near & region & (_distance(image, colours) < to_background)
    plate, _ = fill(image, painted(mask), _others(image, background, to_background, far))
    return mask, plate


def painted(mask: np.ndarray) -> np.ndarray:
    """The hole the plate fills for an object's mask (H, W): the mask and its soft edge, 2 px
    at the model's size and wider in a photo, whose edges blend over more pixels (a band left
    behind would fill the hole with the object's hue)."""
    k = 5 + 2 * (max(mask.shape) // EDGE_EVERY)
    return cv2.dilate(mask.astype(np.uint8), np.ones((k, k), np.uint8)) > 0


def _others(
    image: np.ndarray, background: np.ndarray, to_background: np.ndarray, far: np.ndarray
) -> np.ndarray:
    """Pixels a fill may not copy: objects, with a 2 px edge. They are the parts far from the
    background's colours and their blends (or standing out in the region) a 32nd of the
    image's side across or more; smaller specks (stars in a night sky) are its texture. A
    part larger than a quarter of the image, or running across it from side to side (a
    horizon's edge), is backdrop the band's colours missed, not an object."""
    near = (to_background <= FAR) | (_blend_distance(image, background) <= FAR)
    n, labels, stats, _ = cv2.connectedComponentsWithStats((~near | far).astype(np.uint8))
    h, w = image.shape[:2]
    area, across, down = (
        stats[:, k] for k in (cv2.CC_STAT_AREA, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)
    )
    least, most = (max(h, w) / 32) ** 2, h * w / 4
    big = [k for k in range(1, n) if least <= area[k] <= most and across[k] < w and down[k] < h]
    return cv2.dilate(np.isin(labels, big).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0


def follow(
    clip: np.ndarray,
    region: np.ndarray,
    mask: np.ndarray,
    image: np.ndarray,
    background: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Where the model put the object in each frame of clip: centre (T, 2) as (x, y) and
    area (T,) of the blob nearer the object's colours than the background's, the part
    nearest the frame before's centre; NaN where none is found. Frame 0 is the cut-out's.
    None when the object is lost in more than half the frames."""
    colours = palette(image[mask], 3)
    t = len(clip)
    centre, area = np.full((t, 2), np.nan), np.full(t, np.nan)
    ys, xs = np.nonzero(mask)
    centre[0], area[0] = (xs.mean(), ys.mean()), len(xs)
    radius = max(2.0, float(np.sqrt(len(xs) / np.pi)))
    last = centre[0]
    for k in range(1, t):
        blob = region & (_distance(clip[k], colours) < _distance(clip[k], background))
        _, parts, info = _parts(blob)
        if not parts:
            continue
        at = info[:, 1:]  # (N, 2) centres as (x, y)
        near = at[np.argmin(np.hypot(*(at - last).T))]
        # a blob the model broke in pieces: every piece within two radii of the nearest
        keep = np.hypot(*(at - near).T) <= 2 * radius
        sizes = info[keep, 0]
        centre[k] = (at[keep] * sizes[:, None]).sum(0) / sizes.sum()
        area[k], last = sizes.sum(), centre[k]
    if np.isnan(area[1:]).sum() > (t - 1) / 2:
        return None
    return centre, area


SMOOTH = 1.5  # frames: sigma of the Gaussian over the followed centre (the model's blob wobbles)
GROWS = 0.15  # a size change over the clip smaller than this share is read as none
STAY = 0.25  # px: an object followed this close to where it was is left as it is
STEADY = 0.5  # nor is one a straight line in time explains less of (R^2): a wobbling blob


def _track(x: np.ndarray) -> np.ndarray:
    """A followed centre (T, 2) with NaN gaps filled linearly, smoothed over time by a
    Gaussian of SMOOTH frames (mirrored through the ends, so steady motion keeps its speed
    to the last frame)."""
    x = np.array(x, np.float64)
    t = np.arange(len(x))
    for d in range(x.shape[1]):
        ok = ~np.isnan(x[:, d])
        x[:, d] = np.interp(t, t[ok], x[ok, d])
    return gaussian_time(x, SMOOTH, odd=True)


def _scale(area: np.ndarray) -> np.ndarray:
    """The object's scale in each frame (T,) relative to the first, from the followed areas:
    a straight line fitted to log area (the model's blob size wobbles); 1 throughout when
    the fitted change over the clip is under GROWS or the line fits worse than STEADY."""
    t = np.arange(len(area))
    ok = ~np.isnan(area) & (area > 0)
    if ok.sum() < 2:
        return np.ones(len(area))
    y = np.log(area[ok])
    slope, icept = np.polyfit(t[ok], y, 1)
    fit = 1 - ((y - slope * t[ok] - icept) ** 2).sum() / max(((y - y.mean()) ** 2).sum(), 1e-9)
    change = np.exp(slope * (len(area) - 1))  # area, last frame over first
    if abs(change - 1) < GROWS or fit < STEADY:
        return np.ones(len(area))
    return np.sqrt(np.exp(slope * t)).clip(0.25, 4.0)


MARGIN = 16  # px around the region that following and redrawing look at (RING, a band)


def keep_look(image: np.ndarray, region: np.ndarray, clip: np.ndarray) -> np.ndarray | None:
    """The clip (T, H, W, 3) the model made from a still image with only the region free,
    redrawn with the image's own object moved as the model moved it: translated and scaled
    (no rotation) over the painted-out still. uint8 (T, H, W, 3); frame 0 and every pixel
    outside the region are the image's. None when the object cannot be cut out or followed
    (the model's clip is then the answer). Only the region's box (and MARGIN around it) is
    followed and redrawn, and the object is cut from that box grown by the region's size,
    so a photo costs what its region does."""
    if len(clip) < 2:
        return clip.copy()  # frame 0 alone: the image, nothing to follow
    ys, xs = np.nonzero(region)
    if len(ys) == 0:
        return None
    h, w = region.shape

    def around(grow: int) -> tuple[slice, slice]:
        y0, x0 = max(0, ys.min() - grow), max(0, xs.min() - grow)
        return slice(y0, min(h, ys.max() + 1 + grow)), slice(x0, min(w, xs.max() + 1 + grow))

    # The object is cut from a box grown by the region's own size, so that the hole it leaves
    # can be filled from a copy of the backdrop beside it; the rest looks at the region's box.
    wide, box = around(max(MARGIN, int(np.ptp(ys)) + 1, int(np.ptp(xs)) + 1)), around(MARGIN)
    colours = background(image[wide], region[wide])
    got = None if colours is None else cut(image[wide], region[wide], colours)
    if got is None:
        return None
    sub = tuple(slice(b.start - a.start, b.stop - a.start) for a, b in zip(wide, box, strict=True))
    mask, plate = got[0][sub], got[1][sub]  # the region's box within the wide one
    inner = _keep_look(image[box], region[box], clip[(slice(None), *box)], colours, mask, plate)
    if inner is None:
        return None
    out = np.repeat(image[None], len(clip), axis=0)
    out[(slice(None), *box)] = inner
    return out


def _keep_look(
    image: np.ndarray,
    region: np.ndarray,
    clip: np.ndarray,
    colours: np.ndarray,
    mask: np.ndarray,
    plate: np.ndarray,
) -> np.ndarray | None:
    """keep_look on the region's box, given the backdrop's colours, the object's mask and
    the plate there."""
    found = follow(clip, region, mask, image, colours)
    if found is None:
        return None
    centre, area = found
    c0 = centre[0].copy()
    # Only the model's frames (1 on) set the motion, relative to its own frame 1, so its blur
    # and any offset of its blob drop out; frame 0 to 1 takes the early frames' median step.
    made = _track(centre[1:])  # (T - 1, 2)
    scale = np.concatenate([[1.0], _scale(area[1:])])  # (T,)
    step = np.median(np.diff(made[:5], axis=0), axis=0) if len(made) > 1 else np.zeros(2)
    out = np.repeat(image[None], len(clip), axis=0)
    img = image.astype(np.float32)
    alpha0 = cv2.GaussianBlur(mask.astype(np.float32), (3, 3), 0.6)  # a soft edge
    h, w = region.shape
    for k in range(1, len(clip)):
        s = float(scale[k])
        p = c0 + step + (made[k - 1] - made[0])
        if s == 1.0 and np.abs(p - c0).max() < STAY:
            continue  # where it was: the image itself, not the cut-out over the plate
        m = np.array([[s, 0, p[0] - s * c0[0]], [0, s, p[1] - s * c0[1]]], np.float32)
        sprite = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(alpha0, m, (w, h), flags=cv2.INTER_LINEAR)[..., None]
        frame = plate * (1 - alpha) + sprite * alpha
        out[k] = np.where(region[..., None], frame.round().clip(0, 255), image)
    return out
