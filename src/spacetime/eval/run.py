"""Run prompt suites through a generator and score every clip exactly.

For each item: generate (timed), analyse, match tracks to the true objects by name, and
record faithfulness per attribute, video quality (flicker, warping error, dynamic degree,
object permanence) and cost. Deterministic for a seed, except the wall times.
"""

from __future__ import annotations

import platform
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ..io import Video
from ..world.analyse import analyse
from ..world.score import score
from . import metrics
from .generators import Generator, Request
from .suites import SUITES_VERSION, Item

ATTRIBUTES = (
    "colour",
    "shape",
    "size",
    "motion",
    "count",
    "relation",
    "background",
    "camera",
    "character",
)

CONFUSED = ("shape", "motion")  # attributes whose asked-against-seen counts the report shows


@dataclass
class Result:
    id: str
    suite: str
    prompt: str
    right: dict[str, bool | None]  # attribute -> right; None when the item does not test it
    all_right: bool
    flicker: float
    warping_error: float
    dynamic: bool
    dynamic_score: float
    permanence_ok: bool
    seconds: float  # wall time of the generation
    found: str  # what the analyser saw, in words
    seen: dict[str, list[list[str]]]  # "shape"/"motion" -> [asked, seen] per plain object
    video: Video | None = field(default=None, repr=False)  # kept only for the report's sheets


def judge(item: Item, video: Video) -> dict[str, Any]:
    """Every number about one generated clip, against the item's truth."""
    a = analyse(video.frames, video.fps)
    s = score(item.truth, a, by_position=False)
    objs = s.objects

    def share(attr: str) -> bool | None:
        return all(o.right[attr] for o in objs) if objs else None

    chars = [o for o in objs if o.truth.is_character]
    right: dict[str, bool | None] = {
        "colour": share("colour"),
        "shape": share("shape"),
        "size": share("size"),
        "motion": share("motion"),
        "count": s.count,
        "relation": s.relation,
        "background": s.background,
        "camera": s.camera,
        "character": all(
            o.track is not None and o.track.character == o.truth.character for o in chars
        )
        if chars
        else None,
    }
    dyn, dyn_score = metrics.dynamic_degree(video.frames, video.fps)
    perm = metrics.permanence([t.frames for t in a.tracks], a.num_frames)
    return {
        "right": right,
        "all_right": all(v for v in right.values() if v is not None),
        "flicker": metrics.temporal_flicker(video.frames),
        "warping_error": metrics.warping_error(video.frames),
        "dynamic": bool(dyn),
        "dynamic_score": float(dyn_score),
        "permanence_ok": bool(perm["ok"]),
        "found": a.summary().replace("\n", "; "),
        "seen": {
            attr: [
                [getattr(o.truth, attr), getattr(o.track, attr) if o.track else "missing"]
                for o in objs
                if not o.truth.is_character
            ]
            for attr in CONFUSED
        },
    }


def run(
    generator: Generator,
    items: list[Item],
    frames: int = 17,
    fps: float = 8.0,
    size: int = 64,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[Result]:
    """Generate and judge every item; item k uses seed + k."""
    results = []
    for k, item in enumerate(items):
        req = Request(item.prompt, frames, fps, size, seed + k)
        t0 = time.perf_counter()
        video = generator(req)
        seconds = time.perf_counter() - t0
        results.append(
            Result(
                item.id, item.suite, item.prompt, seconds=seconds, video=video, **judge(item, video)
            )
        )
        if progress:
            progress(k + 1)
    return results


def summarise(results: list[Result], clip_seconds: float) -> dict[str, Any]:
    """Per suite and overall: share right per attribute, quality means, cost."""
    out: dict[str, Any] = {}
    suites = sorted({r.suite for r in results}, key=[r.suite for r in results].index)
    for name in [*suites, "all"]:
        rs = [r for r in results if name in ("all", r.suite)]
        row: dict[str, Any] = {"n": len(rs)}
        for attr in ATTRIBUTES:
            vals = [r.right[attr] for r in rs if r.right[attr] is not None]
            row[attr] = float(np.mean(vals)) if vals else None
        row["all_right"] = float(np.mean([r.all_right for r in rs]))
        row["flicker"] = float(np.mean([r.flicker for r in rs]))
        row["warping_error"] = float(np.mean([r.warping_error for r in rs]))
        row["dynamic"] = float(np.mean([r.dynamic for r in rs]))
        row["permanence"] = float(np.mean([r.permanence_ok for r in rs]))
        secs = [r.seconds for r in rs]
        row["seconds_per_clip"] = float(np.mean(secs))
        row["real_time_factor"] = float(np.mean(secs)) / clip_seconds
        out[name] = row
    return out


def confusion(results: list[Result], attr: str) -> dict[str, dict[str, int]]:
    """asked -> seen -> how many plain objects, over all results (an attribute of CONFUSED)."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        for asked, seen in r.seen[attr]:
            row = out.setdefault(asked, {})
            row[seen] = row.get(seen, 0) + 1
    return out


def environment() -> dict[str, Any]:
    return {
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "python": platform.python_version(),
        "suites_version": SUITES_VERSION,
        # Peak resident memory of the whole process so far (Linux reports KiB).
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def as_records(results: list[Result]) -> list[dict[str, Any]]:
    return [{f.name: getattr(r, f.name) for f in fields(r) if f.name != "video"} for r in results]
