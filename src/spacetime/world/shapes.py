"""Signed distance functions of the world's shapes and characters.

Every function takes local coordinates (x right, y down) in units of the object's radius, as
arrays of any shape, and returns the signed distance in the same units (negative inside).
The renderer turns distance into antialiased coverage, so any resolution is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Array = np.ndarray


def circle(x: Array, y: Array, r: float = 0.95) -> Array:
    return np.hypot(x, y) - r


def box(x: Array, y: Array, hx: float, hy: float, round_: float = 0.0) -> Array:
    qx, qy = np.abs(x) - hx + round_, np.abs(y) - hy + round_
    outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return outside + np.minimum(np.maximum(qx, qy), 0) - round_


def square(x: Array, y: Array) -> Array:
    return box(x, y, 0.74, 0.74, 0.04)


def triangle(x: Array, y: Array, r: float = 0.97) -> Array:
    """Equilateral triangle pointing up, centred on its centroid (after Inigo Quilez)."""
    k = math.sqrt(3.0)
    px = np.abs(x) - r  # r is half the side
    py = -y + r / k  # y up
    flip = px + k * py > 0
    px, py = np.where(flip, (px - k * py) / 2, px), np.where(flip, (-k * px - py) / 2, py)
    px = px - np.clip(px, -2 * r, 0)
    return -np.hypot(px, py) * np.sign(py)


def star(x: Array, y: Array, r: float = 1.0, rf: float = 0.45) -> Array:
    """Five-pointed star, one point up (after Inigo Quilez)."""
    k1x, k1y = 0.809016994375, -0.587785252292
    k2x, k2y = -k1x, k1y
    px, py = np.abs(x), -y
    d = np.maximum(k1x * px + k1y * py, 0) * 2
    px, py = px - d * k1x, py - d * k1y
    d = np.maximum(k2x * px + k2y * py, 0) * 2
    px, py = px - d * k2x, py - d * k2y
    px = np.abs(px)
    py = py - r
    bax, bay = rf * -k1y - 0.0, rf * k1x - 1.0
    h = np.clip((px * bax + py * bay) / (bax * bax + bay * bay), 0, r)
    return np.hypot(px - bax * h, py - bay * h) * np.sign(py * bax - px * bay)


def heart(x: Array, y: Array) -> Array:
    """Heart, point down (after Inigo Quilez), scaled into the unit circle."""
    k = 1.6
    px, py = np.abs(x) / k, (-y) / k + 0.657  # centroid at the origin
    upper = py + px > 1.0
    d_up = np.hypot(px - 0.25, py - 0.75) - math.sqrt(2) / 4
    m = 0.5 * np.maximum(px + py, 0)
    d_lo = np.sqrt(np.minimum(px**2 + (py - 1) ** 2, (px - m) ** 2 + (py - m) ** 2))
    d_lo = d_lo * np.sign(px - py)
    return np.where(upper, d_up, d_lo) * k


def cross(x: Array, y: Array) -> Array:
    return np.minimum(box(x, y, 0.9, 0.3, 0.04), box(x, y, 0.3, 0.9, 0.04))


def crescent(x: Array, y: Array, s: float = 0.78) -> Array:
    """A moon: a disc with a disc cut away, scaled by s and shifted to spin about its centroid."""
    x, y = x / s - 0.319, y / s + 0.159
    return np.maximum(circle(x, y, 0.95), -circle(x - 0.5, y + 0.25, 0.78)) * s


SDF: dict[str, Callable[[Array, Array], Array]] = {
    "circle": circle,
    "square": square,
    "triangle": triangle,
    "star": star,
    "heart": heart,
    "cross": cross,
    "crescent": crescent,
}

DARK = (40, 35, 45)
EYE_WHITE = (250, 250, 250)


def character_parts(
    x: Array, y: Array, accessory: str, motion: str, phase: float
) -> list[tuple[str, Array]]:
    """A character as layered parts: (colour role, signed distance), drawn in order.

    Colour roles are "body", "accent", "dark" and "eye". Local units: the character spans
    about [-1, 1] in x and [-1.15, 1] in y; feet at y = 1.
    """
    swing = math.sin(phase) if motion.startswith("walk") else 0.0
    facing = -1.0 if motion == "walk_left" else 1.0
    legs = np.minimum(
        box(x + 0.24 - 0.12 * swing, y - 0.78, 0.11, 0.2, 0.05),
        box(x - 0.24 + 0.12 * swing, y - 0.78, 0.11, 0.2, 0.05),
    )
    # Arms: short capsules at the sides; when waving, the right arm swings overhead.
    left_arm = _capsule(x, y, (-0.6, 0.05), (-0.82, 0.42), 0.09)
    if motion == "wave":
        a = -math.pi / 2 + 0.6 * math.sin(phase)
        tip = (0.6 + 0.55 * math.cos(a + 0.5), 0.0 + 0.55 * math.sin(a + 0.5))
        right_arm = _capsule(x, y, (0.6, 0.0), tip, 0.09)
    else:
        right_arm = _capsule(x, y, (0.6, 0.05), (0.82, 0.42), 0.09)
    body = box(x, y + 0.02, 0.62, 0.66, 0.32)
    eyes = np.minimum(circle(x + 0.22, y + 0.2, 0.17), circle(x - 0.22, y + 0.2, 0.17))
    px = 0.06 * facing
    pupils = np.minimum(
        circle(x + 0.22 - px, y + 0.18, 0.08), circle(x - 0.22 - px, y + 0.18, 0.08)
    )
    mouth = box(x, y - 0.2, 0.14, 0.035, 0.03)
    if accessory == "bow":
        acc = np.minimum(
            _tri(x + 0.2, y + 0.74, 0.22, flip=1), _tri(x - 0.2, y + 0.74, 0.22, flip=-1)
        )
        acc = np.minimum(acc, circle(x, y + 0.74, 0.09))
    elif accessory == "hat":
        acc = np.minimum(box(x, y + 0.66, 0.6, 0.06, 0.03), box(x, y + 0.86, 0.34, 0.2, 0.04))
    elif accessory == "crown":
        base = box(x, y + 0.7, 0.42, 0.08, 0.0)
        spikes = np.minimum(
            np.minimum(_tri(x + 0.28, y + 0.86, 0.16), _tri(x, y + 0.9, 0.18)),
            _tri(x - 0.28, y + 0.86, 0.16),
        )
        acc = np.minimum(base, spikes)
    else:  # antenna
        acc = np.minimum(_capsule(x, y, (0.0, -0.6), (0.0, -0.92), 0.06), circle(x, y + 1.02, 0.21))
    return [
        ("dark", legs),
        ("body", np.minimum(np.minimum(body, left_arm), right_arm)),
        ("accent", acc),
        ("eye", eyes),
        ("dark", np.minimum(pupils, mouth)),
    ]


def _capsule(x: Array, y: Array, a: tuple[float, float], b: tuple[float, float], r: float) -> Array:
    ax, ay = a
    bx, by = b
    pax, pay, bax, bay = x - ax, y - ay, bx - ax, by - ay
    h = np.clip((pax * bax + pay * bay) / (bax * bax + bay * bay), 0, 1)
    return np.hypot(pax - bax * h, pay - bay * h) - r


def _tri(x: Array, y: Array, r: float, flip: int = 0) -> Array:
    """A small triangle: pointing up (flip 0), or sideways towards the centre (flip +-1)."""
    if flip:
        x, y = y * flip, -x * flip
    return triangle(x / r, y / r, 0.88) * r
