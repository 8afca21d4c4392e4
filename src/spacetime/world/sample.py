"""Random scenes and datasets of world clips with captions."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .motion import layout
from .render import render
from .spec import (
    ACTIONS,
    BACKGROUNDS,
    CAMERAS,
    CHARACTERS,
    COLOURS,
    MAX_OBJECTS,
    MOTIONS,
    RELATIONS,
    SHAPES,
    SIZES,
    TEXTURED,
    ObjectSpec,
    SceneSpec,
)

OBJECT_COUNT_WEIGHTS = (0.5, 0.3, 0.2)  # P(1 object), P(2), P(3)
CHARACTER_SHARE = 0.2  # chance that an object is a named character
CAMERA_SHARE = 0.5  # chance of a camera move on a textured background
RELATION_SHARE = 0.3  # chance that a scene of 2+ objects states a relation
REPEAT_SHARE = 0.15  # chance that an object repeats the previous one ("two red circles")


HELD_OUT_VERSION = 1


def is_held_out(colour: str, shape: str, motion: str) -> bool:
    """The held-out rule (version 1): a plain object's (colour, shape, motion) triple is kept
    out of every training set when (i_colour + i_shape + i_motion) % 7 == 3, with indices into
    COLOURS, SHAPES and MOTIONS. One triple in seven is held out, and every colour, shape and
    motion still appears in training with others, so held-out prompts test composition."""
    c, s, m = list(COLOURS).index(colour), SHAPES.index(shape), MOTIONS.index(motion)
    return (c + s + m) % 7 == 3


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


def random_names(
    rng: np.random.Generator,
    max_objects: int = MAX_OBJECTS,
    characters: bool = True,
    objects: int | None = None,
    held_out: str = "exclude",
) -> SceneSpec:
    """A random scene with names only (layout fills the numbers).

    Rules: each character at most once; a circle never spins (it would look still); camera
    moves only over textured backgrounds (elsewhere they cannot be seen); an object sometimes
    repeats the previous one, so counted captions ("two red circles") occur. held_out says
    what to do with held-out triples (see is_held_out): "exclude" (the default, and the only
    choice for training data), "only" (every plain object is held out), or "any".
    """
    if held_out not in ("exclude", "only", "any"):
        raise ValueError(f"held_out must be 'exclude', 'only' or 'any', got {held_out!r}")
    if objects is None:
        w = np.asarray(OBJECT_COUNT_WEIGHTS[:max_objects])
        objects = 1 + int(rng.choice(len(w), p=w / w.sum()))
    objs: list[ObjectSpec] = []
    for _ in range(objects):
        free = [c for c in CHARACTERS if all(o.character != c for o in objs)]
        prev = objs[-1] if objs else None
        if prev is not None and not prev.is_character and rng.random() < REPEAT_SHARE:
            objs.append(ObjectSpec(prev.shape, prev.colour, prev.size, prev.motion))
            continue
        if characters and free and rng.random() < CHARACTER_SHARE:
            name = _pick(rng, free)
            objs.append(
                ObjectSpec(
                    "character",
                    CHARACTERS[name]["body"],
                    "medium",
                    _pick(rng, ACTIONS),
                    character=name,
                )
            )
            continue
        while True:
            shape, colour = _pick(rng, SHAPES), _pick(rng, list(COLOURS))
            motion = _pick(rng, [m for m in MOTIONS if not (shape == "circle" and m == "spin")])
            out = is_held_out(colour, shape, motion)
            if held_out == "any" or out == (held_out == "only"):
                break
        objs.append(ObjectSpec(shape, colour, _pick(rng, list(SIZES)), motion))
    background = _pick(rng, BACKGROUNDS)
    camera = "static"
    if background in TEXTURED and rng.random() < CAMERA_SHARE:
        camera = _pick(rng, CAMERAS[1:])
    relation = None
    if len(objs) >= 2 and rng.random() < RELATION_SHARE:
        i, j = (int(v) for v in rng.choice(len(objs), size=2, replace=False))
        relation = (i, _pick(rng, RELATIONS), j)
    return SceneSpec(objs, background, camera, relation=relation)


def sample_scene(rng: np.random.Generator, seconds: float, **kwargs) -> SceneSpec:
    """A random scene laid out for a clip of the given length, objects apart and in view."""
    for _ in range(100):
        names = random_names(rng, **kwargs)
        try:
            return layout(names, seconds, seed=int(rng.integers(2**31)), strict=True)
        except ValueError:
            continue
    raise RuntimeError("could not lay out a random scene in 100 tries")


@dataclass
class ClipSettings:
    frames: int = 17
    fps: float = 8.0
    size: int = 64

    @property
    def seconds(self) -> float:
        return (self.frames - 1) / self.fps


_CLIP_NAME = re.compile(r"\d{6}(\.mp4|\.webm|\.gif|\.gif\.recipe\.json)?")  # write_dataset's


def _earlier_clips(out: Path) -> set[str]:
    """The clips an earlier write_dataset wrote in out ("clips/000001.mp4"; an interrupted
    one's too). ValueError when out holds anything a world dataset does not, such as a user's
    own videos and their captions.jsonl: nothing there is ever deleted."""
    if not out.exists():
        return set()
    if not out.is_dir():
        raise ValueError(f"--out {out} is a file; give a folder")
    refuse = f"refusing to write into {out}: it is not a world dataset folder"
    ours = ("captions.jsonl", ".captions.jsonl.tmp", "clips")  # .tmp: an interrupted run's
    extra = [p.name for p in out.iterdir() if p.name not in ours]
    clips = out / "clips"
    if clips.exists() and not clips.is_dir():
        extra.append("clips")
    elif clips.is_dir():
        extra += [f"clips/{p.name}" for p in clips.iterdir() if not _CLIP_NAME.fullmatch(p.name)]
    if extra:
        shown = ", ".join(sorted(extra)[:3]) + (", ..." if len(extra) > 3 else "")
        raise ValueError(f"{refuse} (it holds {shown}); choose a new or empty folder")
    listed = out / "captions.jsonl"
    lines = listed.read_text(errors="replace").splitlines() if listed.is_file() else []
    bad = next((k for k, x in enumerate(lines, 1) if not _world_line(x)), None)
    if bad is not None:  # another file listed, or a line cut or edited: not ours to delete
        raise ValueError(
            f"{refuse} (line {bad} of its captions.jsonl is not one a world dataset writes); "
            "choose a new folder"
        )
    return {f"clips/{p.name}" for p in clips.iterdir()} if clips.is_dir() else set()


def _world_line(text: str) -> bool:
    """Whether a captions.jsonl line is one write_dataset writes (blank lines pass)."""
    if not text.strip():
        return True
    try:
        line = json.loads(text)
    except json.JSONDecodeError:
        return False
    file = line.get("file") if isinstance(line, dict) else None
    return (
        isinstance(file, str)
        and "scene" in line
        and _CLIP_NAME.fullmatch(file[6:]) is not None
        and file.startswith("clips/")
    )


def write_dataset(
    out: Path,
    n: int,
    settings: ClipSettings,
    seed: int = 0,
    ext: str = ".mp4",
    caption_fn: Callable[[SceneSpec, np.random.Generator], str] | None = None,
    progress: Callable[[int], None] | None = None,
    **kwargs,
) -> Path:
    """Write n clips to out/clips and one line per clip to out/captions.jsonl.

    Each line is {"file", "caption"} (the format for a user's own videos) plus the world's
    extras: "scene" (the exact spec) and "seed". Clip i depends only on (seed, i).
    """
    from ..io import Video, write_video
    from ..io.video import SIDECAR_SUFFIX
    from .caption import caption as default_caption

    caption_fn = caption_fn or default_caption
    listed = out / "captions.jsonl"
    old = _earlier_clips(out)  # the clips an earlier dataset here wrote: removed unless rewritten
    (out / "clips").mkdir(parents=True, exist_ok=True)
    tmp = out / ".captions.jsonl.tmp"
    try:
        with tmp.open("w") as f:
            for i in range(n):
                rng = np.random.default_rng([seed, i])
                scene = sample_scene(rng, settings.seconds, **kwargs)
                text = caption_fn(scene, rng)
                frames = render(scene, settings.frames, settings.fps, settings.size)
                name = f"clips/{i:06d}{ext}"
                recipe = {
                    "prompt": text,
                    "seed": seed,
                    "index": i,
                    "model": "world-renderer",
                    "scene": scene.to_dict(),
                }
                write_video(Video(frames, settings.fps, recipe), out / name)
                old.discard(name)
                old.discard(name + SIDECAR_SUFFIX)  # a GIF's recipe
                line = {"file": name, "caption": text, "scene": scene.to_dict(), "seed": [seed, i]}
                f.write(json.dumps(line) + "\n")
                if progress:
                    progress(i + 1)
        os.replace(tmp, listed)
    finally:
        tmp.unlink(missing_ok=True)  # interrupted: the clips so far stay, replaced by a rerun
    for name in old:
        path = out / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return listed
