"""The task verbs on a tiny trained model: what each keeps, how windows chain, user errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

from spacetime.cli import app
from spacetime.diffusion import sigmas, starting_at
from spacetime.eval.tasks import _max_jump
from spacetime.inputs import box_mask, fit_frames, fit_mask, fit_mask_each, region_at
from spacetime.io import iter_mask, read_mask, read_video, write_video
from spacetime.io.video import Video
from spacetime.pipeline import Pipeline
from spacetime.verbs import window_starts
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render

FAST = {"steps": 2}


@pytest.fixture(scope="module")
def pipe(tiny_model: Path) -> Pipeline:
    return Pipeline.load(tiny_model)


@pytest.fixture(scope="module")
def clip() -> np.ndarray:
    scene = prompt_to_scene("a red circle moving left on a grass field", 2.0, seed=0)
    return render(scene, 17, 8.0, 32)  # (17, 32, 32, 3): longer than the tiny model's 5


def test_animate_keeps_the_image(pipe: Pipeline, clip: np.ndarray) -> None:
    v = pipe.animate(clip[0], "a red circle moving left on the grass", **FAST)
    assert v.frames.shape == (5, 32, 32, 3)
    assert np.array_equal(v.frames[0], clip[0])
    assert v.recipe["task"] == "animate" and v.recipe["notices"] == []
    long = pipe.animate(clip[0], "a red circle moving left on the grass", frames=13, **FAST)
    assert long.frames.shape[0] == 13 and long.recipe["windows"] > 1
    assert np.array_equal(long.frames[:5], v.frames)  # the first window is the same clip


def test_extend_forward_and_backward(pipe: Pipeline, clip: np.ndarray) -> None:
    fwd = pipe.extend(clip[:9], "a red circle", seconds=2.0, **FAST)
    assert fwd.frames.shape[0] == 9 + 16 and fwd.recipe["windows"] > 1
    assert np.array_equal(fwd.frames[:9], clip[:9])
    back = pipe.extend(clip[:9], "a red circle", seconds=1.0, backward=True, **FAST)
    assert back.frames.shape[0] == 9 + 8
    assert np.array_equal(back.frames[8:], clip[:9])
    again = pipe.extend(clip[:9], "a red circle", seconds=2.0, **FAST)
    assert np.array_equal(again.frames, fwd.frames)  # same seed, same video


def test_extend_keeps_another_frame_rate(pipe: Pipeline, clip: np.ndarray) -> None:
    """A 16 fps clip is given to the model at 8 fps; the result keeps the clip's own frames
    and rate, the new ones raised to 16 fps."""
    v = pipe.extend(clip, "a red circle", seconds=0.5, fps=16.0, **FAST)
    assert (v.fps, v.recipe["fps"], v.frames.shape[0]) == (16.0, 16.0, 17 + 8)
    assert np.array_equal(v.frames[:17], clip)
    assert any("kept at 16 fps" in n for n in v.recipe["notices"])
    back = pipe.extend(clip, "a red circle", seconds=0.5, fps=16.0, backward=True, **FAST)
    assert back.frames.shape[0] == 8 + 17 and np.array_equal(back.frames[8:], clip)
    slow = pipe.extend(clip[:5], "a red circle", seconds=0.5, fps=1.0, **FAST)
    assert slow.frames.shape[0] == 5 + 1  # half a second at 1 fps: one frame, said so
    said = slow.recipe["notices"]
    assert any("lowered to 1 fps" in n for n in said), said
    assert "extend: 0.5 s is 1 frame at 1 fps (1 s)" in said


def test_a_video_from_a_large_photo_is_4k_at_most(
    pipe: Pipeline, clip: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A still over 4K's area (a 24 MP photo: 3.8 GB and an .mp4 few players play) is
    scaled to it for animate, cinemagraph and morph, with a notice; here 4K is 16x16."""
    import spacetime.verbs as verbs

    monkeypatch.setattr(verbs, "MAX_STILL_PIXELS", 16 * 16)
    region = np.zeros((32, 32), bool)
    region[8:24, 8:24] = True
    made = {
        "animate": pipe.animate(clip[0], "x", **FAST),
        "cinemagraph": pipe.cinemagraph(clip[0], "x", region=region, **FAST),
        "morph": pipe.morph(clip[0:1], clip[-1:], seconds=0.5, **FAST),
    }
    for name, v in made.items():
        assert v.frames.shape[1:3] == (16, 16), name
        assert any("32x32 scaled to 16x16 for the video" in n for n in v.recipe["notices"]), name
    small = fit_frames(clip[:1], 16, 16, crop=False)[0]
    assert np.abs(made["animate"].frames[0].astype(int) - small).max() <= 2  # the image, smaller


def test_an_input_too_long_and_thin_is_refused(pipe: Pipeline, clip: np.ndarray) -> None:
    """A 4000x10 strip would be worked on at a side of a token or two: refused, saying so."""
    with pytest.raises(ValueError, match="a 200x10 input is too long and thin"):
        pipe.animate(np.zeros((10, 200, 3), np.uint8), "x", **FAST)
    assert pipe.animate(clip[0, :8], "x", **FAST).frames.shape[1:3] == (8, 32)  # 4:1 is taken
    with pytest.raises(ValueError, match="a 1x1 input is too small to work from"):
        pipe.animate(np.zeros((1, 1, 3), np.uint8), "x", **FAST)


def test_a_video_keeps_its_own_frame_rate(pipe: Pipeline, clip: np.ndarray) -> None:
    """A Video (read from a file, or a verb's result chained on) is taken at its own rate, as
    an array with that fps is; a given fps still wins."""
    v = Video(clip, 16.0, {})
    box = box_mask(32, 32, (4, 4, 8, 8))
    cases = {
        "extend": lambda x, **k: pipe.extend(x, "a red circle", seconds=0.5, **k),
        "interpolate": lambda x, **k: pipe.interpolate(x, factor=2, **k),
        "inpaint": lambda x, **k: pipe.inpaint(x, "a red circle", mask=box, **k),
        "outpaint": lambda x, **k: pipe.outpaint(x, "grass", width=48, height=32, **k),
        "stylize": lambda x, **k: pipe.stylize(x, "a blue circle", **k),
    }
    for name, verb in cases.items():
        made, told = verb(v, **FAST), verb(clip, fps=16.0, **FAST)
        assert made.fps == told.fps == made.recipe["fps"] and made.fps in (16.0, 32.0), name
        assert np.array_equal(made.frames, told.frames), name
    assert pipe.extend(v, "a red circle", seconds=0.5, fps=8.0, **FAST).fps == 8.0
    made = pipe.morph(v, clip[:1], seconds=0.5, **FAST)
    assert any("A is at 16 fps" in n for n in made.recipe["notices"])


def test_a_short_prompt_gets_the_inputs_background(pipe: Pipeline, clip: np.ndarray) -> None:
    """To the model a prompt without a background means plain grey, so a prompt that names
    none gets the one the input shows, with a notice; not when it names one, is empty,
    the input is grey or too plain for a textured backdrop, or complete=False."""
    grass = "in a grassy field"
    v = pipe.extend(clip, "the circle keeps going", seconds=0.5, **FAST)
    assert v.recipe["prompt"] == f"the circle keeps going {grass}"
    assert any(f"{grass!r} added" in n for n in v.recipe["notices"])
    for prompt, opts in (("the circle on the grass", {}), ("x", {"complete": False}), ("", {})):
        made = pipe.animate(clip[0], prompt, **opts, **FAST)
        assert made.recipe["prompt"] == prompt and made.recipe["notices"] == [], prompt
    grey = render(prompt_to_scene("a red circle on plain grey", 1.0), 5, 8.0, 32)
    assert pipe.stylize(grey, "a blue circle", **FAST).recipe["prompt"] == "a blue circle"
    flat = np.full((32, 32, 3), 81, np.uint8)  # nearest the checks, but no checkered floor
    flat[10:20, 10:20] = (220, 30, 30)
    assert pipe.animate(flat, "a red square", **FAST).recipe["prompt"] == "a red square"
    night = render(prompt_to_scene("a red circle in a night sky", 1.0), 1, 8.0, 32)[0]
    assert pipe.animate(night, "x", **FAST).recipe["prompt"] == "x against a starry night sky"
    for made in (
        pipe.animate(clip[0], "x", **FAST),
        pipe.interpolate(clip[::4], factor=4, prompt="x", **FAST),
        pipe.inpaint(clip, "x", mask=box_mask(32, 32, (4, 4, 8, 8)), **FAST),
        pipe.outpaint(clip, "x", width=48, height=32, **FAST),
        pipe.cinemagraph(clip[0], "x", region=box_mask(32, 32, (0, 0, 16, 16)), **FAST),
        pipe.stylize(clip, "x", **FAST),
    ):
        assert made.recipe["prompt"] == f"x {grass}", made.recipe["task"]
    assert pipe.animate(clip[0], "go!", **FAST).recipe["prompt"] == f"go {grass}"
    try:
        pipe.completes = False  # another family's model
        assert pipe.animate(clip[0], "x", **FAST).recipe["prompt"] == "x"
    finally:
        del pipe.completes


def test_an_image_is_put_back_as_it_was_read(tiny_model: Path, tmp_path: Path) -> None:
    """outpaint of a PNG with transparent pixels: the middle is the image flattened as the
    verb read it (onto grey), not its raw colour."""
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 0], rgba[8:24, 8:24, 3] = 200, 255  # red, transparent but for the middle
    Image.fromarray(rgba).save(tmp_path / "see-through.png")
    out = tmp_path / "frames"
    case = ["outpaint", str(tmp_path / "see-through.png"), "x", "--to", "48x32", "-o", str(out)]
    r = CliRunner().invoke(app, [*case, "-m", str(tiny_model), "--steps", "2", "-q"])
    assert r.exit_code == 0, r.output
    middle = read_video(out).frames[0, :, 8:40]  # (32, 32, 3): the image, in place
    assert (middle[0, 0] == 128).all() and tuple(middle[16, 16]) == (200, 0, 0)


def test_interpolate_keeps_input_frames(pipe: Pipeline, clip: np.ndarray) -> None:
    v = pipe.interpolate(clip[::4], factor=4, fps=2.0, **FAST)
    assert v.fps == 8.0 and v.frames.shape[0] == 17
    assert np.array_equal(v.frames[::4], clip[::4])
    with pytest.raises(ValueError, match="factor must be one of"):
        pipe.interpolate(clip, factor=3, fps=8.0)


def test_interpolate_comes_back_at_the_clip_size(
    pipe: Pipeline, clip: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model works at its canvas; the made frames are the DIS flow's at the clip's own
    size, with the model's redraw put back only where the flow was unsure."""
    from spacetime.eval.metrics import dis_flow, flow_interpolate

    big = np.repeat(np.repeat(clip[::4], 2, axis=1), 3, axis=2)  # (5, 64, 96, 3)
    v = pipe.interpolate(big, factor=4, fps=2.0, **FAST)
    assert v.frames.shape == (17, 64, 96, 3)
    assert np.array_equal(v.frames[::4], big)  # the clip's own frames, untouched
    assert any("brought to the input's 96x64" in n for n in v.recipe["notices"])
    flow = flow_interpolate(big[0], big[1], 3, dis_flow)  # (3, 64, 96, 3)
    assert (v.frames[1:4] == flow).all(axis=-1).mean() > 0.5  # full-size pixels, not a blur
    monkeypatch.setattr("spacetime.verbs.MAX_DECODED", big.nbytes)  # the result would not fit
    small = pipe.interpolate(big, factor=4, fps=2.0, **FAST)
    assert small.frames.shape[1:3] != (64, 96)  # made at the working size, with a note why
    assert any("the result would hold" in n for n in small.recipe["notices"])


def test_morph_starts_and_ends_on_its_inputs(pipe: Pipeline, clip: np.ndarray) -> None:
    other = clip[::-1]
    v = pipe.morph(clip, other, seconds=1.0, **FAST)
    assert v.frames.shape[0] == 9
    assert np.array_equal(v.frames[0], clip[-1]) and np.array_equal(v.frames[-1], other[0])
    assert v.recipe["notices"] == []
    made = pipe.morph(clip, other, seconds=1.0, even=False, smooth=0, fps=24.0, **FAST)
    assert "A is at 24 fps" in made.recipe["notices"][0]  # a splice needs resampling
    assert v.recipe["even"] and not made.recipe["even"]
    assert v.recipe["smooth"] == 2.0 and made.recipe["smooth"] == 0
    assert _max_jump(v.frames) <= _max_jump(made.frames) + 0.5  # even: no step above the mean
    v = pipe.morph(clip, other, seconds=0.6, **FAST)  # 5.8 frames -> rounded up to 9
    assert v.frames.shape[0] == 9 and "rounded up" in v.recipe["notices"][0]


def test_inpaint_repaints_only_the_mask(pipe: Pipeline, clip: np.ndarray) -> None:
    mask = np.zeros(clip.shape[:3], bool)
    for t in range(len(clip)):  # a box that moves over time
        mask[t, 8:20, t : t + 10] = True
    v = pipe.inpaint(clip, "a grass field", mask=mask, **FAST)
    assert v.frames.shape == clip.shape and v.recipe["windows"] > 1
    assert np.array_equal(v.frames[~mask], clip[~mask])
    assert not np.array_equal(v.frames[mask], clip[mask])
    with pytest.raises(ValueError, match="make them match"):
        pipe.inpaint(clip, "x", mask=mask[:, :16])


def test_region_verbs_keep_the_inputs_size(pipe: Pipeline, clip: np.ndarray) -> None:
    """inpaint and cinemagraph on a clip twice the model's size: made at the working size,
    the region put back into the input's own frames; every other pixel is the input's."""
    big = np.repeat(np.repeat(clip[:5], 2, axis=1), 2, axis=2)  # (5, 64, 64, 3)
    mask = np.zeros(big.shape[:3], bool)
    mask[:, 20:44, 10:40] = True
    v = pipe.inpaint(big, "a grass field", mask=mask, **FAST)
    assert v.frames.shape == big.shape
    assert np.array_equal(v.frames[~mask], big[~mask])
    assert not np.array_equal(v.frames[mask], big[mask])
    assert any("put back into the 64x64 frames" in n for n in v.recipe["notices"])
    # a 3:1 clip: its canvas has another aspect, and a region on its edge rows is still
    # repainted (the frame is resized whole, not cropped, for the verbs that put back)
    wide = np.ascontiguousarray(np.repeat(clip[:5], 3, axis=2))  # (5, 32, 96, 3)
    edge = np.zeros(wide.shape[:3], bool)
    edge[:, -2:] = True
    e = pipe.inpaint(wide, "a grass field", mask=edge, **FAST)
    assert e.frames.shape == wide.shape and np.array_equal(e.frames[~edge], wide[~edge])
    assert not np.array_equal(e.frames[edge], wide[edge])
    region = mask[0]
    for keep in (True, False):
        c = pipe.cinemagraph(big[0], "the red circle moves up", region=region, keep=keep, **FAST)
        assert c.frames.shape == (5, 64, 64, 3)
        outside = np.broadcast_to(~region, c.frames.shape[:3])
        assert np.array_equal(c.frames[outside], np.broadcast_to(big[0], c.frames.shape)[outside])
        assert np.array_equal(c.frames[0], big[0])


def test_outpaint_grows_the_canvas(pipe: Pipeline, clip: np.ndarray) -> None:
    v = pipe.outpaint(clip[:5], "a grass field", width=48, height=32, **FAST)
    assert v.frames.shape == (5, 32, 48, 3)
    assert np.array_equal(v.frames[:, :, 8:40], clip[:5])  # the input, in the middle
    v = pipe.outpaint(clip[:5], "a grass field", width=32, height=32, **FAST)
    inner = v.frames[:, 4:28, 4:28]  # same size asked: scaled by 0.75 to leave room
    assert np.array_equal(inner, fit_frames(clip[:5], 24, 24))
    assert "scaled" in v.recipe["notices"][0]
    # far past the model's size: the border is made at the working size and put back
    # around the input's own pixels, which stay at full size
    v = pipe.outpaint(clip[:5], "a grass field", width=150, height=50, **FAST)
    assert v.frames.shape == (5, 50, 150, 3)
    assert np.array_equal(v.frames[:, 9:41, 59:91], clip[:5])
    assert any("put back into the 150x50 frames" in n for n in v.recipe["notices"])
    # at the trained short side (32), not area (56x16): a square-trained model puts the
    # horizon at the same row whatever the canvas's height, so a squat one moved it
    assert any("made at 96x32," in n for n in v.recipe["notices"])
    with pytest.raises(ValueError, match="sides from 8 to 4096"):
        pipe.outpaint(clip, "x", width=5000, height=32)


def test_cinemagraph_moves_only_the_region(pipe: Pipeline, clip: np.ndarray) -> None:
    region = np.zeros((32, 32), bool)
    region[8:24, 8:24] = True
    v = pipe.cinemagraph(clip[0], "the red circle moves up", region=region, **FAST)
    still = np.broadcast_to(~region, v.frames.shape[:3])
    assert np.array_equal(v.frames[still], np.broadcast_to(clip[0], v.frames.shape)[still])
    assert np.array_equal(v.frames[0], clip[0])
    made = pipe.cinemagraph(clip[0], "the red circle moves up", region=region, keep=False, **FAST)
    assert v.recipe["keep"] is True and made.recipe["keep"] is False
    # the circle kept sharp where the model's blob is (sprite.py), or a notice that it could not
    said = any("no single object" in n for n in v.recipe["notices"])
    assert said != (not np.array_equal(v.frames, made.frames))
    halves = np.stack([region & (np.arange(32) < 16), region & (np.arange(32) >= 16)])
    clipped = pipe.cinemagraph(clip[0], "the red circle moves up", region=halves, **FAST)
    assert np.array_equal(clipped.frames, v.frames)  # wherever any frame covers: the region
    assert any("wherever any of its frames covers" in n for n in clipped.recipe["notices"])


def test_region_at_finds_the_clicked_object() -> None:
    img = np.full((32, 32, 3), 90, np.uint8)
    img[10:16, 20:26] = (220, 30, 30)
    img.flags.writeable = False  # np.asarray of a PIL image is read-only
    region = region_at(img, 22, 12)
    assert region[10:16, 20:26].all() and not region.all()
    with pytest.raises(ValueError, match="background"):
        region_at(img, 2, 2)
    dragged = region_at(img, 22, 12, margin=0.0, to=(7, 14))  # 15 left, 2 down
    want = np.zeros((32, 32), bool)
    want[10:18, 5:26] = True  # the object's box and the box moved there
    assert np.array_equal(dragged, want)
    with pytest.raises(ValueError, match="outside"):
        region_at(img, 22, 12, to=(40, 12))
    for backdrop in ("on a checkered floor", "at sunset", "on a grass field"):  # one check; sky
        scene = render(prompt_to_scene(f"a blue circle {backdrop}", 1.0, seed=0), 1, 8.0, 64)[0]
        with pytest.raises(ValueError, match="on the background"):
            region_at(scene, 3, 3)
        blue = np.argwhere((scene[..., 2] > 150) & (scene[..., 0] < 100))  # (N, 2): y, x
        y, x = np.median(blue, axis=0).astype(int)
        assert region_at(scene, x, y)[y, x], backdrop  # the object itself is taken


def test_stylize_starts_from_the_video(pipe: Pipeline, clip: np.ndarray) -> None:
    a = pipe.stylize(clip[:5], "a blue circle", strength=0.3, **FAST)
    b = pipe.stylize(clip[:5], "a blue circle", strength=1.0, **FAST)
    assert a.recipe["strength"] == 0.3 and a.frames.shape == (5, 32, 32, 3)
    assert not np.array_equal(a.frames, b.frames)
    c = pipe.stylize(clip[:5], "a blue circle", strength=0.2, **FAST)  # both below 2 steps' 0.67
    assert not np.array_equal(a.frames, c.frames)
    assert mean_difference(clip[:5], c.frames) < mean_difference(clip[:5], a.frames)  # lighter
    with pytest.raises(ValueError, match="strength"):
        pipe.stylize(clip, "x", strength=0.0)


def mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two clips' pixels."""
    return float(np.abs(a.astype(float) - b.astype(float)).mean())


def test_sampling_starts_at_the_level_asked() -> None:
    levels = sigmas(20, 2.0)
    assert torch.equal(starting_at(levels, 1.0), levels)
    at = starting_at(levels, 0.7)  # 0.71 lies above, 0.667 is moved up to 0.7
    assert float(at[0]) == pytest.approx(0.7, abs=1e-6) and torch.equal(at[1:], levels[11:])
    assert starting_at(levels, 0.05).tolist() == pytest.approx([0.05, 0.0])  # below the last


def test_reference_is_a_known_frame_left_out(pipe: Pipeline, clip: np.ndarray) -> None:
    v = pipe.generate("a red circle", reference=clip[0], **FAST)
    assert v.frames.shape[0] == 4 and v.recipe["reference"].startswith("sha256:")
    w = pipe.generate("a red circle", reference=clip[5], **FAST)
    assert not np.array_equal(v.frames, w.frames)
    e = pipe.extend(clip[:3], "a red circle", seconds=1.0, reference=clip[0], **FAST)
    assert e.frames.shape[0] == 3 + 8


def test_any_input_size_is_fitted_with_a_notice(
    pipe: Pipeline, clip: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stylize works at a canvas of the input's aspect, about the model's area, and gives
    back the input's size, the input's own detail kept where the model kept the picture."""
    wide = np.concatenate([clip[:5]] * 2, axis=2)  # (5, 32, 64, 3)
    v = pipe.stylize(wide, "a red circle", complete=False, **FAST)
    assert v.frames.shape[1:3] == (32, 64)
    assert v.recipe["notices"] == [
        "made at 48x24, the model's working size, and brought to the input's 64x32, its own "
        "detail kept where the model kept the picture"
    ]
    monkeypatch.setattr("spacetime.verbs.MAX_DECODED", wide.nbytes - 1)  # too big to hold
    v = pipe.stylize(wide, "a red circle", complete=False, **FAST)
    assert v.frames.shape[1:3] == (24, 48)  # the canvas
    assert "cropped and resized" in v.recipe["notices"][-1]


def test_animate_extend_and_morph_keep_the_inputs_size(
    pipe: Pipeline, clip: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made at the working size, the new frames brought to the input's: its own frames
    (the image, the clip, morph's ends) are kept as they are."""
    big = np.repeat(np.repeat(clip[:9], 2, axis=1), 3, axis=2)  # (9, 64, 96, 3)
    a = pipe.animate(big[0], "a red circle moving left", **FAST)
    assert a.frames.shape == (5, 64, 96, 3) and np.array_equal(a.frames[0], big[0])
    assert any("brought to the input's 96x64" in n for n in a.recipe["notices"])
    e = pipe.extend(big, "a red circle", seconds=1.0, **FAST)
    assert e.frames.shape == (9 + 8, 64, 96, 3) and np.array_equal(e.frames[:9], big)
    b = pipe.extend(big, "a red circle", seconds=1.0, backward=True, fps=16.0, **FAST)
    assert b.frames.shape == (16 + 9, 64, 96, 3) and np.array_equal(b.frames[16:], big)
    m = pipe.morph(big, big[::-1, :32], seconds=1.0, **FAST)  # B: cropped to A's aspect
    assert m.frames.shape == (9, 64, 96, 3) and np.array_equal(m.frames[0], big[-1])
    assert np.array_equal(m.frames[-1], fit_frames(big[-1:, :32], 64, 96)[0])
    assert any("B: 96x32 cropped and resized to 96x64" in n for n in m.recipe["notices"])
    with monkeypatch.context() as m:  # a model fixed at one size: the input is cropped
        m.setattr(pipe, "canvas", lambda h, w: (32, 32))
        fixed = pipe.animate(big[0], "a red circle moving left", **FAST)
    assert fixed.frames.shape == (5, 32, 32, 3)
    assert "image: 96x64 cropped and resized to 32x32" in fixed.recipe["notices"]
    monkeypatch.setattr("spacetime.verbs.MAX_DECODED", big.nbytes)  # the result would not fit
    small = pipe.extend(big, "a red circle", seconds=1.0, **FAST)
    assert small.frames.shape[1:3] != (64, 96)
    assert any("the result would hold" in n for n in small.recipe["notices"])


def test_a_mask_clip_is_checked_and_fitted_a_frame_at_a_time(tmp_path: Path) -> None:
    """fit_mask_each on io.iter_mask gives what fit_mask gives on the whole mask, and
    refuses what check_mask refuses, holding only the small mask."""
    rng = np.random.default_rng(0)
    mask = rng.random((5, 40, 60)) > 0.7  # (T, H, W)
    path = tmp_path / "mask"
    path.mkdir()
    for k, m in enumerate(mask):  # a PNG folder: lossless
        Image.fromarray(np.repeat(m[..., None] * np.uint8(255), 3, -1)).save(path / f"{k}.png")
    assert np.array_equal(read_mask(path), mask)
    for crop in (False, True):
        small = fit_mask_each(iter_mask(path), 5, 40, 60, (16, 24), crop)
        assert np.array_equal(small, fit_mask(mask, 16, 24, crop)), crop
    assert fit_mask_each([mask[0]], 5, 40, 60, (16, 24), False).shape == (16, 24)
    for masks, t, said in (
        (iter_mask(path), 4, "with 5 frames but the video is 60x40 with 4 frames"),
        ([mask[0], mask[1, :, :50]], 2, "differ in size"),
        ([np.zeros((40, 60), bool)], 5, "empty"),
        ([], 5, "no frames"),
    ):
        with pytest.raises(ValueError, match=said):
            fit_mask_each(masks, t, 40, 60, (16, 24), False)


def test_window_starts_cover_the_clip() -> None:
    for total in (5, 17, 18, 40):
        starts = window_starts(total, 17)
        assert starts[0] == 0 and starts[-1] + 17 >= total
        assert all(b - a < 17 for a, b in itertools.pairwise(starts))
    # interpolate's windows meet on input frames: at factor 8, frames 0, 8, 16, ...
    assert window_starts(41, 17, 16) == [0, 16, 24]
    assert all(s % 8 == 0 for s in window_starts(8 * 9 + 1, 17, 16))


def _write(tmp: Path, name: str, frames: np.ndarray, fps: float = 8.0) -> Path:
    path = tmp / name
    if name.endswith(".png"):
        Image.fromarray(frames).save(path)
    else:
        write_video(Video(frames, fps, {}), path)
    return path


def test_cli_verbs_write_recipes_and_refuse_mistakes(
    tiny_model: Path, clip: np.ndarray, tmp_path: Path
) -> None:
    runner = CliRunner()
    video = _write(tmp_path, "in.mp4", clip[:5])
    image = _write(tmp_path, "img.png", clip[0])
    small = _write(tmp_path, "small.png", np.zeros((16, 16, 3), np.uint8) + 255)
    region = np.zeros((32, 32, 3), np.uint8)
    region[8:24, 8:24] = 255
    mask = _write(tmp_path, "mask.png", region)
    short = _write(tmp_path, "short.mp4", np.repeat(region[None], 3, 0))  # the clip has 5
    dark = _write(tmp_path, "dark.png", region * 0)
    r, g, b = np.moveaxis(clip[0].astype(int), -1, 0)
    ys, xs = np.nonzero((r > 150) & (g < 100) & (b < 100))
    x, y = int(xs.mean()), int(ys.mean())  # the circle's centre
    common = ["-m", str(tiny_model), "--steps", "2", "-q"]
    cases = [
        ["animate", str(image), "a red circle"],
        ["animate", str(video), "a red circle", "--frames", "5"],  # a clip's first frame
        ["extend", str(video), "a red circle", "--seconds", "0.5"],
        ["interpolate", str(video), "--factor", "2"],
        ["morph", str(video), str(image)],
        ["inpaint", str(video), "grass", "--box", "4,4,10,10", "--start", "0.5"],
        ["outpaint", str(video), "grass", "--to", "48x32"],
        ["cinemagraph", str(image), "the circle moves", "--mask", str(mask), "--as-made"],
        ["cinemagraph", str(image), "the circle moves", "--point", f"{x},{y}", "--to", "3,3"],
        ["stylize", str(video), "a blue circle", "--strength", "0.5"],
    ]
    for case in cases:
        out = tmp_path / f"{case[0]}-{Path(case[1]).name}.mp4"
        r = runner.invoke(app, [*case, "-o", str(out), *common])
        assert r.exit_code == 0, (case, r.output)
        recipe = read_video(out).recipe
        assert recipe["inputs"] and all(len(v["sha256"]) == 16 for v in recipe["inputs"].values())
        if case[0] != "stylize":  # known pixels: sampling starts from the classical guess
            want = {"inpaint": 0.5, "cinemagraph": 1.0}.get(case[0], 0.7)
            assert recipe["start"] == want, case
        said = "in.mp4: a clip; its first frame is the image"
        assert (said in recipe["notices"]) == (case[:2] == ["animate", str(video)]), case
        if case[0] == "inpaint":
            assert recipe["box"] == [4, 4, 10, 10]  # the region can be made again
        if case[0] == "cinemagraph" and "--as-made" in case:
            assert recipe["keep"] is False and "point" not in recipe
        elif case[0] == "cinemagraph":
            assert recipe["keep"] is True and (recipe["point"], recipe["to"]) == ([x, y], [3, 3])
    wrong = [
        (["inpaint", str(video), "grass", "--mask", str(small)], "make them match"),
        (["inpaint", str(video), "grass"], "exactly one of"),
        (["inpaint", str(video), "grass", "--mask", str(short)], "mask has 3 frames but"),
        (["inpaint", str(video), "grass", "--mask", str(dark)], "the mask is empty"),
        (["cinemagraph", str(image), "x", "--point", "99,99"], "outside"),
        (["cinemagraph", str(image), "x", "--point", f"{x},{y}", "--to", "3,99"], "outside"),
        (["cinemagraph", str(image), "x", "--mask", str(mask), "--to", "3,3"], "give --point"),
        (["cinemagraph", str(image), "x"], "exactly one of"),
        (["interpolate", str(video), "--factor", "3"], "factor"),
        (["interpolate", str(image), "--factor", "2"], "2 frames or more"),
        (["animate", str(image), "x", "--start", "1.5"], "start must be in"),
        (["animate", str(tmp_path / "nope.png"), "x"], "no such file"),
        (["animate", str(image), "x", "--frames", "-5"], "--frames must be 2 or more"),
        (["extend", str(video), "x", "--seconds", "inf"], "--seconds must be"),
        (["extend", str(video), "x", "--seconds", "nan"], "--seconds must be"),
        (["morph", str(video), str(image), "--seconds", "inf"], "--seconds must be"),
        (["morph", str(video), str(image), "--seconds", "0.1"], "or more for a transition"),
        (["interpolate", str(video), "--fps", "-8"], "fps must be from"),
        (["interpolate", str(video), "--fps", "0"], "fps must be from"),
        (["interpolate", str(video), "--fps", "999", "--factor", "4"], "lower --factor or --fps"),
        (["cinemagraph", str(image), "x", "--to", "3,3"], "give --point"),
        (["extend", str(video), "x", "-o", str(video)], "write the result to another name"),
        (["generate", "x", "--reference", str(video), "-o", str(video)], "overwrite input"),
        (["generate", "x", "--reference", str(image), "--frames", "1"], "must be 5 or more"),
    ]
    for case, words in wrong:
        out = tmp_path / "bad.mp4"
        r = runner.invoke(app, [*case, *([] if "-o" in case else ["-o", str(out)]), *common])
        assert r.exit_code == 2, (case, r.output)
        assert words in r.output and "Traceback" not in r.output
        assert len(r.output.strip().splitlines()) == 1
        assert not out.exists()
    out = tmp_path / "ref.mp4"  # the reference is left out: one frame fewer, said so
    clear = tmp_path / "clear.png"  # and what reading it changed is said too
    Image.open(image).convert("RGBA").save(clear)
    (rgba := np.asarray(Image.open(clear)).copy())[:4, :, 3] = 0
    Image.fromarray(rgba).save(clear)
    r = runner.invoke(
        app, ["generate", "x", "--reference", str(clear), "--frames", "5", "-o", str(out), *common]
    )
    assert r.exit_code == 0, r.output
    made = read_video(out)
    assert made.num_frames == 4 and any("4 frames, not 5" in n for n in made.recipe["notices"])
    assert any("transparent pixels flattened" in n for n in made.recipe["notices"])


def test_interpolate_fps_replaces_a_frame_folders_assumed_rate(
    tiny_model: Path, clip: np.ndarray, tmp_path: Path
) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    for i, frame in enumerate(clip[:3]):
        Image.fromarray(frame).save(frames / f"{i:03d}.png")
    common = ["interpolate", str(frames), "--factor", "2", "-m", str(tiny_model), "--steps", "1"]
    for given, assumed in (([], True), (["--fps", "10"], False)):
        out = tmp_path / f"out{len(given)}.mp4"
        assert CliRunner().invoke(app, [*common, *given, "-o", str(out), "-q"]).exit_code == 0
        made = read_video(out)
        assert made.fps == (48.0 if assumed else 20.0)
        assert any("24 fps assumed" in n for n in made.recipe["notices"]) == assumed


def test_frame_to_frame_verbs_keep_the_clips_frame_rate(
    tiny_model: Path, clip: np.ndarray, tmp_path: Path
) -> None:
    """inpaint, outpaint and stylize keep every frame, so they keep the frame rate too: a
    24 fps clip must not come back 3 times as long at the model's 8 fps."""
    runner = CliRunner()
    video = _write(tmp_path, "in.mp4", clip[:7], fps=24.0)
    common = ["-m", str(tiny_model), "--steps", "2", "-q"]
    folder = tmp_path / "frames"  # read-only frames from a PNG folder, at another size
    write_video(Video(np.pad(clip[:7], ((0, 0), (0, 8), (0, 0), (0, 0))), 24.0, {}), folder)
    for case in (
        ["inpaint", str(video), "grass", "--box", "4,4,10,10"],
        ["inpaint", str(folder), "grass", "--box", "24,4,10,10"],  # past the edge: said
        ["outpaint", str(video), "grass", "--to", "48x32"],
        ["stylize", str(video), "a blue circle"],
    ):
        out = tmp_path / f"{case[0]}-{Path(case[1]).name}.mp4"
        r = runner.invoke(app, [*case, "-o", str(out), *common])
        assert r.exit_code == 0, (case, r.output)
        made = read_video(out)
        assert (made.num_frames, made.fps, made.recipe["fps"]) == (7, 24.0, 24.0), case
    said = read_video(tmp_path / "inpaint-frames.mp4").recipe["notices"]
    assert "--box 24,4,10,10 reaches past the 32x40 video; cut to 24,4,8,10" in said


def test_whole_clip_verbs_never_hold_the_clip_at_full_size(
    tiny_model: Path, clip: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """extend, interpolate, stylize, inpaint and outpaint shrink each frame to the model's
    canvas as it is decoded, so a clip whose full-size frames pass the read limit still
    runs, then stream the result to the file at the clip's own size (outpaint's: --to)."""
    from spacetime.io import iter_video
    from spacetime.io import video as io_video

    big = np.repeat(np.repeat(clip[:5], 2, axis=1), 2, axis=2)  # (5, 64, 64, 3)
    path = _write(tmp_path, "big.mp4", big)
    monkeypatch.setattr(io_video, "MAX_DECODED", big[:3].nbytes)  # 3 full frames, 12 small
    common = ["-m", str(tiny_model), "--steps", "2", "-q"]
    runner = CliRunner()
    r = runner.invoke(app, ["sheet", str(path), "-o", str(tmp_path / "s.png")])
    assert r.exit_code == 2 and "GiB of frames" in r.output  # a full-size read is refused
    for case, n, side in (
        (["extend", str(path), "a red circle", "--seconds", "0.5"], 9, 64),
        (["extend", str(path), "a red circle", "--seconds", "0.5", "--backward"], 9, 64),
        (["interpolate", str(path), "--factor", "2"], 9, 64),
        (["stylize", str(path), "a blue circle"], 5, 64),
        (["inpaint", str(path), "grass", "--box", "8,8,20,20"], 5, 64),
    ):
        out = tmp_path / f"{case[0]}-{Path(case[1]).name}.mp4"
        r = runner.invoke(app, [*case, "-o", str(out), *common])
        assert r.exit_code == 0, (case, r.output)
        head = io_video.probe(out)
        assert (head.num_frames, head.height, head.width) == (n, side, side), case
        assert sum(1 for _ in iter_video(out)) == n
        assert head.recipe["notices"][-1].startswith("made at 32x32, the model's working size")
    out = tmp_path / "outpaint.mp4"  # the clip placed on a wider canvas, then shrunk
    r = runner.invoke(
        app, ["outpaint", str(path), "grass", "--to", "96x64", "-o", str(out), *common]
    )
    assert r.exit_code == 0, r.output
    head = io_video.probe(out)
    assert (head.num_frames, head.height, head.width) == (5, 64, 96)
    assert "put back into the 96x64 frames" in head.recipe["notices"][-1]
    inside = next(iter_video(out))[:, 16:80].astype(int) - next(iter_video(path))  # H.264 twice
    assert np.abs(inside).mean() < 3
    # 42x16's canvas is 48x16, whose own canvas is 56x16: the verb must not fit twice
    odd = _write(tmp_path, "odd.mp4", np.concatenate([clip[:5]] * 2, axis=2)[:, :16, :42])
    out = tmp_path / "odd-out.mp4"
    case = ["stylize", str(odd), "a blue circle", "--as-written", "-o", str(out)]
    r = runner.invoke(app, [*case, *common])
    assert r.exit_code == 0, r.output
    made = read_video(out)
    assert made.frames.shape[1:3] == (16, 42)
    assert made.recipe["notices"] == [
        "made at 48x16, the model's working size, and brought to the input's 42x16, its own "
        "detail kept where the model kept the picture"
    ]
    # frames of two sizes: refused as they are read
    folder = tmp_path / "mixed"
    folder.mkdir()
    for k, frame in enumerate([clip[0], clip[1], clip[2, :16]]):
        Image.fromarray(frame).save(folder / f"{k:06d}.png")
    r = runner.invoke(app, ["stylize", str(folder), "x", "-o", str(tmp_path / "m.mp4"), *common])
    assert r.exit_code == 2 and "differ in size" in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1


def test_streaming_commands_write_what_the_methods_make(
    pipe: Pipeline, tiny_model: Path, clip: np.ndarray, tmp_path: Path
) -> None:
    """The command line makes at the canvas and brings the result to the clip's size as it
    writes it; frame for frame, that is what the Python methods give back whole."""
    big = np.repeat(np.repeat(clip[:5], 2, axis=1), 2, axis=2)  # (5, 64, 64, 3)
    path = _write(tmp_path, "big.mp4", big)
    frames = read_video(path).frames  # what the command reads
    long = " ".join(["a red circle moving left"] * 12)  # past what the text encoder reads
    same = {"steps": 2, "seed": 3}
    moving = np.zeros_like(big)  # (5, 64, 64, 3): a white box moving right
    for k in range(5):
        moving[k, 20:40, 4 + 6 * k : 24 + 6 * k] = 255
    out = tmp_path / "frames"  # a folder of PNG frames: lossless
    common = ["-o", str(out), "-m", str(tiny_model), "--steps", "2", "--seed", "3", "-q"]
    cases = {
        "interpolate": (
            ["interpolate", str(path), "--factor", "2"],
            pipe.interpolate(frames, factor=2, fps=8.0, steps=2, seed=3),
            "brought to the input's 64x64",
        ),
        "extend": (
            ["extend", str(path), "x", "--seconds", "0.5"],
            pipe.extend(frames, "x", seconds=0.5, fps=8.0, steps=2, seed=3),
            "brought to the input's 64x64",
        ),
        "back": (
            ["extend", str(path), "x", "--seconds", "0.5", "--backward"],
            pipe.extend(frames, "x", seconds=0.5, fps=8.0, backward=True, steps=2, seed=3),
            "brought to the input's 64x64",
        ),
        "long prompt": (  # the run adds a notice of its own
            ["extend", str(path), long, "--seconds", "0.5"],
            pipe.extend(frames, long, seconds=0.5, fps=8.0, steps=2, seed=3),
            "brought to the input's 64x64",
        ),
        "stylize": (
            ["stylize", str(path), "x"],
            pipe.stylize(frames, "x", fps=8.0, steps=2, seed=3),
            "its own detail kept",
        ),
        "inpaint": (
            ["inpaint", str(path), "x", "--box", "8,8,20,20"],
            pipe.inpaint(frames, "x", mask=box_mask(64, 64, (8, 8, 20, 20)), fps=8.0, **same),
            "put back into the 64x64 frames",
        ),
        "outpaint": (
            ["outpaint", str(path), "x", "--to", "96x64"],
            pipe.outpaint(frames, "x", width=96, height=64, fps=8.0, **same),
            "put back into the 96x64 frames",
        ),
        "inpaint, a moving mask": (
            ["inpaint", str(path), "x", "--mask", str(_write(tmp_path, "m.mp4", moving))],
            pipe.inpaint(
                frames,
                "x",
                mask=read_video(tmp_path / "m.mp4").frames.mean(-1) > 127,
                fps=8.0,
                **same,
            ),
            "put back into the 64x64 frames",
        ),
    }
    for name, (case, expected, said) in cases.items():
        r = CliRunner().invoke(app, [*case, *common])
        assert r.exit_code == 0, (name, r.output)
        made = read_video(out)
        assert made.frames.shape == expected.frames.shape, name
        assert made.frames.shape[1:] == (64, 96 if name == "outpaint" else 64, 3), name
        assert np.array_equal(made.frames, expected.frames), name
        assert any(said in n for n in made.recipe["notices"]), name
        assert made.recipe["notices"] == expected.recipe["notices"], name


def test_eval_task_suites_run_the_model(pipe: Pipeline) -> None:
    from spacetime.eval.tasks import TASKS, build, model_method, run_tasks, summarise_tasks

    items = [it for t in TASKS for it in build(t, 1, frames=5, size=32)]
    outputs: dict = {}
    rows = run_tasks(items, {"model": model_method(pipe, steps=2)}, outputs=outputs)
    s = summarise_tasks(rows)
    for task in TASKS:
        assert s[task]["model"]["psnr_known"] == 99.0, task  # every verb keeps what it is given
        assert (task, "model") in outputs
    assert s["cinemagraph"]["model"]["motion_right"] in (0.0, 1.0)


def test_start_from_the_guess_or_from_noise(pipe: Pipeline, clip: np.ndarray) -> None:
    known = np.zeros((5, 32, 32), bool)
    known[0] = True
    args = dict(known_video=clip[:5], known=known, frames=5, size=32, **FAST)
    guessed = pipe.generate("a red circle", **args)
    noise = pipe.generate("a red circle", start=1.0, **args)
    assert guessed.recipe["start"] == 0.7 and noise.recipe["start"] == 1.0  # both replayable
    assert not np.array_equal(guessed.frames, noise.frames)
    assert np.array_equal(guessed.frames[0], clip[0]) and np.array_equal(noise.frames[0], clip[0])
    with pytest.raises(ValueError, match="start must be in"):
        pipe.generate("a red circle", start=0.0, **args)


def test_python_callers_get_clear_errors_and_friendly_inputs(
    pipe: Pipeline, clip: np.ndarray, tmp_path: Path
) -> None:
    """A library user's arrays: PIL images, image files, lists of frames, grey images, int
    masks and a reference of any size are taken; floats and wrong shapes are one clear
    ValueError."""
    pil = Image.fromarray(clip[0])
    v = pipe.animate(pil, "a red circle", **FAST)
    assert np.array_equal(v.frames[0], clip[0])
    pil.save(tmp_path / "f.png")  # a path to an image file, as a str or a Path
    for path in (str(tmp_path / "f.png"), tmp_path / "f.png"):
        assert np.array_equal(pipe.animate(path, "a red circle", **FAST).frames[0], clip[0])
    assert pipe.stylize(list(clip[:5]), "a red circle", **FAST).frames.shape == (5, 32, 32, 3)
    assert pipe.animate(clip[0, ..., 0], "a red circle", **FAST).frames.shape == (5, 32, 32, 3)
    m = pipe.morph(clip[0], pil, seconds=1.0, **FAST)  # images as the ends
    assert np.array_equal(m.frames[0], clip[0])
    m = pipe.morph(tmp_path / "f.png", str(tmp_path / "f.png"), seconds=1.0, **FAST)
    assert np.array_equal(m.frames[-1], clip[0])
    mask = np.zeros(clip.shape[:3], np.uint8)
    mask[:, 8:16, 8:16] = 1
    assert pipe.inpaint(clip, "grass", mask=mask, **FAST).frames.shape == clip.shape
    big = np.repeat(np.repeat(clip[3], 3, axis=0), 2, axis=1)  # (96, 64, 3)
    for n in (5, 9):  # one window, and chained windows
        g = pipe.generate("a red circle", reference=big.astype(np.int64), frames=n, **FAST)
        assert "reference: 64x96 cropped and resized to 32x32" in g.recipe["notices"]
    e = pipe.extend(pipe.animate(clip[0], "x", **FAST), "x", seconds=0.5, **FAST)  # a Video
    assert e.frames.shape[0] == 5 + 4
    grey = np.repeat((mask * 255)[..., None], 3, axis=-1)  # a mask image read as RGB
    assert pipe.inpaint(clip, "grass", mask=grey, **FAST).frames.shape == clip.shape
    held = _write(tmp_path, "c.mp4", clip, fps=12.0)  # files by path: the clip's rate kept
    Image.fromarray(grey[0]).save(tmp_path / "m.png")
    made = pipe.inpaint(held, "grass", mask=str(tmp_path / "m.png"), **FAST)
    assert made.frames.shape == clip.shape and made.fps == 12.0
    soft = np.repeat(np.linspace(0, 255, 32).astype(np.uint8)[None], 32, 0)  # a feathered mask
    Image.fromarray(soft).save(tmp_path / "soft.png")
    made = pipe.inpaint(held, "grass", mask=tmp_path / "soft.png", **FAST)  # read notes kept
    assert any(n.startswith("soft.png: a soft mask") for n in made.recipe["notices"])
    first = pipe.animate(held, "a red circle", **FAST)
    assert "c.mp4: a clip; its first frame is the image" in first.recipe["notices"]
    up = pipe.interpolate(clip[:5], factor=np.int64(2), **FAST)  # numpy numbers: plain JSON
    assert up.recipe["factor"] == 2 and type(up.recipe["factor"]) is int
    strip = np.zeros((4, 600, 3), np.uint8)  # crops to a sliver, not to nothing
    assert pipe.animate(clip[0], "x", reference=strip, **FAST).frames.shape[1:] == (32, 32, 3)
    for bad, words in (
        (lambda: pipe.extend(clip, "x", seconds="2", **FAST), "seconds must be a number"),
        (lambda: pipe.extend(clip, "x", seconds=1, fps=0, **FAST), "fps must be from"),
        (lambda: pipe.extend(clip, "x", seconds=1, backward="no", **FAST), "must be True"),
        (lambda: pipe.interpolate(clip, factor=2.0, **FAST), "factor must be a whole number"),
        (lambda: pipe.stylize(clip, "x", strength=None, **FAST), "strength must be a number"),
        (lambda: pipe.morph(clip, clip, smooth="2", **FAST), "smooth must be a number"),
        (lambda: pipe.animate(clip[0], None, **FAST), "the prompt must be text"),
        (lambda: pipe.animate(clip[0] / 255.0, "x", **FAST), "from floats in 0..1"),
        (lambda: pipe.animate(clip[:3], "x", **FAST), "(H, W, 3)"),
        (lambda: pipe.stylize(clip[0], "x", **FAST), "(T, H, W, 3)"),
        (lambda: pipe.generate("x", reference=clip[0, ..., :2], **FAST), "the reference"),
        (lambda: pipe.animate(clip[0] > 0, "x", **FAST), "a mask"),
        (lambda: pipe.stylize([clip[0], clip[0, :16]], "x", **FAST), "the same size"),
        (lambda: pipe.inpaint(clip, "x", mask=mask * 0.5, **FAST), "0/1 or 0/255"),
        (lambda: pipe.cinemagraph(clip[0], "x", point=(10.5, 10), **FAST), "point must be two"),
        (lambda: pipe.cinemagraph(clip[0], "x", point=(9, 9, 1), **FAST), "point must be two"),
        (lambda: pipe.cinemagraph(clip[0], "x", point="9,9", **FAST), "point must be two"),
        (lambda: pipe.outpaint(clip, "x", width=64.0, height=64, **FAST), "width must be a whole"),
    ):
        with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
            bad()


def test_a_verb_refuses_options_it_would_ignore(pipe: Pipeline, clip: np.ndarray) -> None:
    """generate's size, and start on stylize (whose strength is where it starts), were
    taken and ignored without a word."""
    with pytest.raises(ValueError, match=r"Pipeline\.load\(size=96\)"):
        pipe.animate(clip[0], "a red circle", size=96, **FAST)
    with pytest.raises(ValueError, match="canvas"):
        pipe.morph(clip[0], clip[-1], height=48, **FAST)
    with pytest.raises(ValueError, match="stylize takes no start"):
        pipe.stylize(clip[:5], "a red circle", start=0.5, **FAST)


def test_python_mistakes_are_said_as_python_says_them(
    pipe: Pipeline, clip: np.ndarray, tiny_model: Path
) -> None:
    """A typo in a verb's keyword is a TypeError naming the verb and the likely word (it
    ran with the default 20 steps, windows `step` frames apart); generate's own arrays are
    checked as a verb's are; seed None is a fresh seed that makes the result again."""
    with pytest.raises(TypeError, match=r"animate\(\) got .* 'step'; did you mean 'steps'"):
        pipe.animate(clip[0], "x", step=2)
    painted = np.zeros((32, 32, 3), np.uint8)
    painted[4:8, 4:8, 0] = 255  # red paint: its channels differ, so it is not a grey image
    with pytest.raises(ValueError, match=r"coloured \(H, W, 3\) mask reads as frames"):
        pipe.inpaint(clip[:5], "x", mask=painted)
    with pytest.raises(TypeError, match=r"'mask'; in Python give region="):  # --mask's name
        pipe.cinemagraph(clip[0], "x", mask=np.ones((32, 32), bool))
    with pytest.raises(TypeError, match=r"inpaint\(\) got an unexpected keyword argument 'task'"):
        pipe.inpaint(clip[:5], "x", mask=np.ones((32, 32), bool), task="text")
    known = np.zeros(clip[:5].shape[:3], bool)
    known[0] = True
    with pytest.raises(ValueError, match=r"known_video must hold pixels 0\.\.255"):
        pipe.generate("x", known_video=clip[:5] / 255.0, known=known, **FAST)
    as_255 = pipe.generate("x", known_video=clip[:5], known=known.astype(np.uint8) * 255, **FAST)
    assert np.array_equal(as_255.frames[0], clip[0])
    fresh = pipe.generate("a red circle", seed=None, **FAST)
    again = pipe.generate("a red circle", seed=fresh.recipe["seed"], **FAST)
    assert np.array_equal(fresh.frames, again.frames)
    told = pipe.generate("a red circle", reference=clip[0], frames=5, **FAST)
    assert told.num_frames == told.recipe["frames"] == 4  # the reference's frame 0 left out
    loaded = Pipeline.load(tiny_model, device="cpu")
    assert repr(loaded).startswith(f"Pipeline({tiny_model.name}, weights ")
    with pytest.raises(TypeError, match=r"or give device=, dtype= to Pipeline\.load"):
        Pipeline.load(tiny_model, memory={"device": "cpu"})
    with pytest.raises(FileNotFoundError, match=r"'nope\.safetensors'"):  # one path, not letters
        Pipeline.load(tiny_model, loras="nope.safetensors")
    with pytest.raises(ValueError, match="steps must be from 1 to"):
        Pipeline.load(tiny_model, steps=0)  # at the load, not at the first clip
    for bad, said in (({"size": 32.0}, "size must be a whole number"), ({"height": 0}, "1 or")):
        with pytest.raises(ValueError, match=said):
            pipe.generate("x", **bad, **FAST)  # 0 was "the default", 32.0 a torch error
    with pytest.raises(ValueError, match="seam must be True or False, got 'no'"):
        pipe.generate("x", seam="no", **FAST)  # read as on


def test_rgba_and_single_channel_arrays_are_read_as_their_files_are(
    pipe: Pipeline, clip: np.ndarray
) -> None:
    """An RGBA array is flattened onto grey where it is transparent, with a note, as an
    RGBA PNG is; a (H, W, 1) grey one is repeated; both were refused."""
    rgba = np.concatenate([clip[0], np.full((32, 32, 1), 255, np.uint8)], axis=-1)
    rgba[:16, :, 3] = 0  # the top half transparent
    v = pipe.animate(rgba, "x", **FAST)
    assert (v.frames[0, :16] == 128).all() and np.array_equal(v.frames[0, 16:], clip[0, 16:])
    assert "the image: transparent pixels flattened onto grey" in v.recipe["notices"]
    grey = pipe.animate(clip[0, ..., :1], "x", **FAST)
    assert np.array_equal(grey.frames[0], np.repeat(clip[0, ..., :1], 3, axis=-1))


def test_a_callback_is_told_the_window(pipe: Pipeline, clip: np.ndarray) -> None:
    """A long verb's progress: each step says which window of how many it is in."""
    seen: list[int] = []
    pipe.extend(clip[:9], "x", seconds=2.0, callback=lambda s: seen.append(s["window"]), **FAST)
    assert seen == sorted(seen) and seen[0] == 0 and len(set(seen)) > 1
    told: list[int] = []
    pipe.animate(clip[0], "x", frames=13, callback=lambda s: told.append(s["windows"]), **FAST)
    assert set(told) == {3}


def test_verbs_that_keep_every_frame_keep_the_sound(
    tiny_model: Path, clip: np.ndarray, tmp_path: Path
) -> None:
    """inpaint, outpaint, stylize and interpolate keep each frame at its time, so the clip's
    sound is copied into an .mp4 as it was; extend keeps it under the clip's own frames
    (backward: moved later by the seconds added); a .gif has no sound."""
    import av
    from conftest import clip_with_sound

    video = clip_with_sound(tmp_path / "phone.mp4", clip[:9])
    common = ["-m", str(tiny_model), "--steps", "2", "-q"]
    as_was, under = "kept as it was", "kept under its own frames; the 0.5 s added"
    for name, verb, said, starts in (
        ("a.mp4", ["stylize", str(video), "a blue circle"], as_was, 0.0),
        ("b.mp4", ["inpaint", str(video), "grass", "--box", "4,4,10,10"], as_was, 0.0),
        ("c.gif", ["stylize", str(video), "a blue circle"], "not kept", None),
        ("d.mp4", ["extend", str(video), "x", "--seconds", "0.5"], f"{under} after", 0.0),
        (
            "e.mp4",
            ["extend", str(video), "x", "--seconds", "0.5", "--backward"],
            f"{under} before",
            0.5,
        ),
        ("f.mp4", ["interpolate", str(video), "--factor", "2"], as_was, 0.0),
    ):
        out = tmp_path / name
        r = CliRunner().invoke(app, [*verb, "-o", str(out), *common])
        assert r.exit_code == 0, r.output
        with av.open(str(out)) as box:
            assert bool(box.streams.audio) == (starts is not None), name
            if starts is not None:
                first = next(box.demux(box.streams.audio[0]))
                assert abs(float(first.pts * first.time_base) - starts) < 0.05, name
        made = read_video(out)
        assert f"phone.mp4: its sound is {said}" in " ".join(made.recipe["notices"]), name
        if starts is not None:
            assert made.recipe["prompt"] is not None  # the recipe came along
    assert read_video(tmp_path / "a.mp4").num_frames == 9


def test_a_sound_copy_that_fails_leaves_the_pictures_and_a_recipe_that_says_so(
    tiny_model: Path, clip: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import clip_with_sound

    import spacetime.io.video as iov

    def broken(*args: object, **kw: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(iov, "add_sound", broken)
    video = clip_with_sound(tmp_path / "phone.mp4", clip[:9])
    out = tmp_path / "a.mp4"
    args = ["stylize", str(video), "a blue circle", "-o", str(out), "-m", str(tiny_model)]
    r = CliRunner().invoke(app, [*args, "--steps", "2"])
    assert r.exit_code == 0, r.output
    assert "its sound could not be copied (disk full)" in r.output
    assert "its sound is not kept" in r.output and "kept as it was" not in r.output
    said = " ".join(read_video(out).recipe["notices"])
    assert "phone.mp4: its sound is not kept" in said and "kept as it was" not in said
