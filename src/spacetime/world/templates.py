"""Canonical silhouettes of every shape and character, for the analyser's template matching.

A silhouette is normalised to a fixed area and centred on its centroid in a CANVAS x CANVAS
grid; a blob cut from a frame is normalised the same way, so one IoU compares them whatever
their size. Each shape gets ANGLES rotations over its symmetry period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from .shapes import SDF, character_parts
from .spec import CHARACTERS, SHAPES

CANVAS = 48
AREA = 300.0  # silhouette area in canvas pixels after normalisation
ANGLES = 12
BLURS = (0.0, 1.2, 2.4, 3.6, 5.0)  # Gaussian sigmas (canvas pixels) of the template copies
SYMMETRY = {
    "circle": 0,
    "square": 4,
    "triangle": 3,
    "star": 5,
    "heart": 1,
    "cross": 4,
    "crescent": 1,
}
POSES = (("stand", 0.0), ("walk_right", 1.2), ("walk_right", -1.2), ("wave", 0.0), ("wave", 2.0))


@dataclass(frozen=True)
class Template:
    label: str  # a shape name, or "character:<accessory>"
    angle: float  # radians
    mask: np.ndarray  # float32 (CANVAS, CANVAS) coverage in [0, 1]
    blur: float = 0.0  # sigma in canvas pixels: a blurred frame is matched by a blurred copy


def _silhouette(dist: np.ndarray) -> np.ndarray:
    return np.clip(0.5 - dist, 0, 1).astype(np.float32)


def _raster(label: str, angle: float, pose: tuple[str, float], n: int = 160) -> np.ndarray:
    """A silhouette on a fine n x n grid spanning [-1.6, 1.6] local units."""
    g = (np.arange(n, dtype=np.float32) + 0.5) / n * 3.2 - 1.6
    x, y = np.meshgrid(g, g)
    c, s = math.cos(-angle), math.sin(-angle)
    lx, ly = c * x - s * y, s * x + c * y
    px = n / 3.2  # pixels per unit
    if label.startswith("character:"):
        parts = character_parts(lx, ly, label.split(":")[1], pose[0], pose[1])
        dist = np.minimum.reduce([d for _, d in parts])
    else:
        dist = SDF[label](lx, ly)
    return _silhouette(dist * px)


def normalise(mask: np.ndarray) -> np.ndarray | None:
    """Centre a soft mask on its centroid and scale it to AREA: float32 (CANVAS, CANVAS)."""
    m = mask.astype(np.float32)
    area = float(m.sum())
    if area < 4:
        return None
    ys, xs = np.indices(m.shape, dtype=np.float32)
    cy, cx = float((ys * m).sum() / area), float((xs * m).sum() / area)
    k = math.sqrt(AREA / area)
    # x' = k (x - cx) + (CANVAS - 1) / 2, in pixel-index coordinates
    mat = np.float32([[k, 0, (CANVAS - 1) / 2 - k * cx], [0, k, (CANVAS - 1) / 2 - k * cy]])
    return cv2.warpAffine(m, mat, (CANVAS, CANVAS), flags=cv2.INTER_LINEAR)


@cache
def templates() -> tuple[Template, ...]:
    sharp: list[Template] = []
    for shape in SHAPES:
        sym = SYMMETRY[shape]
        angles = [0.0] if sym == 0 else [i * 2 * math.pi / sym / ANGLES for i in range(ANGLES)]
        for a in angles:
            sharp.append(Template(shape, a, normalise(_raster(shape, a, ("stand", 0.0)))))
    for acc in sorted({c["accessory"] for c in CHARACTERS.values()}):
        for pose in POSES:
            mask = normalise(_raster(f"character:{acc}", 0.0, pose))
            sharp.append(Template(f"character:{acc}", 0.0, mask))
    out = list(sharp)
    for sigma in BLURS[1:]:
        for t in sharp:
            out.append(Template(t.label, t.angle, cv2.GaussianBlur(t.mask, (0, 0), sigma), sigma))
    return tuple(out)


@cache
def template_stack() -> np.ndarray:
    """All template masks: float32 (N, CANVAS * CANVAS)."""
    return np.stack([t.mask.ravel() for t in templates()])


@cache
def unit_area(shape: str) -> float:
    """Area of a shape (or character, by accessory) of radius 1, in squared radius units."""
    label = shape if shape in SDF else f"character:{shape}"
    m = _raster(label, 0.0, ("stand", 0.0))
    return float(m.sum()) * (3.2 / m.shape[0]) ** 2


def ious(canon: np.ndarray) -> np.ndarray:
    """Soft IoU of a normalised blob (see normalise) with every template: (N,)."""
    b = canon.ravel()[None, :]
    stack = template_stack()
    return np.minimum(stack, b).sum(1) / np.maximum(np.maximum(stack, b).sum(1), 1e-6)


@cache
def template_table() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Per template: index of its blur level (N,), index of its label (N,), and the labels."""
    ts = templates()
    labels = tuple(dict.fromkeys(t.label for t in ts))
    blur = np.array([BLURS.index(t.blur) for t in ts])
    label = np.array([labels.index(t.label) for t in ts])
    return blur, label, labels
