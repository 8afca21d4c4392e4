"""The renderer: a scene spec -> uint8 frames, antialiased, at any size, frame count and fps."""

from __future__ import annotations

import math

import numpy as np

from .backgrounds import BACKGROUND_FNS
from .motion import camera_state, object_state
from .shapes import DARK, EYE_WHITE, SDF, character_parts
from .spec import CHARACTERS, COLOURS, SceneSpec

MIN_SIZE, MAX_SIZE = 16, 1024
BG_SUPERSAMPLE = 2  # background texture is box-filtered from a 2x grid


def view_grid(width: int, height: int, ss: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in view units: y spans [0, 1], x is centred on 0.5.

    Returns (u, v), each (height * ss, width * ss).
    """
    aspect = width / height
    u = (np.arange(width * ss, dtype=np.float32) + 0.5) / (width * ss) * aspect + 0.5 - aspect / 2
    v = (np.arange(height * ss, dtype=np.float32) + 0.5) / (height * ss)
    return np.meshgrid(u, v)


def render_background(scene: SceneSpec, t: float, width: int, height: int) -> np.ndarray:
    """The background alone at time t: float32 (H, W, 3) in [0, 255]."""
    cx, cy, z = camera_state(scene, t)
    ss = BG_SUPERSAMPLE
    u, v = view_grid(width, height, ss)
    img = BACKGROUND_FNS[scene.background]((u - 0.5) / z + cx, (v - 0.5) / z + cy)
    return img.reshape(height, ss, width, ss, 3).mean(axis=(1, 3))


def _paint(img: np.ndarray, dist_px: np.ndarray, rgb: tuple[int, int, int]) -> None:
    """Alpha-blend a colour where the signed distance (pixels) is negative, antialiased."""
    a = np.clip(0.5 - dist_px, 0.0, 1.0)[..., None]
    img *= 1 - a
    img += a * np.asarray(rgb, np.float32)


def render_frame(scene: SceneSpec, t: float, width: int, height: int) -> np.ndarray:
    """One frame at time t seconds: uint8 (H, W, 3)."""
    img = render_background(scene, t, width, height)
    cx, cy, z = camera_state(scene, t)
    u, v = view_grid(width, height)
    wx, wy = (u - 0.5) / z + cx, (v - 0.5) / z + cy  # world coords, (H, W)
    unit_px = height * z  # pixels per world unit
    for o in scene.objects:
        s = object_state(o, t)
        r = o.radius * s.scale
        # Only the object's bounding box is touched (1.3 r covers a character's accessory).
        reach = r * (1.3 if o.is_character else 1.2)
        px = ((s.x - cx) * z) * height + width / 2  # pixel coords of the centre
        py = ((s.y - cy) * z + 0.5) * height
        half = reach * z * height + 1
        x0, x1 = max(0, math.floor(px - half)), min(width, math.ceil(px + half))
        y0, y1 = max(0, math.floor(py - half)), min(height, math.ceil(py + half))
        if x0 >= x1 or y0 >= y1:
            continue
        dx, dy = wx[y0:y1, x0:x1] - s.x, wy[y0:y1, x0:x1] - s.y
        c, sn = math.cos(-s.angle), math.sin(-s.angle)
        lx, ly = (c * dx - sn * dy) / r, (sn * dx + c * dy) / r  # local units of the radius
        patch = img[y0:y1, x0:x1]
        if o.is_character:
            look = CHARACTERS[o.character]
            roles = {
                "body": COLOURS[look["body"]],
                "accent": COLOURS[look["accent"]],
                "dark": DARK,
                "eye": EYE_WHITE,
            }
            for role, d in character_parts(lx, ly, look["accessory"], o.motion, s.phase):
                _paint(patch, d * r * unit_px, roles[role])
        else:
            _paint(patch, SDF[o.shape](lx, ly) * r * unit_px, COLOURS[o.colour])
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def render(
    scene: SceneSpec, frames: int = 17, fps: float = 8.0, width: int = 64, height: int | None = None
) -> np.ndarray:
    """Render a clip: uint8 (T, H, W, 3); frame i shows time i / fps."""
    height = width if height is None else height
    for name, n in (("width", width), ("height", height)):
        if not MIN_SIZE <= n <= MAX_SIZE:
            raise ValueError(f"{name} must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {n}")
    if frames < 1:
        raise ValueError(f"frames must be at least 1, got {frames}")
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    scene.validate()
    return np.stack([render_frame(scene, i / fps, width, height) for i in range(frames)])
