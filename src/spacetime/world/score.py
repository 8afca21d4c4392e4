"""Judge an analysed clip against the scene it should show: which attributes came out right."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from .analyse import Analysis, Track
from .motion import object_state
from .spec import ObjectSpec, SceneSpec

ATTRIBUTES = ("colour", "shape", "size", "motion")


@dataclass
class ObjectScore:
    truth: ObjectSpec
    track: Track | None
    right: dict[str, bool] = field(default_factory=dict)  # attribute -> correct

    @property
    def all_right(self) -> bool:
        return self.track is not None and all(self.right.values())


@dataclass
class SceneScore:
    objects: list[ObjectScore]
    background: bool
    camera: bool
    count: bool  # as many tracks as objects
    relation: bool | None  # None when the scene states no relation

    def accuracy(self, attr: str) -> float:
        """Share of objects whose attribute is right (a missing object counts as wrong)."""
        if not self.objects:
            return 1.0
        return sum(o.right.get(attr, False) for o in self.objects) / len(self.objects)


def _cost(o: ObjectSpec, t: Track, fps: float, by_position: bool) -> float:
    """How badly track t fits object o: penalties for wrong names, plus the distance between
    where o is and where t was seen when positions count (the renderer's own clips)."""
    wrong = 1.0 * (o.colour != t.colour) + 1.0 * (
        (o.character or o.shape) != (t.character or t.shape)
    )
    if not by_position:
        return wrong + 0.5 * (o.motion != t.motion) + 0.25 * (o.size != t.size)
    s = object_state(o, t.frames[0] / fps)
    return math.hypot(s.x - t.x[0], s.y - t.y[0]) + 0.5 * wrong


def _names(o: ObjectSpec) -> tuple[str, ...]:
    return (o.character or o.shape, o.colour, o.size, o.motion)


def _relation_holds(rel: str, a: Track, b: Track) -> bool:
    dx, dy = b.x[0] - a.x[0], b.y[0] - a.y[0]
    return {
        "left_of": dx > 0 and abs(dx) > abs(dy),
        "right_of": dx < 0 and abs(dx) > abs(dy),
        "above": dy > 0 and abs(dy) > abs(dx),
        "below": dy < 0 and abs(dy) > abs(dx),
    }[rel]


def score(truth: SceneSpec, analysis: Analysis, by_position: bool = True) -> SceneScore:
    """Match each true object to at most one track (least total cost) and compare names.

    by_position=False matches on names alone: for a generator, which places objects itself.
    """
    objs, tracks = truth.objects, analysis.tracks
    best: tuple[float, tuple[int | None, ...]] = (math.inf, tuple([None] * len(objs)))
    slots: list[int | None] = [*range(len(tracks)), *([None] * len(objs))]
    # dict.fromkeys, not set: a set of tuples holding None iterates in an order that changes
    # from process to process (hash(None) is its address), and so would the tie-breaks.
    for perm in dict.fromkeys(itertools.permutations(slots, len(objs))):
        cost = sum(
            3.0 if j is None else _cost(o, tracks[j], analysis.fps, by_position)
            for o, j in zip(objs, perm, strict=True)
        )
        if cost < best[0]:
            best = (cost, perm)
    scores = []
    for o, j in zip(objs, best[1], strict=True):
        if j is None:
            scores.append(ObjectScore(o, None, {a: False for a in ATTRIBUTES}))
            continue
        t = tracks[j]
        right = {
            "colour": t.colour == o.colour,
            "shape": (t.character or t.shape) == (o.character or o.shape),
            "size": o.is_character or t.size == o.size,
            "motion": t.motion == o.motion,
        }
        scores.append(ObjectScore(o, t, right))
    relation = None
    if truth.relation is not None:
        # Objects with the same names are interchangeable: the relation holds if it holds
        # for any two distinct tracks matched to objects named like its two ends.
        i, rel, k = truth.relation

        def twins(n: int) -> list[Track]:
            key = _names(objs[n])
            return [sc.track for sc in scores if sc.track is not None and _names(sc.truth) == key]

        relation = any(
            a is not b and _relation_holds(rel, a, b) for a in twins(i) for b in twins(k)
        )
    return SceneScore(
        objects=scores,
        background=analysis.background == truth.background,
        camera=analysis.camera == truth.camera,
        count=len(tracks) == len(objs),
        relation=relation,
    )
