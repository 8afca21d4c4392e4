"""Backgrounds as pure functions of world coordinates, so cameras can pan and zoom over them.

Each function maps world coordinate arrays (x, y) of any shape to RGB floats in [0, 255]
with shape (*x.shape, 3). Nothing depends on a seed: the analyser can re-render the exact
background of any frame once it knows the background and the camera move.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
HORIZON = 0.45  # world y of the horizon in the grass and sea backgrounds


def _fill(x: Array, rgb: tuple[float, float, float]) -> Array:
    return np.broadcast_to(np.asarray(rgb, np.float32), (*x.shape, 3)).copy()


def _gradient(y: Array, top: tuple, bottom: tuple, y0: float = -0.5, y1: float = 1.5) -> Array:
    w = np.clip((y - y0) / (y1 - y0), 0, 1)[..., None]
    return (1 - w) * np.asarray(top, np.float32) + w * np.asarray(bottom, np.float32)


def _hash(i: Array, j: Array) -> Array:
    """A deterministic pseudo-random value in [0, 1) per integer lattice cell."""
    h = np.sin(i * 127.1 + j * 311.7) * 43758.5453
    return h - np.floor(h)


def grey(x: Array, y: Array) -> Array:
    return _fill(x, (118, 118, 122))


def cream(x: Array, y: Array) -> Array:
    return _fill(x, (205, 190, 150))


def day(x: Array, y: Array) -> Array:
    return _gradient(y, (60, 125, 210), (125, 175, 232))


def sunset(x: Array, y: Array) -> Array:
    return _gradient(y, (55, 35, 95), (215, 105, 80), -0.3, 1.3)


def night(x: Array, y: Array) -> Array:
    sky = _gradient(y, (8, 10, 30), (28, 30, 66))
    cell = 0.09
    i, j = np.floor(x / cell), np.floor(y / cell)
    sx = (i + 0.2 + 0.6 * _hash(i, j)) * cell
    sy = (j + 0.2 + 0.6 * _hash(j + 7.0, i + 3.0)) * cell
    d = np.hypot(x - sx, y - sy)
    star = (np.clip(1 - d / 0.008, 0, 1) * (_hash(i + 1.0, j + 2.0) > 0.35))[..., None]
    return sky * (1 - star) + 235 * star


def grass(x: Array, y: Array) -> Array:
    sky = _gradient(y, (95, 155, 225), (130, 180, 230), -0.5, HORIZON)
    blades = 0.5 + 0.5 * np.sin(x * 90 + 3 * np.sin(y * 23))
    ground = _gradient(y, (85, 130, 55), (60, 100, 40), HORIZON, 1.5)
    ground = ground * (0.9 + 0.12 * blades[..., None])
    return np.where((y < HORIZON)[..., None], sky, ground)


def sea(x: Array, y: Array) -> Array:
    sky = _gradient(y, (95, 155, 225), (130, 180, 230), -0.5, HORIZON)
    water = _gradient(y, (35, 95, 140), (20, 60, 105), HORIZON, 1.5)
    crest = np.clip(np.sin(x * 40 + np.sin(x * 7) * 2 + y * 60) * 3 - 2, 0, 1)[..., None]
    water = water * (1 - 0.35 * crest) + np.asarray((70, 125, 165), np.float32) * 0.35 * crest
    return np.where((y < HORIZON)[..., None], sky, water)


def checker(x: Array, y: Array) -> Array:
    cell = 0.125
    odd = ((np.floor(x / cell) + np.floor(y / cell)) % 2)[..., None]
    return (1 - odd) * np.float32([95, 92, 104]) + odd * np.float32([62, 60, 72])


BACKGROUND_FNS: dict[str, Callable[[Array, Array], Array]] = {
    "grey": grey,
    "cream": cream,
    "day": day,
    "sunset": sunset,
    "night": night,
    "grass": grass,
    "sea": sea,
    "checker": checker,
}
