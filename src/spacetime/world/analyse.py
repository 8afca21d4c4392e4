"""The analyser: frames (from our renderer or any generator) -> background, camera and tracks.

It works by analysis through synthesis: the background and camera are found by re-rendering
each candidate and keeping the best match; objects are what differs from that background.
Each pixel is unmixed as a blend of a palette colour over the re-rendered background, so
antialiased, blurred or compressed edges keep their colour and silhouettes keep their shape;
silhouettes are named by template matching at the clip's own blur level, and motion classes
come from the tracks in world coordinates (the camera taken out). Robust statistics and votes
over frames absorb noise and slightly wrong colours.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import cv2
import numpy as np

from .motion import PAN_DIRS
from .render import render_background
from .shapes import DARK
from .spec import (
    BACKGROUNDS,
    CHARACTERS,
    COLOURS,
    PAN_SPEED,
    SIZES,
    TEXTURED,
    ZOOM_RATE,
    ObjectSpec,
    SceneSpec,
)
from .templates import (
    BLURS,
    CANVAS,
    SYMMETRY,
    ious,
    normalise,
    template_table,
    templates,
    unit_area,
)

WORK_SIZE = 96  # frames are analysed at most this tall
FG_DELTA_E = 22.0  # colour distance from the background that makes a pixel foreground
MIN_AREA_FRAC = 0.0025  # smallest object blob, as a fraction of the frame's area
WAVE_SWING = 0.006  # arm-side flicker (see _arm_swing) above which a character waves
BODY_OF = {c["body"]: name for name, c in CHARACTERS.items()}


@dataclass
class Track:
    """One object followed through the clip. Positions are world units (camera removed)."""

    colour: str
    shape: str  # a shape name, or "character"
    character: str | None
    size: str
    motion: str
    frames: list[int] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    radius: list[float] = field(default_factory=list)  # world units
    angle: list[float] = field(default_factory=list)  # radians, best template rotation
    fit: float = 0.0  # mean template IoU

    def to_object(self) -> ObjectSpec:
        return ObjectSpec(
            shape=self.shape,
            colour=self.colour,
            size=self.size,
            motion=self.motion,
            x=self.x[0],
            y=self.y[0],
            character=self.character,
        )


@dataclass
class Analysis:
    background: str
    camera: str
    camera_rate: float
    tracks: list[Track]
    num_frames: int
    fps: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_scene(self) -> SceneSpec:
        """The analysed clip as a scene spec (names and start positions)."""
        return SceneSpec(
            objects=[t.to_object() for t in self.tracks],
            background=self.background,
            camera=self.camera,
            camera_rate=self.camera_rate,
        )

    def summary(self) -> str:
        lines = [f"background: {self.background}   camera: {self.camera}"]
        for i, t in enumerate(self.tracks):
            name = t.character or f"{t.size} {t.colour} {t.shape}"
            lines.append(
                f"object {i}: {name:28s} motion: {t.motion:10s} "
                f"seen in {len(t.frames)}/{self.num_frames} frames, fit {t.fit:.2f}"
            )
        if not self.tracks:
            lines.append("no objects found")
        return "\n".join(lines)


# ----------------------------------------------------------------------------- colour


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB floats in [0, 255], shape (..., 3) -> Lab (L in 0..100)."""
    flat = np.ascontiguousarray(rgb, np.float32).reshape(-1, 1, 3) / 255.0
    return cv2.cvtColor(flat, cv2.COLOR_RGB2Lab).reshape(rgb.shape)


# Labels of the unmixing palette: the object colours, then the dark of legs and pupils.
LABELS: tuple[str, ...] = (*COLOURS, "dark")


# ------------------------------------------------------------------ background, camera


def _prep(frames: np.ndarray) -> np.ndarray:
    """Resize to WORK_SIZE tall at most: float32 (T, H, W, 3)."""
    _, h, w, _ = frames.shape
    k = min(1.0, WORK_SIZE / h)
    size = (max(8, round(w * k)), max(8, round(h * k)))
    out = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) if k < 1 else f for f in frames]
    return np.stack([f.astype(np.float32) for f in out])


def _smooth(img: np.ndarray) -> np.ndarray:
    sigma = max(0.6, img.shape[0] / 96)
    return cv2.GaussianBlur(img, (0, 0), sigma)


def _bg_error(frame: np.ndarray, bg: np.ndarray) -> float:
    """Robust distance between a frame and a background render: a low quantile of |diff|."""
    d = np.abs(_smooth(frame) - _smooth(bg)).mean(-1)
    return float(np.quantile(d, 0.6))


def estimate_background(first: np.ndarray) -> str:
    """The background of a clip's first frame (the camera starts at rest at t = 0)."""
    h, w, _ = first.shape
    errs = {
        b: _bg_error(first, render_background(SceneSpec(background=b), 0.0, w, h))
        for b in BACKGROUNDS
    }
    return min(errs, key=errs.__getitem__)


def correct_colours(frames: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Undo a global per-channel gain and offset (a generator's colours slightly off), fitted
    robustly on the first frame against its background render bg, both float (H, W, 3)."""
    out = frames.copy()
    for c in range(3):
        x, y = bg[..., c].ravel(), frames[0, ..., c].ravel()
        d = y - x
        keep = np.abs(d - np.median(d)) <= np.quantile(np.abs(d - np.median(d)), 0.6)
        gain, offset = 1.0, float(np.median(d))
        if np.std(x[keep]) > 8:  # enough range in the background to fit a gain as well
            gain, offset = (float(v) for v in np.polyfit(x[keep], y[keep], 1))
            gain = min(max(gain, 0.7), 1.3)
            offset = float(np.median(y[keep] - gain * x[keep]))
        out[..., c] = (frames[..., c] - offset) / gain
    return np.clip(out, 0, 255)


def estimate_camera(frames: np.ndarray, background: str, fps: float) -> tuple[str, float]:
    """The camera move and rate whose background renders fit the clip best (static unless the
    background is textured enough to show a move)."""
    t_count, h, w, _ = frames.shape
    if background not in TEXTURED or t_count < 2:
        return "static", 0.0
    idx = sorted({t_count // 2, t_count - 1})
    still = render_background(SceneSpec(background=background), 0, w, h)
    best, best_err = ("static", 0.0), sum(_bg_error(frames[i], still) for i in idx)
    for cam in (*PAN_DIRS, "zoom_in", "zoom_out"):
        base = ZOOM_RATE if cam.startswith("zoom") else PAN_SPEED
        for k in (1.0, 0.5, 0.25, 0.125):
            spec = SceneSpec(background=background, camera=cam, camera_rate=base * k)
            e = sum(_bg_error(frames[i], render_background(spec, i / fps, w, h)) for i in idx)
            if e < best_err * 0.97:
                best, best_err = (cam, base * k), e
    return best


# ------------------------------------------------------------------------ detection


@dataclass
class Blob:
    """One object as seen in one frame."""

    colour: str
    cx: float  # view coordinates (y in [0, 1], x centred on 0.5)
    cy: float
    area: float  # pixels
    canon: np.ndarray  # the silhouette, normalised: (CANVAS, CANVAS)
    scores: np.ndarray  # soft IoU with every template: (N,)
    character: str | None = None


def _blob(mask: np.ndarray, colour: str, character: str | None = None) -> Blob | None:
    """Measure a blob from its soft (H, W) coverage."""
    canon = normalise(mask)
    if canon is None:
        return None
    h, w = mask.shape
    ys, xs = np.indices((h, w), dtype=np.float32)
    area = float(mask.sum())
    cy = float((ys * mask).sum() / area + 0.5) / h
    cx = float((xs * mask).sum() / area + 0.5 - w / 2) / h + 0.5
    return Blob(colour, cx, cy, area, canon, ious(canon), character)


# Unmixing weighs luma above chroma: video codecs keep luma sharp and blur chroma (4:2:0).
_YCC = np.float32(
    [[0.299, 0.587, 0.114], [-0.169, -0.331, 0.5], [0.5, -0.419, -0.081]]
) * np.float32([[1.0], [0.5], [0.5]])


def _alpha(frame: np.ndarray, bg: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Per-pixel coverage of colour rgb over the background, by unmixing: (H, W) in [0, 1]."""
    d = (rgb[None, None, :] - bg) @ _YCC.T  # (H, W, 3)
    num = (((frame - bg) @ _YCC.T) * d).sum(-1)
    return np.clip(num / np.maximum((d * d).sum(-1), 1.0), 0.0, 1.0)


def detect(raw: np.ndarray, bg: np.ndarray) -> list[Blob]:
    """Objects in one frame (float, (H, W, 3)), given the background render for that instant.

    Colours and the foreground are read from a smoothed copy (noise); silhouettes are unmixed
    from the raw pixels against the sharp background (thin parts survive). Characters are
    found first, with their accessory, which may touch the body or sit a pixel apart.
    """
    h, w, _ = raw.shape
    frame = _smooth(raw)
    delta = np.linalg.norm(_lab(frame) - _lab(_smooth(bg)), axis=-1)
    fg = delta > FG_DELTA_E  # noise specks are left to the smoothing and the area limit
    names = LABELS
    labels = _unmix_labels(frame, _smooth(bg))
    min_area = MIN_AREA_FRAC * h * w
    n, comp, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8), connectivity=8)
    grow = np.ones((3, 3), np.uint8)
    comps = []  # (mask, {colour: its pixels in the mask}) per connected component
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] < min_area:
            continue
        m = comp == i
        core = cv2.erode(m.astype(np.uint8), grow).astype(bool)
        counts = np.bincount(labels[core if core.sum() >= 4 else m], minlength=len(names))
        order = [int(c) for c in np.argsort(-counts[: len(COLOURS)])]
        # Several colours with a real share: overlapping objects, to be split by colour.
        parts = {
            names[c]: m & (labels == c)
            for c in order[:3]
            if counts[c] >= max(0.06 * counts.sum(), 0.7 * min_area) or c == order[0]
        }
        comps.append((m, parts))
    blobs: list[Blob] = []
    taken = np.zeros_like(fg)
    reach = max(2, round(0.06 * h))  # pixels between a character's body and its accessory
    for m, parts in comps:  # characters first: body colour, with the accessory near it
        for k, (colour, sel) in enumerate(parts.items()):
            body = m if k == 0 else sel  # a whole component keeps its eyes and legs
            near = cv2.dilate(body.astype(np.uint8), grow, iterations=reach).astype(bool) & fg
            character = _character(colour, near, labels, body)
            if character is None:
                continue
            accent = names.index(CHARACTERS[character]["accent"])
            whole = body | (near & (labels == accent))
            taken |= whole
            blob = _blob(_fill_holes(whole), colour, character)
            if blob is not None:
                blobs.append(blob)
    for m, parts in comps:
        support = cv2.dilate(m.astype(np.uint8), grow, iterations=2).astype(bool)
        for colour, sel in parts.items():
            if sel.sum() < 0.5 * min_area or (sel & taken).sum() > 0.5 * sel.sum():
                continue
            alpha = _alpha(raw, bg, _pure_colour(frame[sel], bg[sel], colour)) * support
            if len(parts) > 1:  # keep this colour's pixels and their immediate fringe only
                alpha = alpha * cv2.dilate(sel.astype(np.uint8), grow).astype(bool)
            blob = _blob(alpha, colour)
            if blob is not None:
                blobs.append(blob)
    return blobs


def _unmix_labels(frame: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Index into the palette (object colours, then dark) that best explains each pixel as a
    blend of that colour over the background (antialiased or blurred edges): (H, W)."""
    pal = np.float32([*COLOURS.values(), DARK])  # (K, 3)
    d = pal[None, None] - bg[:, :, None]  # (H, W, K, 3)
    a = ((frame - bg)[:, :, None] * d).sum(-1) / np.maximum((d * d).sum(-1), 1.0)
    a = np.clip(a, 0.0, 1.0)[..., None]  # (H, W, K, 1)
    resid = np.linalg.norm(frame[:, :, None] - bg[:, :, None] - a * d, axis=-1)  # (H, W, K)
    return np.argmin(resid, axis=-1)


def _pure_colour(pixels: np.ndarray, bg: np.ndarray, name: str) -> np.ndarray:
    """An object's own colour from its pixels (N, 3): the median of the third farthest from
    the background (blur and antialiasing mix the rest with it), pushed to the named colour's
    full strength when it lies on the way there (a small blurred object never shows it)."""
    d = np.linalg.norm(pixels - bg, axis=-1)
    far = d >= np.quantile(d, 0.67)
    seen = np.median(pixels[far], axis=0)
    pure = np.float32(COLOURS[name])
    base = np.median(bg[far], axis=0)
    t = float(np.dot(seen - base, pure - base) / max(np.dot(pure - base, pure - base), 1.0))
    off = np.linalg.norm(seen - (base + t * (pure - base)))
    return pure if 0.4 < t < 1.0 and off < 30 else seen


def _character(main: str, near: np.ndarray, labels: np.ndarray, body: np.ndarray) -> str | None:
    """A blob is a character when its body colour comes with its accent colour (the
    accessory) nearby and above the body's centre: robust to blur, which hides the eyes and
    legs first, and not fooled by a codec bleeding one colour into a ring around another."""
    name = BODY_OF.get(main)
    if name is None:
        return None
    names = LABELS
    share = np.bincount(labels[near], minlength=len(names)) / max(int(near.sum()), 1)
    acc = near & (labels == names.index(CHARACTERS[name]["accent"]))
    accent = share[names.index(CHARACTERS[name]["accent"])]
    face = share[names.index("white")] + share[names.index("dark")]
    if not (accent >= 0.05 or (accent >= 0.03 and face >= 0.03)):
        return None
    ys = np.nonzero(body)[0]
    radius = math.sqrt(len(ys) / math.pi)
    above = float(ys.mean() - np.nonzero(acc)[0].mean())  # pixels; y grows downwards
    return name if above > 0.4 * radius else None


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    m = mask.astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    out = np.zeros_like(m)
    cv2.drawContours(out, contours, -1, 1, thickness=cv2.FILLED)
    return out.astype(np.float32)


# -------------------------------------------------------------------------- tracking


def _world(spec: SceneSpec, t: float, cx: float, cy: float) -> tuple[float, float, float]:
    from .motion import camera_state

    ccx, ccy, z = camera_state(spec, t)
    return (cx - 0.5) / z + ccx, (cy - 0.5) / z + ccy, z


def _predict(track: list[tuple[int, Blob]], t: int) -> tuple[float, float]:
    """Where a track should be at frame t, from its last two detections (constant velocity)."""
    tl, last = track[-1]
    if len(track) < 2:
        return last.cx, last.cy
    tp, prev = track[-2]
    k = (t - tl) / (tl - tp)
    return last.cx + (last.cx - prev.cx) * k, last.cy + (last.cy - prev.cy) * k


def _link(per_frame: list[list[Blob]]) -> list[list[tuple[int, Blob]]]:
    """Greedy tracking by colour and predicted position. A track may coast through a gap (an
    occlusion, or two objects of one colour merged into one blob) and pick up again where
    its constant-velocity prediction says, within a distance that grows with the gap."""
    tracks: list[list[tuple[int, Blob]]] = []
    for t, blobs in enumerate(per_frame):
        cands = []
        for k, tr in enumerate(tracks):
            gap = t - tr[-1][0]
            px, py = _predict(tr, t)
            last = tr[-1][1]
            for j, b in enumerate(blobs):
                if b.colour != last.colour:
                    continue
                # Near the prediction, or near the last sighting (a bounce reverses velocity).
                d = min(
                    math.hypot(b.cx - px, b.cy - py), math.hypot(b.cx - last.cx, b.cy - last.cy)
                )
                if d < 0.12 + 0.04 * gap:
                    cands.append((d + 0.02 * gap, k, j))
        used_t, used_b = set(), set()
        for _d, k, j in sorted(cands):
            if k in used_t or j in used_b:
                continue
            tracks[k].append((t, blobs[j]))
            used_t.add(k)
            used_b.add(j)
        tracks += [[(t, b)] for j, b in enumerate(blobs) if j not in used_b]
    return tracks


# -------------------------------------------------------------------- classification


def _vote(values: list[str], weights: list[float] | None = None) -> str:
    score: dict[str, float] = {}
    for i, v in enumerate(values):
        score[v] = score.get(v, 0.0) + (weights[i] if weights else 1.0)
    return max(score, key=score.__getitem__)


def _slope(t: np.ndarray, v: np.ndarray) -> float:
    if len(t) < 2:
        return 0.0
    return float(np.polyfit(t, v, 1)[0])


def _unwrap(angles: list[float], period: float) -> np.ndarray:
    a = np.asarray(angles) * (2 * math.pi / period)
    return np.unwrap(a) * (period / (2 * math.pi))


def _turns(v: np.ndarray, swing: float = 0.05) -> tuple[int, int]:
    """Direction changes of v by more than swing (hysteresis), and the first direction of
    travel (+1, -1, or 0 if it never moves that far)."""
    first, direction, ext, turns = 0, 0, float(v[0]), 0
    for x in v[1:]:
        x = float(x)
        if direction == 0:
            if abs(x - ext) > swing:
                direction = first = 1 if x > ext else -1
                ext = x
        elif (x - ext) * direction > 0:
            ext = x
        elif abs(x - ext) > swing:
            turns, direction, ext = turns + 1, -direction, x
    return turns, first


def _spread(v: np.ndarray) -> float:
    """Range of v ignoring the extreme 10% (a merged or half-hidden frame)."""
    return float(np.quantile(v, 0.95) - np.quantile(v, 0.05)) if len(v) else 0.0


def classify_motion(
    shape: str,
    character: str | None,
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    r: np.ndarray,
    angle: np.ndarray,
    swing: float,
) -> str:
    """Motion class of a track from world positions (units), radii and angles over time (s).

    swing measures a character's arm waving (see _arm_swing).
    """
    dur = float(t[-1] - t[0]) if len(t) > 1 else 0.0
    if dur <= 0:
        return "stand" if character else "still"
    vx, vy = _slope(t, x), _slope(t, y)
    travel = math.hypot(vx, vy) * dur  # along the best-fitting straight line
    move = max(_spread(x), _spread(y))
    if character:
        if abs(vx) * dur > 0.06 and _spread(x) > 2.5 * _spread(y):
            return "walk_right" if vx > 0 else "walk_left"
        if _spread(y) > 0.04 and float(np.min(y)) < y[0] - 0.03:
            return "jump"
        return "wave" if swing > WAVE_SWING else "stand"
    growth = _slope(t, np.log(np.maximum(r, 1e-4))) * dur  # log-size change over the clip
    if abs(growth) > 0.25 and travel < 0.12:
        return "grow" if growth > 0 else "shrink"
    if move < 0.05:
        sym = SYMMETRY.get(shape, 0)
        if sym:
            spun = _unwrap(list(angle), 2 * math.pi / sym)
            if abs(_slope(t, spun)) > 0.8 and np.ptp(spun) > 0.3:
                return "spin"
        return "still"
    turns_x, _ = _turns(x)
    turns_y, first_y = _turns(y)
    if _spread(x) < 0.06 and _spread(y) > 0.08 and first_y > 0:
        # Falling: drops with growing speed, then bounces back up off the floor.
        if turns_y:
            return "fall"
        acc = float(np.polyfit(t, y, 2)[0]) if len(t) >= 4 else 0.0
        if acc > 0.5:
            return "fall"
    if turns_x or turns_y:
        return "bounce"
    if travel < 0.05:
        return "still"
    ang = math.degrees(math.atan2(-vy, vx)) % 360  # 0 = right, 90 = up
    sectors = ["right", "up_right", "up", "up_left", "left", "down_left", "down", "down_right"]
    return sectors[int(((ang + 22.5) % 360) // 45)]


def size_name(radius: float) -> str:
    """Nearest size class on a log scale."""
    return min(SIZES, key=lambda s: abs(math.log(radius / (SIZES[s] / 2))))


def _arm_swing(blobs: list[Blob]) -> float:
    """How much more the silhouette flickers at the upper right (a waving arm) than at the
    upper left: noise flickers both sides alike, a wave only one."""
    if len(blobs) < 3:
        return 0.0
    sd = np.stack([b.canon for b in blobs]).std(axis=0)  # (CANVAS, CANVAS)
    c = CANVAS // 2
    return float(sd[:c, c + 2 :].mean() - sd[:c, : c - 2].mean())


def _clip_blur(blobs: list[Blob]) -> int:
    """The blur level (index into BLURS) that fits the clip's blobs best, by weighted vote."""
    blur_of, _, _ = template_table()
    votes = np.zeros(len(BLURS))
    for b in blobs:
        best = int(np.argmax(b.scores))
        votes[blur_of[best]] += b.scores[best] * math.sqrt(b.area)
    return int(np.argmax(votes)) if blobs else 0


def _name_track(blobs: list[Blob], level: int) -> tuple[str, list[float], float]:
    """Vote a track's label over its frames: for each label, the sum over frames of its best
    fit among rotations at the clip's blur level (+-1). Returns label, angle per frame, fit."""
    blur_of, label_of, labels = template_table()
    ok = np.abs(blur_of - level) <= 1
    is_char = np.array([labels[i].startswith("character:") for i in label_of])
    want_char = sum(b.character is not None for b in blobs) > len(blobs) / 2
    ok &= is_char == want_char
    total = np.zeros(len(labels))
    for b in blobs:
        s = np.where(ok, b.scores, -1.0)
        best = np.full(len(labels), -1.0)
        np.maximum.at(best, label_of, s)
        total += np.maximum(best, 0) * math.sqrt(b.area)
    label = int(np.argmax(total))
    ts = templates()
    angles, fits = [], []
    for b in blobs:
        s = np.where(ok & (label_of == label), b.scores, -1.0)
        i = int(np.argmax(s))
        angles.append(ts[i].angle)
        fits.append(float(s[i]))
    return labels[label], angles, float(np.mean(fits))


def analyse(frames: np.ndarray, fps: float = 8.0) -> Analysis:
    """Read a clip, uint8 (T, H, W, 3), into background, camera and object tracks."""
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.shape[0] < 1:
        raise ValueError(f"expected frames of shape (T, H, W, 3), got {frames.shape}")
    work = _prep(frames)
    t_count, h, w, _ = work.shape
    background = estimate_background(work[0])
    work = correct_colours(work, render_background(SceneSpec(background=background), 0, w, h))
    camera, rate = estimate_camera(work, background, fps)
    spec = SceneSpec(background=background, camera=camera, camera_rate=rate)
    per_frame = [detect(work[i], render_background(spec, i / fps, w, h)) for i in range(t_count)]
    level = _clip_blur([b for bs in per_frame for b in bs])
    tracks = []
    min_len = max(1, round(0.4 * t_count))
    for tr in _link(per_frame):
        if len(tr) < min_len:
            continue
        idx = [i for i, _ in tr]
        blobs = [b for _, b in tr]
        label, angles, fit = _name_track(blobs, level)
        character = None
        if label.startswith("character:"):
            character = _vote([b.character for b in blobs if b.character])
            shape, colour = "character", CHARACTERS[character]["body"]
        else:
            shape, colour = label, _vote([b.colour for b in blobs])
        world = [_world(spec, i / fps, b.cx, b.cy) for i, b in zip(idx, blobs, strict=True)]
        ua = unit_area(CHARACTERS[character]["accessory"] if character else shape)
        radius = [math.sqrt(b.area / ua) / h / z for b, (_, _, z) in zip(blobs, world, strict=True)]
        swing = _arm_swing(blobs)
        motion = classify_motion(
            shape,
            character,
            np.asarray(idx, np.float64) / fps,
            np.array([p[0] for p in world]),
            np.array([p[1] for p in world]),
            np.array(radius),
            np.array(angles),
            swing,
        )
        k = max(1, min(3, len(radius)))
        size = "medium" if character else size_name(float(np.median(radius[:k])))
        tracks.append(
            Track(
                colour=colour,
                shape=shape,
                character=character,
                size=size,
                motion=motion,
                frames=idx,
                x=[p[0] for p in world],
                y=[p[1] for p in world],
                radius=radius,
                angle=angles,
                fit=fit,
            )
        )
    return Analysis(background, camera, rate, tracks, t_count, fps)
