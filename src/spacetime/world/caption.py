"""Random English captions for scene specs, with many phrasings per construct.

Every caption names each object (colour, shape, size; "medium" may be left out), its motion
("still" may be left out), the background ("grey" may be left out), the camera move ("static"
may be left out) and the spatial relation, and `spacetime.world.parse.parse` reads every caption
back into exactly the same names, objects in the same order. The phrase tables below are also
the parser's core vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from .spec import (
    CHARACTERS,
    COLOURS,
    DIRECTIONS,
    SHAPES,
    SIZES,
    ObjectSpec,
    SceneSpec,
)

Forms = tuple[str, str, str]  # (participle, singular present, plural present)

# Plain-object motion: a movement verb followed by a direction phrase.
MOVE_VERBS: tuple[Forms, ...] = (
    ("moving", "moves", "move"),
    ("drifting", "drifts", "drift"),
    ("sliding", "slides", "slide"),
    ("heading", "heads", "head"),
    ("travelling", "travels", "travel"),
)
DIRECTION_PHRASES: dict[str, tuple[str, ...]] = {
    "left": ("left", "to the left", "leftward", "towards the left"),
    "right": ("right", "to the right", "rightward", "towards the right"),
    "up": ("up", "upward", "towards the top", "straight up"),
    "down": ("down", "downward", "towards the bottom", "straight down"),
    "up_left": (
        "up and to the left",
        "up and left",
        "up-left",
        "diagonally up and to the left",
        "towards the upper left",
        "towards the top left",
    ),
    "up_right": (
        "up and to the right",
        "up and right",
        "up-right",
        "diagonally up and to the right",
        "towards the upper right",
        "towards the top right",
    ),
    "down_left": (
        "down and to the left",
        "down and left",
        "down-left",
        "diagonally down and to the left",
        "towards the lower left",
        "towards the bottom left",
    ),
    "down_right": (
        "down and to the right",
        "down and right",
        "down-right",
        "diagonally down and to the right",
        "towards the lower right",
        "towards the bottom right",
    ),
}
# The other plain-object motions, each a whole phrase.
MOTION_PHRASES: dict[str, tuple[Forms, ...]] = {
    "still": (
        ("sitting still", "sits still", "sit still"),
        ("resting", "rests", "rest"),
        ("motionless", "is motionless", "are motionless"),
        ("staying still", "stays still", "stay still"),
        ("holding still", "holds still", "hold still"),
        ("not moving", "does not move", "do not move"),
        ("at rest", "is at rest", "are at rest"),
        ("staying put", "stays put", "stay put"),
    ),
    "bounce": (
        ("bouncing off the walls", "bounces off the walls", "bounce off the walls"),
        ("bouncing around", "bounces around", "bounce around"),
        ("bouncing from wall to wall", "bounces from wall to wall", "bounce from wall to wall"),
        ("bouncing around the frame", "bounces around the frame", "bounce around the frame"),
        ("bouncing", "bounces", "bounce"),
    ),
    "fall": (
        (
            "falling and bouncing on the floor",
            "falls and bounces on the floor",
            "fall and bounce on the floor",
        ),
        ("dropping under gravity", "is dropping under gravity", "are dropping under gravity"),
        ("falling under gravity", "falls under gravity", "fall under gravity"),
        ("falling to the floor", "falls to the floor", "fall to the floor"),
        ("falling down", "falls down", "fall down"),
        ("falling", "falls", "fall"),
    ),
    "spin": (
        ("spinning", "spins", "spin"),
        ("rotating", "rotates", "rotate"),
        ("spinning in place", "spins in place", "spin in place"),
        ("rotating on the spot", "rotates on the spot", "rotate on the spot"),
        ("turning round and round", "turns round and round", "turn round and round"),
        ("spinning around", "spins around", "spin around"),
    ),
    "grow": (
        ("growing", "grows", "grow"),
        ("getting bigger", "gets bigger", "get bigger"),
        ("growing larger", "grows larger", "grow larger"),
        ("increasing in size", "increases in size", "increase in size"),
        ("scaling up", "scales up", "scale up"),
        ("growing in size", "grows in size", "grow in size"),
    ),
    "shrink": (
        ("shrinking", "shrinks", "shrink"),
        ("getting smaller", "gets smaller", "get smaller"),
        ("shrinking in size", "shrinks in size", "shrink in size"),
        ("decreasing in size", "decreases in size", "decrease in size"),
        ("scaling down", "scales down", "scale down"),
        ("becoming smaller", "becomes smaller", "become smaller"),
    ),
}
# Adjectives placed before the noun: "a spinning red star".
PRE_MOTION: dict[str, tuple[str, ...]] = {
    "still": ("motionless", "resting", "still"),
    "bounce": ("bouncing",),
    "fall": ("falling",),
    "spin": ("spinning", "rotating"),
    "grow": ("growing",),
    "shrink": ("shrinking",),
}

# Characters: a walking verb and a direction, or a whole action phrase.  (participle, present)
WALK_VERBS: tuple[tuple[str, str], ...] = (
    ("walking", "walks"),
    ("strolling", "strolls"),
    ("stepping", "steps"),
    ("trotting", "trots"),
)
WALK_DIRECTIONS: dict[str, str] = {"walk_left": "left", "walk_right": "right"}
ACTION_PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "stand": (
        ("standing still", "stands still"),
        ("standing", "stands"),
        ("standing around", "stands around"),
        ("standing in place", "stands in place"),
        ("waiting patiently", "waits patiently"),
        ("standing quietly", "stands quietly"),
    ),
    "jump": (
        ("jumping up and down", "jumps up and down"),
        ("jumping", "jumps"),
        ("hopping", "hops"),
        ("hopping up and down", "hops up and down"),
        ("jumping on the spot", "jumps on the spot"),
        ("jumping for joy", "jumps for joy"),
    ),
    "wave": (
        ("waving hello", "waves hello"),
        ("waving", "waves"),
        ("waving an arm", "waves an arm"),
        ("waving happily", "waves happily"),
        ("waving at the viewer", "waves at the viewer"),
        ("saying hello", "says hello"),
    ),
}

SIZE_WORDS: dict[str, tuple[str, ...]] = {
    "small": ("small",),
    "medium": ("", "", "medium", "medium-sized"),
    "large": ("large",),
}
PLURALS: dict[str, str] = {s: s + ("es" if s.endswith("s") else "s") for s in SHAPES}
COUNT_WORDS: dict[int, tuple[str, ...]] = {2: ("two", "a pair of"), 3: ("three",)}

BACKGROUND_PHRASES: dict[str, tuple[str, ...]] = {
    "grey": (
        "on a grey background",
        "on plain grey",
        "against a grey backdrop",
        "on a plain grey background",
        "in front of a grey backdrop",
    ),
    "cream": (
        "on a cream background",
        "on plain cream",
        "against a cream backdrop",
        "on a cream-coloured background",
        "in front of a cream backdrop",
    ),
    "day": (
        "under a blue daytime sky",
        "under a blue sky",
        "against a daytime sky",
        "on a bright day",
        "in the daytime",
    ),
    "sunset": (
        "at sunset",
        "against a sunset sky",
        "under an orange sunset sky",
        "in the glow of a sunset",
        "with a sunset behind",
    ),
    "night": (
        "against a starry night sky",
        "at night",
        "under a starry sky",
        "on a starry night",
        "under the night sky",
    ),
    "grass": (
        "in a grassy field",
        "on the grass",
        "in a field of grass",
        "on grassy ground",
        "over a grassy field",
    ),
    "sea": ("by the sea", "over the sea", "at sea", "beside the sea", "in front of the sea"),
    "checker": (
        "on a checkered floor",
        "on a checkered background",
        "over a checkered floor",
        "on a checker pattern",
        "against a checkered backdrop",
    ),
}
# Camera moves, after "the camera" / "the view":  (present, participle)
CAMERA_PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "static": (
        ("is still", "holding still"),
        ("stays still", "staying still"),
        ("holds still", "holding still"),
        ("does not move", "not moving"),
        ("stays put", "staying put"),
    ),
    "pan_left": (
        ("pans left", "panning left"),
        ("pans to the left", "panning to the left"),
        ("slowly pans left", "slowly panning left"),
        ("is panning left", "panning left"),
        ("pans slowly to the left", "panning slowly to the left"),
    ),
    "pan_right": (
        ("pans right", "panning right"),
        ("pans to the right", "panning to the right"),
        ("slowly pans right", "slowly panning right"),
        ("is panning right", "panning right"),
        ("pans slowly to the right", "panning slowly to the right"),
    ),
    "pan_up": (
        ("tilts up", "tilting up"),
        ("tilts upward", "tilting upward"),
        ("pans up", "panning up"),
        ("pans upward", "panning upward"),
        ("slowly tilts up", "slowly tilting up"),
    ),
    "pan_down": (
        ("tilts down", "tilting down"),
        ("tilts downward", "tilting downward"),
        ("pans down", "panning down"),
        ("pans downward", "panning downward"),
        ("slowly tilts down", "slowly tilting down"),
    ),
    "zoom_in": (
        ("zooms in", "zooming in"),
        ("slowly zooms in", "slowly zooming in"),
        ("pushes in", "pushing in"),
        ("is zooming in", "zooming in"),
        ("zooms in closer", "zooming in closer"),
    ),
    "zoom_out": (
        ("zooms out", "zooming out"),
        ("slowly zooms out", "slowly zooming out"),
        ("pulls back", "pulling back"),
        ("pulls out", "pulling out"),
        ("is zooming out", "zooming out"),
    ),
}
STATIC_CAMERA_NPS: tuple[str, ...] = ("a static camera", "a fixed camera", "a steady camera")
CAMERA_NOUNS: tuple[str, ...] = ("the camera", "the camera", "the view")

# "X <phrase> Y" and "... with X <phrase>" (X is the subject, Y / "it" the anchor).
RELATION_PHRASES: dict[str, tuple[str, ...]] = {
    "left_of": ("to the left of", "left of", "on the left of", "on the left side of"),
    "right_of": ("to the right of", "right of", "on the right of", "on the right side of"),
    "above": ("above", "over", "higher than", "directly above"),
    "below": ("below", "under", "underneath", "lower than", "directly below"),
}
RELATION_IT_PHRASES: dict[str, tuple[str, ...]] = {
    "left_of": ("to its left", "on its left", "to the left of it"),
    "right_of": ("to its right", "on its right", "to the right of it"),
    "above": ("above it", "over it", "directly above it"),
    "below": ("below it", "under it", "underneath it", "directly below it"),
}
ORDINALS: tuple[str, ...] = ("first", "second", "third")

INTROS: tuple[tuple[str, str], ...] = (  # (before one thing, before several)
    ("a video of", "a video of"),
    ("a clip of", "a clip of"),
    ("we see", "we see"),
    ("there is", "there are"),
    ("an animation of", "an animation of"),
    ("the scene shows", "the scene shows"),
    ("footage of", "footage of"),
)
LIST_JOINS: tuple[str, ...] = (" and ", ", and ", " as well as ", " along with ")
SENTENCE_JOINS: tuple[str, ...] = (
    " and ",
    ", and ",
    ", while ",
    " while ",
    "; ",
    ". ",
    ", as ",
    ". Meanwhile, ",
)
_GLUE = "a an the is are that which who with it its one all as while and along well meanwhile"

_WORD = re.compile(r"[a-z0-9]+")


def _words_of(texts: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for t in texts:
        out.update(_WORD.findall(t.lower()))
    return out


def _all_caption_strings() -> list[str]:
    texts: list[str] = [_GLUE, *COLOURS, *SHAPES, *PLURALS.values(), *SIZES, *CHARACTERS]
    texts += [w for forms in MOVE_VERBS for w in forms]
    texts += [p for ps in DIRECTION_PHRASES.values() for p in ps]
    texts += [w for fs in MOTION_PHRASES.values() for forms in fs for w in forms]
    texts += [p for ps in PRE_MOTION.values() for p in ps]
    texts += [w for forms in WALK_VERBS for w in forms]
    texts += [w for fs in ACTION_PHRASES.values() for forms in fs for w in forms]
    texts += [w for ws in SIZE_WORDS.values() for w in ws]
    texts += [w for ws in COUNT_WORDS.values() for w in ws]
    texts += [p for ps in BACKGROUND_PHRASES.values() for p in ps]
    texts += [w for fs in CAMERA_PHRASES.values() for forms in fs for w in forms]
    texts += [*STATIC_CAMERA_NPS, *CAMERA_NOUNS, *ORDINALS, *LIST_JOINS, *SENTENCE_JOINS]
    texts += [p for ps in RELATION_PHRASES.values() for p in ps]
    texts += [p for ps in RELATION_IT_PHRASES.values() for p in ps]
    texts += [w for pair in INTROS for w in pair]
    return texts


CAPTION_WORDS: frozenset[str] = frozenset(_words_of(_all_caption_strings()))


def _pick(rng: np.random.Generator, seq: tuple[str, ...] | list[str]) -> str:
    return seq[int(rng.integers(len(seq)))]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


class _Captioner:
    """One caption for one scene; objects are mentioned in scene order."""

    def __init__(self, scene: SceneSpec, rng: np.random.Generator) -> None:
        self.scene = scene
        self.rng = rng

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    # -- pieces -------------------------------------------------------------------------
    def noun_phrase(self, group: list[int], pre: str = "") -> str:
        o = self.scene.objects[group[0]]
        if o.is_character:
            return str(o.character).capitalize()
        noun = o.shape if len(group) == 1 else PLURALS[o.shape]
        words = [w for w in (pre, _pick(self.rng, SIZE_WORDS[o.size]), o.colour, noun) if w]
        if len(group) == 1:
            return f"{_article(words[0])} {' '.join(words)}"
        return f"{_pick(self.rng, COUNT_WORDS[len(group)])} {' '.join(words)}"

    def motion(self, o: ObjectSpec, form: int) -> str:
        """form 0: participle, 1: singular present, 2: plural present."""
        rng = self.rng
        if o.is_character:
            if o.motion in WALK_DIRECTIONS:
                pair = WALK_VERBS[int(rng.integers(len(WALK_VERBS)))]
                dirs = DIRECTION_PHRASES[WALK_DIRECTIONS[o.motion]]
                return f"{pair[min(form, 1)]} {_pick(rng, dirs)}"
            pairs = ACTION_PHRASES[o.motion]
            return pairs[int(rng.integers(len(pairs)))][min(form, 1)]
        if o.motion in DIRECTIONS:
            verb = MOVE_VERBS[int(rng.integers(len(MOVE_VERBS)))][form]
            return f"{verb} {_pick(rng, DIRECTION_PHRASES[o.motion])}"
        forms = MOTION_PHRASES[o.motion]
        return forms[int(rng.integers(len(forms)))][form]

    def item(self, group: list[int], sentence: bool) -> str:
        """A clause for one object or counted group: as a noun phrase, or a full sentence."""
        o = self.scene.objects[group[0]]
        plural = len(group) > 1
        resting = o.motion in ("still", "stand")
        be = "are" if plural else "is"
        if sentence:
            if self.chance(0.5):
                return f"{self.noun_phrase(group)} {self.motion(o, 2 if plural else 1)}"
            return f"{self.noun_phrase(group)} {be} {self.motion(o, 0)}"
        kind = int(self.rng.integers(4))
        if resting and self.chance(0.3):
            return self.noun_phrase(group)
        if kind == 0 and not o.is_character and o.motion in PRE_MOTION:
            return self.noun_phrase(group, pre=_pick(self.rng, PRE_MOTION[o.motion]))
        if kind <= 1:
            return f"{self.noun_phrase(group)} {self.motion(o, 0)}"
        rel = ", who" if o.is_character else _pick(self.rng, (" that", " which"))
        if kind == 2:
            return f"{self.noun_phrase(group)}{rel} {be} {self.motion(o, 0)}"
        return f"{self.noun_phrase(group)}{rel} {self.motion(o, 2 if plural else 1)}"

    # -- structure ----------------------------------------------------------------------
    def groups(self) -> list[list[int]]:
        """Runs of adjacent identical plain objects (outside the relation) may be counted."""
        objs = self.scene.objects
        rel = (
            set()
            if self.scene.relation is None
            else {self.scene.relation[0], self.scene.relation[2]}
        )

        def key(k: int) -> tuple[str, str, str, str] | None:
            o = objs[k]
            if o.is_character or k in rel:
                return None
            return (o.shape, o.colour, o.size, o.motion)

        out: list[list[int]] = []
        for k in range(len(objs)):
            if out and key(k) is not None and key(k) == key(out[-1][-1]):
                out[-1].append(k)
            else:
                out.append([k])
        split: list[list[int]] = []
        for g in out:
            if len(g) > 1 and self.chance(0.35):
                split.extend([k] for k in g)
            else:
                split.append(g)
        return split

    def join(self, items: list[str], sentence: bool) -> str:
        text = items[0]
        for k, it in enumerate(items[1:], start=1):
            if sentence:
                text += _pick(self.rng, SENTENCE_JOINS) + it
            elif k < len(items) - 1:
                text += ", " + it
            else:
                text += _pick(self.rng, LIST_JOINS) + it
        return text

    def relation_item(
        self, gi: int, gj: int, groups: list[list[int]], sentence: bool
    ) -> tuple[str, bool]:
        """Merged text for two adjacent groups in the relation, and whether it must lead."""
        assert self.scene.relation is not None
        i, rel, _ = self.scene.relation
        ga, gb = groups[gi], groups[gj]
        first, second = (ga, gb) if gi < gj else (gb, ga)
        forms: list[tuple[str, bool]] = []
        if first == [i]:  # subject first: "X to the left of Y"
            subj = self.item(first, sentence)
            forms.append(
                (
                    f"{subj} {_pick(self.rng, RELATION_PHRASES[rel])} {self.item(second, False)}",
                    False,
                )
            )
            if sentence:
                forms.append(
                    (
                        f"{self.item(first, True)}. It is "
                        f"{_pick(self.rng, RELATION_PHRASES[rel])} "
                        f"{self.item(second, False)}",
                        False,
                    )
                )
            return forms[int(self.rng.integers(len(forms)))]
        # anchor first: "Y, with X to its left" / "Y, and to its left X" / "To the left of Y, X"
        anchor = self.item(first, sentence)
        it = _pick(self.rng, RELATION_IT_PHRASES[rel])
        o = self.scene.objects[i]
        forms.append(
            (
                f"{anchor}{_pick(self.rng, (' with', ', with', ', and'))} "
                f"{self.item(second, False)} {it}",
                False,
            )
        )
        if not o.is_character and self.chance(0.5):
            forms.append(
                (f"{anchor}, with {self.noun_phrase(second)} {it}, {self.motion(o, 0)}", False)
            )
        forms.append((f"{anchor}, and {it} {self.item(second, False)}", False))
        forms.append(
            (
                f"{anchor}; {it} {_pick(self.rng, ('is', 'we see'))} {self.item(second, False)}",
                False,
            )
        )
        forms.append((f"{anchor}. {it.capitalize()}, {self.item(second, sentence)}", False))
        forms.append(
            (
                f"{_pick(self.rng, RELATION_PHRASES[rel])} {self.item(first, False)}, "
                f"{self.item(second, sentence)}",
                True,
            )
        )
        return forms[int(self.rng.integers(len(forms)))]

    def body(self) -> tuple[str, bool, str]:
        """Objects text, whether an intro may precede it, and a trailing ordinal sentence."""
        scene = self.scene
        sentence = self.chance(0.5)
        groups = self.groups()
        items: list[str] = []
        ordinal = ""
        may_intro = not sentence
        pair: tuple[int, int] | None = None
        if scene.relation is not None:
            i, rel, j = scene.relation
            gi = next(k for k, g in enumerate(groups) if i in g)
            gj = next(k for k, g in enumerate(groups) if j in g)
            if abs(gi - gj) == 1 and self.chance(0.8):
                pair = (min(gi, gj), max(gi, gj))
            else:
                oi, oj = ORDINALS[i], ORDINALS[j]
                tmpl = _pick(
                    self.rng,
                    (
                        "The {a} is {r} the {b}",
                        "The {a} one is {r} the {b} one",
                        "The {a} is {r} the {b} one",
                    ),
                )
                ordinal = tmpl.format(a=oi, b=oj, r=_pick(self.rng, RELATION_PHRASES[rel]))
        k = 0
        while k < len(groups):
            if pair is not None and k == pair[0]:
                assert scene.relation is not None
                i, _, j = scene.relation
                gi = next(n for n, g in enumerate(groups) if i in g)
                gj = next(n for n, g in enumerate(groups) if j in g)
                text, lead = self.relation_item(gi, gj, groups, sentence)
                if lead and k > 0:  # a leading relation must start its own sentence
                    text = ". " + text
                    items[-1] += text
                else:
                    items.append(text)
                    if lead:
                        may_intro = False
                k += 2
                continue
            items.append(self.item(groups[k], sentence))
            k += 1
        return self.join(items, sentence), may_intro, ordinal

    def camera(self) -> tuple[str, str]:
        """(prefix, suffix) for the camera move; both may be empty."""
        cam = self.scene.camera
        if cam == "static":
            if self.chance(0.5):
                return "", ""
            if self.chance(0.3):
                return "", f" with {_pick(self.rng, STATIC_CAMERA_NPS)}"
        pres, part = CAMERA_PHRASES[cam][int(self.rng.integers(len(CAMERA_PHRASES[cam])))]
        noun = _pick(self.rng, CAMERA_NOUNS)
        if self.chance(0.25):
            return f"{_pick(self.rng, ('as', 'while'))} {noun} {pres}, ", ""
        suffix = _pick(
            self.rng,
            (
                f", while {noun} {pres}",
                f" as {noun} {pres}",
                f". {noun.capitalize()} {pres}",
                f"; {noun} {pres}",
                f", with {noun} {part}",
                f" with {noun} {part}",
            ),
        )
        return "", suffix

    def background(self) -> tuple[str, str]:
        """(prefix, suffix) for the background; both may be empty."""
        bg = self.scene.background
        if bg == "grey" and self.chance(0.35):
            return "", ""
        phrase = _pick(self.rng, BACKGROUND_PHRASES[bg])
        if self.chance(0.3):
            return f"{phrase}, ", ""
        return "", _pick(self.rng, (f" {phrase}", f", {phrase}", f", all {phrase}"))

    def caption(self) -> str:
        body, may_intro, ordinal = self.body()
        bg_pre, bg_suf = self.background()
        cam_pre, cam_suf = self.camera()
        prefix = bg_pre + cam_pre
        if may_intro and not prefix and self.chance(0.4):
            several = len(self.scene.objects) > 1
            intro = INTROS[int(self.rng.integers(len(INTROS)))][1 if several else 0]
            body = f"{intro} {body}"
        text = prefix + body + bg_suf + cam_suf
        if ordinal:
            text += ". " + ordinal
        if self.chance(0.5):
            text += "."
        text = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
        return text


def caption(scene: SceneSpec, rng: np.random.Generator) -> str:
    """One random English caption that names everything in the scene."""
    scene.validate()
    if not scene.objects:
        raise ValueError("cannot caption a scene without objects")
    for o in scene.objects:
        if o.is_character and o.colour != CHARACTERS[str(o.character)]["body"]:
            raise ValueError(f"{o.character} must have its body colour; got {o.colour!r}")
    return _Captioner(scene, rng).caption()


def captions(scene: SceneSpec, n: int, seed: int = 0) -> list[str]:
    """n captions for one scene, distinct where the vocabulary allows (repeats only if not)."""
    rng = np.random.default_rng(seed)
    seen: list[str] = []
    for _ in range(max(20 * n, 50)):
        if len(seen) >= n:
            break
        c = caption(scene, rng)
        if c not in seen:
            seen.append(c)
    distinct = len(seen)
    while seen and len(seen) < n:
        seen.append(seen[len(seen) % distinct])
    return seen
