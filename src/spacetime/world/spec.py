"""Scene specs: the vocabulary of the procedural world and the values that describe one clip.

Coordinates are world units: the camera's view at t = 0 is the unit square, x to the right,
y downwards, so (0.5, 0.5) is the centre of the first frame. Times are seconds. A spec is
explicit (start positions, speeds, rates), so rendering it needs no randomness.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

# Saturated object colours, chosen far (in Lab) from every background.  name -> sRGB
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (225, 35, 35),
    "orange": (250, 140, 15),
    "yellow": (250, 225, 30),
    "green": (40, 200, 60),
    "cyan": (20, 215, 230),
    "blue": (35, 75, 235),
    "purple": (150, 50, 210),
    "pink": (255, 120, 200),
    "white": (250, 250, 250),
}

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star", "heart", "cross", "crescent")

# Diameter of an object's bounding circle, as a fraction of the view's width.
SIZES: dict[str, float] = {"small": 0.16, "medium": 0.24, "large": 0.34}

# Motions of plain objects.  Directions are as the viewer sees them (y grows downwards).
DIRECTIONS: dict[str, tuple[float, float]] = {
    "left": (-1.0, 0.0),
    "right": (1.0, 0.0),
    "up": (0.0, -1.0),
    "down": (0.0, 1.0),
    "up_left": (-0.7071, -0.7071),
    "up_right": (0.7071, -0.7071),
    "down_left": (-0.7071, 0.7071),
    "down_right": (0.7071, 0.7071),
}
MOTIONS: tuple[str, ...] = (
    "still",
    *DIRECTIONS,
    "bounce",
    "fall",
    "spin",
    "grow",
    "shrink",
)

# Named characters: a fixed look each (body colour, accessory and its colour).
# A character's body colour is unique among characters, so it identifies them.
CHARACTERS: dict[str, dict[str, str]] = {
    "momo": {"body": "pink", "accessory": "bow", "accent": "red"},
    "kiko": {"body": "blue", "accessory": "hat", "accent": "yellow"},
    "tama": {"body": "orange", "accessory": "crown", "accent": "yellow"},
    "pip": {"body": "green", "accessory": "antenna", "accent": "red"},
}
ACTIONS: tuple[str, ...] = ("stand", "walk_left", "walk_right", "jump", "wave")

BACKGROUNDS: tuple[str, ...] = (
    "grey",
    "cream",
    "day",
    "sunset",
    "night",
    "grass",
    "sea",
    "checker",
)
CAMERAS: tuple[str, ...] = (
    "static",
    "pan_left",
    "pan_right",
    "pan_up",
    "pan_down",
    "zoom_in",
    "zoom_out",
)
RELATIONS: tuple[str, ...] = ("left_of", "right_of", "above", "below")
# A camera move shows only against a textured background; on plain or gradient backgrounds
# the sampler keeps the camera static and the analyser reports it static.
TEXTURED: tuple[str, ...] = ("night", "grass", "sea", "checker")

MAX_OBJECTS = 3
CHARACTER_RADIUS = 0.17  # characters have one fixed size: body + head + accessory

# Default speeds (world units or factors per second); layout caps them so paths stay in view.
LINEAR_SPEED = 0.30
BOUNCE_SPEED = 0.45
SPIN_RATE = 3.1416  # radians per second
SCALE_RATE = 0.45  # log-scale per second for grow / shrink
WALK_SPEED = 0.22
PAN_SPEED = 0.12
ZOOM_RATE = 0.25  # log-zoom per second


@dataclass
class ObjectSpec:
    """One plain object or named character, with its start state and motion parameters."""

    shape: str  # one of SHAPES, or "character"
    colour: str  # one of COLOURS (a character's body colour)
    size: str = "medium"  # one of SIZES
    motion: str = "still"  # one of MOTIONS, or one of ACTIONS for a character
    x: float = 0.5  # start centre, world units
    y: float = 0.5
    vx: float = 0.0  # world units per second (linear, bounce, walk)
    vy: float = 0.0
    rate: float = 0.0  # spin: rad/s; grow/shrink: log-scale/s; fall: gravity; jump: height
    angle: float = 0.0  # start rotation, radians
    character: str | None = None  # name, when shape == "character"

    @property
    def radius(self) -> float:
        return CHARACTER_RADIUS if self.is_character else SIZES[self.size] / 2

    @property
    def is_character(self) -> bool:
        return self.character is not None


@dataclass
class SceneSpec:
    """Everything the renderer needs: objects, background, camera and an optional relation."""

    objects: list[ObjectSpec] = field(default_factory=list)
    background: str = "grey"
    camera: str = "static"
    camera_rate: float = 0.0  # pan: units/s; zoom: log-zoom/s (sign gives direction)
    relation: tuple[int, str, int] | None = None  # (i, one of RELATIONS, j) at t = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["relation"] = list(self.relation) if self.relation else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SceneSpec:
        rel = d.get("relation")
        return cls(
            objects=[ObjectSpec(**o) for o in d.get("objects", [])],
            background=d.get("background", "grey"),
            camera=d.get("camera", "static"),
            camera_rate=d.get("camera_rate", 0.0),
            relation=(int(rel[0]), str(rel[1]), int(rel[2])) if rel else None,
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def validate(self) -> None:
        """Raise ValueError naming the first field that is outside the vocabulary."""
        if len(self.objects) > MAX_OBJECTS:
            raise ValueError(f"at most {MAX_OBJECTS} objects per scene, got {len(self.objects)}")
        if self.background not in BACKGROUNDS:
            raise ValueError(f"unknown background {self.background!r}; known: {BACKGROUNDS}")
        if self.camera not in CAMERAS:
            raise ValueError(f"unknown camera move {self.camera!r}; known: {CAMERAS}")
        for o in self.objects:
            if o.is_character:
                if o.character not in CHARACTERS:
                    raise ValueError(
                        f"unknown character {o.character!r}; known: {list(CHARACTERS)}"
                    )
                if o.motion not in ACTIONS:
                    raise ValueError(f"unknown action {o.motion!r}; known: {ACTIONS}")
            else:
                if o.shape not in SHAPES:
                    raise ValueError(f"unknown shape {o.shape!r}; known: {SHAPES}")
                if o.motion not in MOTIONS:
                    raise ValueError(f"unknown motion {o.motion!r}; known: {MOTIONS}")
            if o.colour not in COLOURS:
                raise ValueError(f"unknown colour {o.colour!r}; known: {list(COLOURS)}")
            if o.size not in SIZES:
                raise ValueError(f"unknown size {o.size!r}; known: {list(SIZES)}")
        if self.relation is not None:
            i, rel, j = self.relation
            n = len(self.objects)
            if rel not in RELATIONS or not (0 <= i < n and 0 <= j < n) or i == j:
                raise ValueError(f"bad relation {self.relation!r}")
