"""Where everything is at time t, and a layout that keeps a scene's paths in view."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from .spec import (
    BOUNCE_SPEED,
    CHARACTERS,
    DIRECTIONS,
    LINEAR_SPEED,
    PAN_SPEED,
    SCALE_RATE,
    SPIN_RATE,
    WALK_SPEED,
    ZOOM_RATE,
    ObjectSpec,
    SceneSpec,
)

GRAVITY = 2.5  # world units / s^2
RESTITUTION = 0.75
FLOOR = 0.97  # world y of the floor that falling objects bounce on
JUMP_PERIOD = 0.8  # seconds per hop
JUMP_HEIGHT = 0.18
WAVE_RATE = 2 * math.pi * 1.5  # radians / s of the arm's swing phase
PAN_DIRS = {"pan_left": (-1, 0), "pan_right": (1, 0), "pan_up": (0, -1), "pan_down": (0, 1)}


@dataclass
class State:
    """An object's pose at one instant, in world units."""

    x: float
    y: float
    scale: float = 1.0  # multiplies the object's radius
    angle: float = 0.0  # radians
    phase: float = 0.0  # animation phase of a character's limbs (radians)


def _triangle(u: float, lo: float, hi: float) -> float:
    """Reflect u into [lo, hi] as a ball bouncing between two walls would be."""
    span = hi - lo
    if span <= 0:
        return (lo + hi) / 2
    w = (u - lo) % (2 * span)
    return lo + (w if w <= span else 2 * span - w)


def _fall_y(y0: float, floor: float, g: float, t: float) -> float:
    """Height of an object dropped from rest at y0, bouncing on y = floor (y grows downwards)."""
    h = max(floor - y0, 0.0)
    if g <= 0 or h == 0:
        return y0
    t0 = math.sqrt(2 * h / g)
    if t <= t0:
        return y0 + 0.5 * g * t * t
    t -= t0
    v = g * t0 * RESTITUTION  # launch speed after the first bounce
    while v > 0.05:
        flight = 2 * v / g
        if t <= flight:
            return floor - (v * t - 0.5 * g * t * t)
        t -= flight
        v *= RESTITUTION
    return floor


def object_state(o: ObjectSpec, t: float) -> State:
    """Pose of object o at time t seconds."""
    r = o.radius
    if o.is_character:
        if o.motion in ("walk_left", "walk_right"):
            return State(o.x + o.vx * t, o.y, phase=2 * math.pi * t / 0.5)
        if o.motion == "jump":
            hop = abs(math.sin(math.pi * t / JUMP_PERIOD))
            return State(o.x, o.y - o.rate * hop)
        if o.motion == "wave":
            return State(o.x, o.y, phase=WAVE_RATE * t)
        return State(o.x, o.y)
    m = o.motion
    if m in DIRECTIONS:
        return State(o.x + o.vx * t, o.y + o.vy * t, angle=o.angle)
    if m == "bounce":
        return State(
            _triangle(o.x + o.vx * t, r, 1 - r), _triangle(o.y + o.vy * t, r, 1 - r), angle=o.angle
        )
    if m == "fall":
        return State(o.x, _fall_y(o.y, FLOOR - r, o.rate, t), angle=o.angle)
    if m == "spin":
        return State(o.x, o.y, angle=o.angle + o.rate * t)
    if m == "grow":
        return State(o.x, o.y, scale=math.exp(o.rate * t), angle=o.angle)
    if m == "shrink":
        return State(o.x, o.y, scale=math.exp(-o.rate * t), angle=o.angle)
    return State(o.x, o.y, angle=o.angle)


def camera_state(scene: SceneSpec, t: float) -> tuple[float, float, float]:
    """Camera centre (cx, cy) in world units and zoom factor z at time t."""
    c = scene.camera
    if c in PAN_DIRS:
        dx, dy = PAN_DIRS[c]
        return 0.5 + dx * scene.camera_rate * t, 0.5 + dy * scene.camera_rate * t, 1.0
    if c == "zoom_in":
        return 0.5, 0.5, math.exp(scene.camera_rate * t)
    if c == "zoom_out":
        return 0.5, 0.5, math.exp(-scene.camera_rate * t)
    return 0.5, 0.5, 1.0


def to_screen(scene: SceneSpec, t: float, x: float, y: float) -> tuple[float, float, float]:
    """World point -> view coordinates (unit square) and the zoom at time t."""
    cx, cy, z = camera_state(scene, t)
    return (x - cx) * z + 0.5, (y - cy) * z + 0.5, z


def _set_motion(o: ObjectSpec, speed_factor: float, seconds: float) -> None:
    m = o.motion
    if o.is_character:
        o.vx = {"walk_left": -WALK_SPEED, "walk_right": WALK_SPEED}.get(m, 0.0) * speed_factor
        o.vy = 0.0
        o.rate = JUMP_HEIGHT if m == "jump" else 0.0
        return
    if m in DIRECTIONS:
        dx, dy = DIRECTIONS[m]
        o.vx, o.vy = dx * LINEAR_SPEED * speed_factor, dy * LINEAR_SPEED * speed_factor
    elif m == "bounce":
        o.vx, o.vy = BOUNCE_SPEED * 0.8, BOUNCE_SPEED * 0.6
    elif m == "fall":
        o.rate = GRAVITY
    elif m == "spin":
        o.rate = SPIN_RATE
    elif m in ("grow", "shrink"):
        # Keep the size within 0.62x .. 1.8x of nominal over the clip.
        o.rate = min(SCALE_RATE, math.log(1.8 if m == "grow" else 1.6) / max(seconds, 1e-6))


def _screen_path(scene: SceneSpec, o: ObjectSpec, times: np.ndarray) -> np.ndarray:
    """Screen positions and radii of o at the given times: (len(times), 3) as (sx, sy, r)."""
    out = []
    for t in times:
        s = object_state(o, float(t))
        sx, sy, z = to_screen(scene, float(t), s.x, s.y)
        out.append((sx, sy, o.radius * s.scale * z * (1.25 if o.is_character else 1.0)))
    return np.asarray(out)


def _in_view(path: np.ndarray, margin: float = 0.01) -> bool:
    sx, sy, r = path[:, 0], path[:, 1], path[:, 2]
    lo, hi = r + margin, 1 - r - margin
    return bool(np.all((sx >= lo) & (sx <= hi) & (sy >= lo) & (sy <= hi)))


def _place(scene: SceneSpec, o: ObjectSpec, times: np.ndarray, rng: np.random.Generator) -> None:
    """Pick a start position whose whole path stays in view, by the path's extent from (.5, .5)."""
    o.x, o.y = 0.5, 0.5
    if o.motion == "fall":
        o.y = o.radius + 0.06
    path = _screen_path(scene, o, times)
    (ox, oy), r = path[0, :2], path[:, 2]
    m = 0.015
    lo_x = float(np.max(r - path[:, 0] + ox)) + m
    hi_x = float(np.min(1 - r - path[:, 0] + ox)) - m
    lo_y = float(np.max(r - path[:, 1] + oy)) + m
    hi_y = float(np.min(1 - r - path[:, 1] + oy)) - m
    sx = rng.uniform(lo_x, hi_x) if hi_x > lo_x else 0.5 * (lo_x + hi_x)
    sy = rng.uniform(lo_y, hi_y) if hi_y > lo_y else 0.5 * (lo_y + hi_y)
    if o.motion != "fall":
        o.y = 0.5 + float(sy) - oy
    o.x = 0.5 + float(sx) - ox
    if not _in_view(_screen_path(scene, o, times)):  # zooms scale offsets: search instead
        for _ in range(48):
            o.x, o.y = (float(v) for v in rng.uniform(0.1, 0.9, size=2))
            if o.motion == "fall":
                o.y = o.radius + 0.06
            if _in_view(_screen_path(scene, o, times)):
                break
    if o.motion == "bounce":  # start so that it meets a side wall early in the clip
        hit = float(rng.uniform(0.2, 0.5)) * times[-1]
        wall = 1 - o.radius if o.vx > 0 else o.radius
        o.x = float(np.clip(wall - o.vx * hit, o.radius + m, 1 - o.radius - m))
        o.y = float(rng.uniform(o.radius + m, 1 - o.radius - m))


def _relation_ok(scene: SceneSpec) -> bool:
    if scene.relation is None:
        return True
    i, rel, j = scene.relation
    a, b = scene.objects[i], scene.objects[j]
    gap = 0.6 * (a.radius + b.radius)
    return {
        "left_of": b.x - a.x > gap and abs(a.y - b.y) < abs(a.x - b.x),
        "right_of": a.x - b.x > gap and abs(a.y - b.y) < abs(a.x - b.x),
        "above": b.y - a.y > gap and abs(a.x - b.x) < abs(a.y - b.y),
        "below": a.y - b.y > gap and abs(a.x - b.x) < abs(a.y - b.y),
    }[rel]


def _colours(o: ObjectSpec) -> set[str]:
    """Every colour an object shows (a character: its body and its accessory)."""
    if o.is_character:
        look = CHARACTERS[o.character]
        return {look["body"], look["accent"]}
    return {o.colour}


def _gap(scene: SceneSpec, paths: list[np.ndarray]) -> float:
    """Smallest ratio of distance to touching distance over object pairs. Objects apart in
    colour need only start and end apart (they may cross); objects sharing a colour must stay
    apart all along, or they would merge into one blob that no viewer could tell apart."""
    worst = math.inf
    objs = scene.objects
    for i in range(len(paths)):
        for j in range(i + 1, len(paths)):
            shared = _colours(objs[i]) & _colours(objs[j])
            for k in range(len(paths[i])) if shared else (0, -1):
                a, b = paths[i][k], paths[j][k]
                worst = min(worst, math.hypot(a[0] - b[0], a[1] - b[1]) / (a[2] + b[2]))
    return worst


def layout(
    scene: SceneSpec, seconds: float, seed: int = 0, tries: int = 60, strict: bool = False
) -> SceneSpec:
    """Return a copy of scene with start positions, speeds and rates that keep it in view.

    Only the names in the spec (shape, colour, size, motion, background, camera, relation)
    are read; the numbers are chosen here, deterministically for a seed. An object whose
    path cannot fit in view at its default speed is slowed (halved until it fits), so long
    clips get slower motions rather than objects leaving. Objects are placed apart at the
    first and last instant, and all along when they share a colour (see _gap); with
    strict=True a scene where that fails raises ValueError, otherwise the best placement
    found is returned.
    """
    scene.validate()
    rng = np.random.default_rng(seed)
    out = copy.deepcopy(scene)
    out.camera_rate = {"static": 0.0}.get(
        out.camera, ZOOM_RATE if out.camera.startswith("zoom") else PAN_SPEED
    )
    times = np.linspace(0.0, seconds, 24)
    for o in out.objects:
        o.angle = float(rng.uniform(0, 2 * math.pi)) if o.motion == "spin" else 0.0
        speed = 1.0
        for _ in range(8):
            _set_motion(o, speed, seconds)
            if o.motion == "bounce":
                o.vx *= float(rng.choice([-1, 1]))
                o.vy *= float(rng.choice([-1, 1]))
            _place(out, o, times, rng)
            if _in_view(_screen_path(out, o, times)):
                break
            speed *= 0.5
        else:
            if strict:
                raise ValueError(f"a {o.size} {o.shape} cannot stay in view with this camera")
    best, best_key = copy.deepcopy(out), (False, -math.inf)
    for _ in range(tries):
        for o in out.objects:
            _place(out, o, times, rng)
        if not _relation_ok(out):
            continue
        paths = [_screen_path(out, o, times) for o in out.objects]
        key = (all(_in_view(p) for p in paths), _gap(out, paths))
        if key > best_key:
            best, best_key = copy.deepcopy(out), key
        if key[0] and key[1] >= 1.15:
            break
    if strict and not (best_key[0] and best_key[1] >= 1.0 and _relation_ok(best)):
        raise ValueError("these objects do not fit in view apart; try fewer or smaller objects")
    return best
