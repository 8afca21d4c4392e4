"""Prompt suites for `spacetime eval`: fixed, versioned, and each prompt with its true scene.

Every suite is drawn from its own seed, so a suite of a version is the same everywhere. The
truth of an item is the scene its prompt parses to, laid out for the clip; a generator is
judged on names (colour, shape, motion, ...), never on where it put things.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..world.caption import caption
from ..world.motion import layout
from ..world.parse import EXTRA_SYNONYMS, parse
from ..world.sample import HELD_OUT_VERSION, random_names
from ..world.spec import CAMERAS, RELATIONS, TEXTURED, SceneSpec

SUITES_VERSION = f"1 (held-out rule {HELD_OUT_VERSION})"
SUITES = ("trained", "heldout", "rephrased", "multi", "scenes", "characters")
SIZES = {"quick": 3, "full": 40}  # items per suite


@dataclass
class Item:
    id: str
    suite: str
    prompt: str
    truth: SceneSpec  # names and layout of what the prompt asks for


def _same_names(a: SceneSpec, b: SceneSpec) -> bool:
    def names(s: SceneSpec) -> tuple:
        objs = tuple((o.shape, o.colour, o.size, o.motion, o.character) for o in s.objects)
        return objs, s.background, s.camera, s.relation

    return names(a) == names(b)


def _synonyms() -> dict[tuple[str, str], list[str]]:
    """(field, target) -> words the captioner never uses."""
    out: dict[tuple[str, str], list[str]] = {}
    for word, key in sorted(EXTRA_SYNONYMS.items()):
        out.setdefault(key, []).append(word)
    return out


_MOTION_WORDS = {
    "still": "stationary",
    "spin": "whirling",
    "grow": "expanding",
    "shrink": "dwindling",
    "fall": "plummeting",
    "bounce": "ricocheting",
    "up": "rising",
}
_BACKDROPS = {
    "grey": "on a gray backdrop",
    "cream": "on a beige backdrop",
    "day": "at noon",
    "sunset": "at dusk",
    "night": "at midnight",
    "grass": "in a meadow",
    "sea": "by the ocean",
    "checker": "on a chessboard",
}


def _rephrase(scene: SceneSpec, rng: np.random.Generator) -> str | None:
    """A one-object prompt built from words the captioner never uses, or None."""
    syn = _synonyms()
    o = scene.objects[0]

    def pick(field: str, target: str, default: str) -> str:
        words = syn.get((field, target))
        return str(words[int(rng.integers(len(words)))]) if words else default

    size = pick("size", o.size, o.size)
    colour = pick("colour", o.colour, o.colour)
    shape = pick("shape", o.shape, o.shape)
    if o.motion in _MOTION_WORDS:
        motion = _MOTION_WORDS[o.motion]
    else:  # a direction: an unseen verb, then the direction in plain words
        way = o.motion.replace("_", " and to the ") if "_" in o.motion else o.motion
        motion = f"{pick('move', 'move', 'moving')} {way}"
    article = "an" if size[0] in "aeiou" else "a"
    prompt = f"{article} {size} {colour} {shape} {motion} {_BACKDROPS[scene.background]}"
    try:
        return prompt if _same_names(parse(prompt), scene) else None
    except ValueError:
        return None


def _names(suite: str, rng: np.random.Generator) -> SceneSpec:
    if suite in ("trained", "rephrased"):
        return random_names(rng, objects=1, characters=False)
    if suite == "heldout":
        return random_names(rng, objects=1, characters=False, held_out="only")
    if suite == "multi":
        s = random_names(rng, objects=int(rng.integers(2, 4)), characters=False)
        if s.relation is None:
            s.relation = (0, RELATIONS[int(rng.integers(len(RELATIONS)))], 1)
        return s
    if suite == "scenes":
        s = random_names(rng, objects=1, characters=False)
        s.background = TEXTURED[int(rng.integers(len(TEXTURED)))]
        s.camera = CAMERAS[1 + int(rng.integers(len(CAMERAS) - 1))]
        return s
    if suite == "characters":
        while True:
            s = random_names(rng, objects=int(rng.integers(1, 3)), characters=True)
            if any(o.is_character for o in s.objects):
                return s
    raise ValueError(f"unknown suite {suite!r}; known: {SUITES}")


def build(suite: str, n: int, seconds: float) -> list[Item]:
    """The first n items of a suite (deterministic: item k depends only on suite and k)."""
    items: list[Item] = []
    k = 0
    while len(items) < n:
        rng = np.random.default_rng([SUITES.index(suite), k])
        k += 1
        names = _names(suite, rng)
        try:
            truth = layout(names, seconds, seed=k, strict=True)
        except ValueError:
            continue
        if suite == "rephrased":
            prompt = _rephrase(names, rng)
            if prompt is None:
                continue
        else:
            prompt = caption(names, rng)
        items.append(Item(f"{suite}-{len(items):03d}", suite, prompt, truth))
    return items


def build_all(size: str, seconds: float, suites: tuple[str, ...] = SUITES) -> list[Item]:
    if size not in SIZES:
        raise ValueError(f"unknown suite size {size!r}; choose one of {list(SIZES)}")
    return [item for s in suites for item in build(s, SIZES[size], seconds)]
