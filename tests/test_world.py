"""The procedural world: renderer, layout, sampler, analyser and scoring on known answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spacetime.world.analyse import analyse
from spacetime.world.motion import _in_view, _screen_path, layout
from spacetime.world.render import render, render_background
from spacetime.world.sample import ClipSettings, random_names, sample_scene, write_dataset
from spacetime.world.score import score
from spacetime.world.spec import (
    BACKGROUNDS,
    CHARACTERS,
    COLOURS,
    SHAPES,
    ObjectSpec,
    SceneSpec,
)


def scene(*objs: ObjectSpec, background: str = "grey", camera: str = "static") -> SceneSpec:
    return layout(SceneSpec(list(objs), background, camera), seconds=2.0, seed=1)


def blur_noise(frames: np.ndarray, seed: int = 0) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    out = np.stack([cv2.GaussianBlur(f, (0, 0), 1.0) for f in frames]).astype(np.float64)
    return np.clip(out + rng.normal(0, 10, out.shape), 0, 255).astype(np.uint8)


def test_render_is_deterministic_and_sized() -> None:
    s = sample_scene(np.random.default_rng(3), 2.0)
    a, b = render(s, 9, 8, 64), render(s, 9, 8, 64)
    assert a.dtype == np.uint8 and a.shape == (9, 64, 64, 3)
    assert np.array_equal(a, b)
    assert render(s, 2, 8, 48, 80).shape == (2, 80, 48, 3)
    assert render(s, 1, 8, 512).shape == (1, 512, 512, 3)


@pytest.mark.parametrize("bad", [{"width": 8}, {"width": 4096}, {"frames": 0}, {"fps": 0}])
def test_render_refuses_impossible_settings(bad: dict) -> None:
    kwargs = {"frames": 3, "fps": 8.0, "width": 64, **bad}
    with pytest.raises(ValueError):
        render(scene(ObjectSpec("circle", "red")), **kwargs)


def test_layout_is_deterministic_and_keeps_paths_in_view() -> None:
    names = random_names(np.random.default_rng(0), objects=3, characters=False)
    a, b = layout(names, 2.0, seed=5), layout(names, 2.0, seed=5)
    assert a == b
    times = np.linspace(0, 2.0, 24)
    for k in range(20):
        s = sample_scene(np.random.default_rng([7, k]), 2.0)
        assert all(_in_view(_screen_path(s, o, times)) for o in s.objects)


def test_long_clips_slow_objects_down_instead_of_losing_them() -> None:
    s = layout(SceneSpec([ObjectSpec("star", "red", motion="right")]), seconds=30.0)
    assert 0 < s.objects[0].vx < 0.05
    assert _in_view(_screen_path(s, s.objects[0], np.linspace(0, 30.0, 60)))


def test_strict_layout_refuses_a_crowd_that_cannot_fit() -> None:
    crowd = SceneSpec([ObjectSpec("square", c, "large", "grow") for c in ("red", "blue", "green")])
    with pytest.raises(ValueError, match="fit"):
        layout(crowd, 2.0, strict=True)


def test_every_shape_and_colour_is_drawn_where_the_spec_says() -> None:
    bg = render_background(SceneSpec(), 0.0, 64, 64)
    for shape in SHAPES:
        for colour in COLOURS:
            s = SceneSpec([ObjectSpec(shape, colour, "large", x=0.3, y=0.6)])
            img = render(s, 1, 8, 64)[0].astype(np.float32)
            mask = np.abs(img - bg).sum(-1) > 60
            ys, xs = np.nonzero(mask)
            assert mask.sum() > 60, (shape, colour)
            assert abs(xs.mean() / 64 - 0.3) < 0.06 and abs(ys.mean() / 64 - 0.6) < 0.06


def test_analyser_finds_every_background() -> None:
    for bg in BACKGROUNDS:
        frames = render(scene(ObjectSpec("circle", "red"), background=bg), 2, 8, 64)
        assert analyse(frames, 8).background == bg


@pytest.mark.parametrize(
    ("obj", "camera", "background"),
    [
        (ObjectSpec("star", "yellow", "medium", "still"), "static", "grey"),
        (ObjectSpec("square", "blue", "small", "right"), "static", "sunset"),
        (ObjectSpec("triangle", "green", "large", "up_left"), "pan_left", "checker"),
        (ObjectSpec("heart", "pink", "medium", "bounce"), "static", "day"),
        (ObjectSpec("cross", "orange", "medium", "fall"), "static", "night"),
        (ObjectSpec("star", "purple", "large", "spin"), "zoom_in", "sea"),
        (ObjectSpec("crescent", "cyan", "medium", "grow"), "static", "cream"),
        (ObjectSpec("circle", "white", "large", "shrink"), "pan_down", "grass"),
    ],
)
def test_analyser_reads_back_a_known_clip(obj: ObjectSpec, camera: str, background: str) -> None:
    s = scene(obj, background=background, camera=camera)
    a = analyse(render(s, 17, 8, 64), 8)
    assert a.camera == camera
    assert len(a.tracks) == 1
    t = a.tracks[0]
    assert (t.colour, t.shape, t.size, t.motion) == (obj.colour, obj.shape, obj.size, obj.motion)


@pytest.mark.parametrize("action", ["stand", "walk_left", "walk_right", "jump", "wave"])
def test_analyser_names_characters_and_their_actions(action: str) -> None:
    for name in ("momo", "pip"):
        body = CHARACTERS[name]["body"]
        s = scene(ObjectSpec("character", body, motion=action, character=name), background="grass")
        t = analyse(render(s, 17, 8, 64), 8).tracks
        assert [(x.character, x.motion) for x in t] == [(name, action)]


def test_analyser_survives_blur_and_noise() -> None:
    right = 0
    for k in range(10):
        s = sample_scene(np.random.default_rng([11, k]), 2.0, objects=1)
        sc = score(s, analyse(blur_noise(render(s, 17, 8, 64), k), 8))
        right += all(sc.objects[0].right[a] for a in ("colour", "shape", "motion"))
    assert right >= 9


def test_analyser_survives_shifted_colours() -> None:
    s = scene(
        ObjectSpec("star", "purple", "medium", "up_right"), background="checker", camera="pan_left"
    )
    frames = render(s, 17, 8, 64).astype(np.float64)
    shifted = np.clip(frames * [1.1, 0.9, 1.05] + [-10, 12, 5], 0, 255).astype(np.uint8)
    a = analyse(shifted, 8)
    assert a.camera == "pan_left"
    assert [(t.colour, t.shape, t.motion) for t in a.tracks] == [("purple", "star", "up_right")]


def test_two_objects_of_one_colour_crossing_stay_two_tracks() -> None:
    s = SceneSpec(
        [
            ObjectSpec("circle", "red", "small", "right", 0.15, 0.5, vx=0.3),
            ObjectSpec("circle", "red", "small", "left", 0.85, 0.5, vx=-0.3),
        ]
    )
    a = analyse(render(s, 17, 8, 64), 8)
    assert sorted(t.motion for t in a.tracks) == ["left", "right"]


def test_score_counts_a_missing_object_as_wrong() -> None:
    s = scene(ObjectSpec("circle", "red", "large"), ObjectSpec("star", "blue", "large"))
    only_red = scene(ObjectSpec("circle", "red", "large"))
    sc = score(s, analyse(render(only_red, 5, 8, 64), 8))
    assert sc.accuracy("colour") == 0.5 and not sc.count
    assert sc.objects[1].track is None


def test_score_breaks_ties_the_same_way_every_run() -> None:
    twins = scene(ObjectSpec("star", "blue", "large"), ObjectSpec("star", "blue", "large"))
    one = scene(ObjectSpec("star", "blue", "large"))
    sc = score(twins, analyse(render(one, 5, 8, 64), 8), by_position=False)
    # either object fits the one track as well; the first in order gets it, in any process
    assert sc.objects[0].track is not None and sc.objects[1].track is None


def test_an_empty_clip_has_no_tracks() -> None:
    a = analyse(render(SceneSpec(background="night"), 5, 8, 64), 8)
    assert a.tracks == [] and a.background == "night"


def test_dataset_writes_clips_and_captions(tmp_path) -> None:
    from spacetime.io import read_video

    path = write_dataset(tmp_path, 3, ClipSettings(frames=5, fps=8, size=32), seed=2)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) == 3
    for line in lines:
        v = read_video(tmp_path / line["file"])
        assert v.frames.shape == (5, 32, 32, 3)
        assert v.recipe["prompt"] == line["caption"]
        SceneSpec.from_dict(line["scene"]).validate()
    again = write_dataset(tmp_path / "b", 3, ClipSettings(frames=5, fps=8, size=32), seed=2)
    assert again.read_text() == path.read_text()


def test_dataset_deletes_only_its_own_clips(tmp_path: Path) -> None:
    """A user's own videos and their captions.jsonl are refused, not taken for stale clips;
    an interrupted dataset is replaced by a rerun; a GIF's recipe goes with its clip."""
    settings = ClipSettings(frames=5, fps=8, size=16)
    mine, victim = tmp_path / "mine", tmp_path / "victim.txt"
    mine.mkdir()
    victim.write_text("keep")
    (mine / "captions.jsonl").write_text(json.dumps({"file": str(victim), "caption": "x"}))
    with pytest.raises(ValueError, match=r"not a world dataset.*line 1 of its captions"):
        write_dataset(mine, 1, settings)
    world = tmp_path / "world"
    write_dataset(world, 2, settings)
    listed = world / "captions.jsonl"
    listed.write_text(listed.read_text()[:-40])  # its last line cut short
    with pytest.raises(ValueError, match=r"line 2 of its captions\.jsonl is not one"):
        write_dataset(world, 1, settings)
    (mine / "holiday.mp4").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"holiday\.mp4"):
        write_dataset(mine, 1, settings)
    assert victim.read_text() == "keep" and sorted(p.name for p in mine.iterdir()) == [
        "captions.jsonl",
        "holiday.mp4",
    ]

    out = tmp_path / "ds"

    def stop(i: int) -> None:
        if i == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dataset(out, 5, settings, ext=".gif", progress=stop)
    assert sorted(p.name for p in out.iterdir()) == ["clips"]  # no half-written listing
    write_dataset(out, 2, settings, ext=".mp4")
    assert sorted(p.name for p in (out / "clips").iterdir()) == ["000000.mp4", "000001.mp4"]


def test_relation_is_judged_from_where_the_objects_are() -> None:
    red, blue = ObjectSpec("circle", "red", "large"), ObjectSpec("square", "blue", "large")
    truth = SceneSpec([red, blue], relation=(0, "left_of", 1))
    left = SceneSpec(
        [
            ObjectSpec("circle", "red", "large", x=0.25, y=0.5),
            ObjectSpec("square", "blue", "large", x=0.75, y=0.5),
        ]
    )
    right = SceneSpec(
        [
            ObjectSpec("circle", "red", "large", x=0.75, y=0.5),
            ObjectSpec("square", "blue", "large", x=0.25, y=0.5),
        ]
    )
    assert score(truth, analyse(render(left, 3, 8, 64), 8), by_position=False).relation is True
    assert score(truth, analyse(render(right, 3, 8, 64), 8), by_position=False).relation is False
