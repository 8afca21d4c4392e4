"""Tests for spacetime.io: round trips, atomic writes, clear errors, contact sheets."""

from __future__ import annotations

import errno
import json
import os
import warnings
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import clip_with_sound
from PIL import Image

import spacetime.io.video as video_mod
from spacetime.io import (
    Video,
    VideoError,
    check_output,
    contact_sheet,
    read_mask,
    read_media,
    read_video,
    sheet_of_many,
    write_video,
)
from spacetime.io.media import is_still, probe_media
from spacetime.io.sheet import cell_frame
from spacetime.io.video import probe

RECIPE = {
    "prompt": 'a red disc drifts "east" — café',
    "seed": 7,
    "model": "tiny",
    "settings": {"steps": 20, "cfg": [1.5, 2.0], "x": None},
}


def clip(t: int = 12, h: int = 32, w: int = 32, disc: bool = False) -> np.ndarray:
    """A smooth moving colour gradient, optionally with a hard-edged disc: (T, H, W, 3) uint8."""
    tt, yy, xx = np.meshgrid(np.arange(t), np.arange(h), np.arange(w), indexing="ij")
    f = np.stack(
        [
            128 + 100 * np.sin((xx + 2 * tt) / 6),
            128 + 100 * np.cos((yy - tt) / 7),
            128 + 60 * np.sin((xx + yy + 3 * tt) / 9),
        ],
        -1,
    )
    if disc:
        f[(xx - w / 2 - 5 * np.sin(tt / 3)) ** 2 + (yy - h / 2) ** 2 < (h / 5) ** 2] = (240, 30, 30)
    return f.clip(0, 255).astype(np.uint8)


def mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


# ----------------------------------------------------------------------------- Video


def test_video_properties() -> None:
    v = Video(clip(12, 32, 48), 8, RECIPE)
    assert (v.num_frames, v.height, v.width, v.seconds) == (12, 32, 48, 1.5)


@pytest.mark.parametrize(
    ("frames", "fps", "recipe", "match"),
    [
        (clip().astype(np.float32), 8, {}, "uint8"),
        (clip()[..., :2], 8, {}, "shape"),
        (clip()[0], 8, {}, "shape"),
        (np.zeros((0, 8, 8, 3), np.uint8), 8, {}, "shape"),
        (clip(), 0, {}, "fps"),
        (clip(), float("nan"), {}, "fps"),
        (clip(), 8, {"seed": object()}, "JSON"),
        (clip().tolist(), 8, {}, "numpy"),
    ],
)
def test_video_validation(frames, fps, recipe, match) -> None:
    with pytest.raises(ValueError, match=match):
        Video(frames, fps, recipe)


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    ("name", "fps", "tol"),
    [
        ("a.mp4", 8, 3.0),
        ("a.mp4", 7.5, 3.0),
        ("a.webm", 12, 3.0),
        ("a.gif", 24, 6.0),
        ("a.gif", 7.5, 6.0),
        ("frames", 7.5, 0.0),
        ("nested/dir/frames", 12, 0.0),
    ],
)
def test_round_trip(tmp_path: Path, name: str, fps: float, tol: float) -> None:
    v = Video(clip(), fps, RECIPE)
    out = write_video(v, tmp_path / name)
    assert out == tmp_path / name and out.exists()
    back = read_video(out)
    assert back.frames.shape == (12, 32, 32, 3) and back.frames.dtype == np.uint8
    assert abs(back.fps - fps) < 1e-3
    assert back.recipe == RECIPE
    assert mae(back.frames, v.frames) <= tol
    if tol == 0:
        np.testing.assert_array_equal(back.frames, v.frames)


@pytest.mark.parametrize("name", ["odd.mp4", "odd.webm", "odd.gif", "odd"])
def test_odd_size_round_trip(tmp_path: Path, name: str) -> None:
    v = Video(clip(8, 33, 33, disc=True), 12, {"prompt": "odd"})
    back = read_video(write_video(v, tmp_path / name))
    assert back.frames.shape == (8, 33, 33, 3)
    assert back.recipe == {"prompt": "odd"}
    assert mae(back.frames, v.frames) < 8


@pytest.mark.parametrize("name", ["odd.mp4", "odd.webm", "odd.gif", "odd", "plain.gif"])
def test_probe_says_what_read_video_reads(tmp_path: Path, name: str) -> None:
    """`info` probes a clip without decoding it: the same length, size, rate and recipe."""
    path = write_video(Video(clip(7, 33, 35, disc=True), 12, RECIPE), tmp_path / name)
    if name == "plain.gif":
        (tmp_path / "plain.gif.recipe.json").unlink()  # a GIF without its sidecar
    back, seen = read_video(path), video_mod.probe(path)
    assert (seen.num_frames, seen.height, seen.width) == back.frames.shape[:3]
    assert seen.fps == pytest.approx(back.fps) and seen.recipe == back.recipe
    with pytest.raises(VideoError, match="no such file"):
        video_mod.probe(tmp_path / "missing.mp4")


def test_probe_and_read_agree_on_odd_files(tmp_path: Path) -> None:
    """Packets the decoder drops (an edit list trimming the start) are not counted; a file
    re-encoded at another size keeps its old header and is not cut to it; a folder read
    for one frame opens that file alone; a header's bad frame rate is one clear error."""
    trimmed = tmp_path / "trimmed.mp4"
    with av.open(str(trimmed), "w") as box:
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(12):
            f = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 20, np.uint8), "rgb24")
            f.pts = i - 3  # starts before 0: the muxer writes an edit list
            box.mux(stream.encode(f))
        box.mux(stream.encode(None))
    assert video_mod.probe(trimmed).num_frames == read_video(trimmed).num_frames == 9
    front = tmp_path / "front.mp4"  # the index before the frames (a web download), cut short
    with av.open(str(front), "w", options={"movflags": "faststart"}) as box:
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for frame in clip(12):
            box.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        box.mux(stream.encode(None))
    assert video_mod.probe(front).num_frames == 12
    front.write_bytes(front.read_bytes()[: front.stat().st_size * 2 // 3])
    for read in (video_mod.probe, read_video, lambda f: list(video_mod.iter_video(f))):
        with pytest.raises(VideoError, match="cut short: its index lists 12 frames"):
            read(front)
    bigger = tmp_path / "bigger.mp4"
    with av.open(str(bigger), "w") as box:
        box.metadata["comment"] = json.dumps({"spacetime": 1, "fps": 10, "height": 15, "width": 15})
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for frame in clip(3):
            box.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        box.mux(stream.encode(None))
    seen = video_mod.probe(bigger)
    assert read_video(bigger).frames.shape == (3, 32, 32, 3) and (seen.height, seen.width) == (
        32,
        32,
    )
    folder = write_video(Video(clip(3), 12, {}), tmp_path / "frames")
    (folder / "000002.png").write_bytes(b"not a png")
    assert read_video(folder, only="first").num_frames == 1
    assert video_mod.probe(folder).num_frames == 3
    (folder / "recipe.json").write_text(json.dumps({"spacetime": 1, "fps": 0}))
    with pytest.raises(ValueError, match="fps must be from"):
        video_mod.probe(folder)


def test_frames_that_last_unevenly_are_replayed_at_one_rate(tmp_path: Path) -> None:
    """A GIF that holds some frames longer (or a clip whose rate drops) plays as long as it
    did: each frame repeated for as long as it lasts, at its shortest frame's rate."""
    gif = tmp_path / "held.gif"
    shades = [Image.fromarray(np.full((16, 16, 3), 30 * i, np.uint8)) for i in range(5)]
    ms = [50, 50, 300, 50, 150]  # 600 ms: 12 frames at 20 fps
    shades[0].save(gif, save_all=True, append_images=shades[1:], duration=ms, loop=0)
    notes: list[str] = []
    back = read_media(gif, notes)
    assert back.fps == pytest.approx(20) and back.num_frames == 12
    assert [int(f[0, 0, 0]) // 30 for f in back.frames] == [0, 1, 2, 2, 2, 2, 2, 2, 3, 4, 4, 4]
    said = (
        "held.gif: its frames last from 50 to 300 ms; replayed at 20 fps, each as long as it lasts"
    )
    assert notes == [said]
    seen = probe(gif)
    assert (seen.num_frames, seen.fps) == (12, pytest.approx(20))
    assert len(list(video_mod.iter_video(gif))) == 12
    drops = tmp_path / "drops.mp4"  # 30 fps, then 15 in the dark
    with av.open(str(drops), "w") as box:
        stream = box.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 30)
        for i, pts in enumerate([0, 1, 2, 3, 5, 7, 9]):
            f = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 30 * i, np.uint8), "rgb24")
            f.pts = pts
            box.mux(stream.encode(f))
        box.mux(stream.encode(None))
    back = read_video(drops)
    assert probe(drops).num_frames == back.num_frames == 10 and back.fps == 30
    assert [round(f.mean() / 30) for f in back.frames] == [0, 1, 2, 3, 3, 4, 4, 5, 5, 6]
    steady = write_video(Video(clip(6), 12, {}), tmp_path / "steady.gif")
    (tmp_path / "steady.gif.recipe.json").unlink()  # not ours by its sidecar: even, so kept
    assert probe(steady).num_frames == read_video(steady).num_frames == 6


def test_an_even_gif_plays_at_the_rate_its_delays_give(tmp_path: Path) -> None:
    """ffmpeg guesses 50 fps for a GIF of 140 ms frames; its delays say 7.14, which is how
    every viewer plays it (the verbs' results took the guess before 2026-12-06)."""
    gif = tmp_path / "slow.gif"
    shades = [Image.fromarray(np.full((16, 16, 3), 60 * i, np.uint8)) for i in range(3)]
    shades[0].save(gif, save_all=True, append_images=shades[1:], duration=140, loop=0)
    assert read_media(gif).fps == pytest.approx(1 / 0.14)
    assert (probe(gif).num_frames, probe(gif).fps) == (3, pytest.approx(1 / 0.14))


def test_mp4_has_comment_tag_and_even_size(tmp_path: Path) -> None:
    write_video(Video(clip(8, 33, 33), 12, RECIPE), tmp_path / "a.mp4")
    with av.open(str(tmp_path / "a.mp4")) as box:
        head = json.loads(box.metadata["comment"])
        assert (box.streams.video[0].width, box.streams.video[0].height) == (34, 34)
    assert head["recipe"] == RECIPE and (head["height"], head["width"]) == (33, 33)


def test_foreign_mp4_without_header(tmp_path: Path) -> None:
    path = tmp_path / "plain.mp4"
    with av.open(str(path), "w") as box:
        stream = box.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for f in clip(8):
            box.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        box.mux(stream.encode(None))
    back = read_video(path)
    assert back.frames.shape == (8, 32, 32, 3) and back.recipe == {} and back.fps == 10


def test_a_gif_faster_than_50_fps_is_refused(tmp_path: Path) -> None:
    """GIF delays are hundredths of a second and browsers play one hundredth as ten."""
    with pytest.raises(VideoError, match="a GIF plays at 50 fps at most"):
        write_video(Video(clip(3), 60, {}), tmp_path / "fast.gif")
    assert not list(tmp_path.iterdir())
    write_video(Video(clip(3), 50, {}), tmp_path / "ok.gif")


def test_gif_sidecar(tmp_path: Path) -> None:
    write_video(Video(clip(8), 12, RECIPE), tmp_path / "a.gif")
    sidecar = tmp_path / "a.gif.recipe.json"
    assert json.loads(sidecar.read_text())["recipe"] == RECIPE
    sidecar.unlink()
    back = read_video(tmp_path / "a.gif")  # still readable, fps from the GIF delays
    assert back.recipe == {} and back.num_frames == 8 and abs(back.fps - 12) < 1


def test_png_folder_layout_and_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    write_video(Video(clip(8), 8, RECIPE), folder)
    write_video(Video(clip(3), 8, {}), folder)  # replaces the whole folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "000000.png",
        "000001.png",
        "000002.png",
        "recipe.json",
    ]
    assert read_video(folder).num_frames == 3
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(VideoError, match="mine"):
        write_video(Video(clip(3), 8, {}), tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").exists()
    (folder / "notes.txt").write_text("mine too")  # a frame folder the user added to
    with pytest.raises(VideoError, match=r"holds files spacetime did not write \(notes.txt\)"):
        write_video(Video(clip(3), 8, {}), folder)
    assert (folder / "notes.txt").exists() and read_video(folder).num_frames == 3


def test_probe_refuses_a_folder_whose_frames_differ_in_size(tmp_path: Path) -> None:
    """info reads a folder from its frames' headers: all of them, not only the first."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(folder / "000000.png")
    Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(folder / "000001.png")
    with pytest.raises(VideoError, match=r"differ in size \(16x16, then 16x12 at 000001.png\)"):
        probe(folder)


def test_bitrate_degrades(tmp_path: Path) -> None:
    v = Video(clip(12, 64, 64, disc=True), 12, {})
    hi, lo = tmp_path / "hi.mp4", tmp_path / "lo.mp4"
    write_video(v, hi)
    write_video(v, lo, bitrate=20_000, preset="ultrafast")
    assert lo.stat().st_size < hi.stat().st_size
    assert mae(read_video(lo).frames, v.frames) > mae(read_video(hi).frames, v.frames)


# ----------------------------------------------------------------------------- atomic writes


def _fail_after(n: int, real):
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > n:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    return wrapped


@pytest.mark.parametrize(
    ("name", "target"), [("a.mp4", "_rgb_to_i420"), ("a.webm", "_rgb_to_i420"), ("a.gif", "_pal8")]
)
def test_atomic_write_failure(tmp_path: Path, monkeypatch, name: str, target: str) -> None:
    out = tmp_path / "sub" / name
    monkeypatch.setattr(video_mod, target, _fail_after(3, getattr(video_mod, target)))
    with pytest.raises(RuntimeError, match="boom"):
        write_video(Video(clip(8), 8, RECIPE), out)
    assert list(out.parent.iterdir()) == []  # no output, no temp file, no sidecar


def test_atomic_failure_keeps_old_file(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "a.mp4"
    write_video(Video(clip(8), 8, {"v": 1}), out)
    monkeypatch.setattr(video_mod, "_rgb_to_i420", _fail_after(2, video_mod._rgb_to_i420))
    with pytest.raises(RuntimeError):
        write_video(Video(clip(8), 8, {"v": 2}), out)
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp4"]
    assert read_video(out).recipe == {"v": 1}


def test_atomic_folder_failure(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(video_mod.Image, "fromarray", _fail_after(2, Image.fromarray))
    with pytest.raises(RuntimeError):
        write_video(Video(clip(8), 8, {}), tmp_path / "frames")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.mp4"
    with pytest.raises(VideoError, match=r"nope\.mp4") as err:
        read_video(path)
    assert isinstance(err.value, ValueError)
    with pytest.raises(VideoError, match="not web addresses; download it first"):
        read_media(Path("https://example.com/clip.mp4"))  # Path makes https:/ of it
    with pytest.raises(VideoError, match="no such file or folder"):
        read_media(Path("C:/clip.png"))  # a drive, not an address


@pytest.mark.parametrize("data", [np.random.default_rng(0).bytes(4096), b""])
def test_garbage_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.mp4"
    path.write_bytes(data)
    with pytest.raises(VideoError, match=r"x\.mp4"):
        read_video(path)


def test_no_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "sound.wav"
    with av.open(str(path), "w") as box:
        stream = box.add_stream("pcm_s16le", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 800), np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 8000
        box.mux(stream.encode(frame))
        box.mux(stream.encode(None))
    with pytest.raises(VideoError, match="no video stream"):
        read_video(path)


def test_empty_folder_and_bad_suffix(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(VideoError, match="empty"):
        read_video(tmp_path / "empty")
    with pytest.raises(VideoError, match=r"\.avi"):
        write_video(Video(clip(2), 8, {}), tmp_path / "a.avi")
    (tmp_path / "b.mp4").mkdir()  # a folder named as a video is not written into
    with pytest.raises(VideoError, match="a folder with that name exists"):
        write_video(Video(clip(2), 8, {}), tmp_path / "b.mp4")
    assert not any((tmp_path / "b.mp4").iterdir())
    (tmp_path / "frames.v2").mkdir()  # a folder with another suffix is a frame folder
    write_video(Video(clip(2), 8, {}), tmp_path / "frames.v2")
    assert read_video(tmp_path / "frames.v2").num_frames == 2


# ----------------------------------------------------------------------------- sheets


def test_contact_sheet(tmp_path: Path) -> None:
    v = Video(clip(17, 64, 64), 12, {"prompt": "a long prompt " * 20})
    img = contact_sheet(v, tmp_path / "sheet.png")
    saved = Image.open(tmp_path / "sheet.png")
    assert saved.format == "PNG" and saved.size == img.size
    # 16 of 17 frames -> 4x4 grid, 64 px frames upscaled x2 to 128 px cells, caption wraps
    assert 4 * 128 < img.width < 4 * 128 + 80
    assert 4 * 128 + 60 < img.height < 4 * 128 + 300
    short = contact_sheet(v, caption="", columns=8, max_frames=8)
    assert short.height < img.height and short.width > img.width
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.png"]
    big = write_video(Video(clip(3, 300, 600), 12, {}), tmp_path / "big.mp4")
    small = read_video(big, each=cell_frame)  # what `spacetime sheet` reads: cells, not frames
    assert small.frames.shape == (3, 128, 256, 3)
    assert contact_sheet(small).size == contact_sheet(read_video(big)).size


def test_sheet_of_many(tmp_path: Path) -> None:
    vids = [Video(clip(8 + i, 32, 32 + 8 * (i % 2)), 8, {"prompt": f"clip {i}"}) for i in range(12)]
    img = sheet_of_many(vids, tmp_path / "many.png", frames_per_row=4)
    assert Image.open(tmp_path / "many.png").size == img.size
    assert img.height > 12 * 160 and img.width < 4 * 200 + 40
    with pytest.raises(ValueError, match="captions"):
        sheet_of_many(vids, captions=["one"])


def test_images_are_read_as_they_are_seen(tmp_path: Path) -> None:
    """16-bit grey is scaled, not clipped; EXIF orientation is applied; transparency is
    flattened onto grey with a notice."""
    ramp = (np.arange(64, dtype=np.uint16)[None] * 1040).repeat(8, 0)  # (8, 64): 0..65520
    Image.fromarray(ramp).save(tmp_path / "deep.png")
    deep = read_media(tmp_path / "deep.png").frames[0]
    assert deep.shape == (8, 64, 3) and abs(float(deep.mean()) - 127.5) < 2

    wide = np.zeros((32, 48, 3), np.uint8)
    wide[:, :8] = 255  # a white band on the left, stored landscape
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90 degrees clockwise: portrait, the band on top
    Image.fromarray(wide).save(tmp_path / "phone.jpg", exif=exif, quality=95)
    shown = read_media(tmp_path / "phone.jpg").frames[0]
    assert shown.shape == (48, 32, 3) and shown[:6].mean() > 200 > shown[10:].mean() + 150

    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0], rgba[:4, :, 3] = 255, 255  # red, the lower half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "cut.png")
    notices: list[str] = []
    cut = read_media(tmp_path / "cut.png", notices).frames[0]
    assert cut[0, 0].tolist() == [255, 0, 0] and cut[7, 0].tolist() == [128, 128, 128]
    assert notices and "transparent" in notices[0]


def test_a_mask_with_transparency_is_read_by_its_alpha(tmp_path: Path) -> None:
    """Flattened onto grey, a clear layer would read as light, so all of it a region:
    white strokes on a clear layer give the strokes; a picture with a hole, the hole."""
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[2:4, 2:6] = 255  # opaque white strokes, the rest clear
    Image.fromarray(rgba, "RGBA").save(tmp_path / "strokes.png")
    notices: list[str] = []
    strokes = read_mask(tmp_path / "strokes.png", notices)
    assert strokes.sum() == 8 and strokes[2:4, 2:6].all()
    assert "opaque pixels are the region" in notices[0]
    photo = np.full((8, 8, 4), 255, np.uint8)
    photo[..., :3] = np.arange(64, dtype=np.uint8).reshape(8, 8, 1) * 4  # dark to light
    photo[5:7, 1:3, 3] = 0  # a hole cut out
    Image.fromarray(photo, "RGBA").save(tmp_path / "hole.png")
    hole = read_mask(tmp_path / "hole.png", notices)
    assert hole.sum() == 4 and hole[5:7, 1:3].all()
    assert "transparent pixels are the region" in notices[1]
    plain = np.zeros((8, 8, 3), np.uint8)
    plain[:3] = 255
    Image.fromarray(plain).save(tmp_path / "plain.png")
    assert read_mask(tmp_path / "plain.png", notices).sum() == 24 and len(notices) == 2


def test_a_soft_mask_is_cut_at_half_grey_with_a_note(tmp_path: Path) -> None:
    """The model repaints a pixel or keeps it: a feathered or half-strength mask is cut at
    half grey, and the user is told; an anti-aliased edge is not worth a note."""
    ramp = np.repeat(np.linspace(0, 255, 64).astype(np.uint8)[None, :, None], 8, 0)
    Image.fromarray(np.repeat(ramp, 3, 2)).save(tmp_path / "feather.png")  # (8, 64, 3)
    notices: list[str] = []
    cut = read_mask(tmp_path / "feather.png", notices)
    assert cut[:, :31].sum() == 0 and cut[:, 33:].all()
    assert len(notices) == 1 and "a soft mask" in notices[0] and "cut at half grey" in notices[0]
    edge = np.zeros((64, 64, 3), np.uint8)
    edge[:, 32:] = 255
    edge[:, 31] = 128  # one grey column: 1.6% of the pixels
    Image.fromarray(edge).save(tmp_path / "edge.png")
    assert read_mask(tmp_path / "edge.png", notices)[:, 32:].all() and len(notices) == 1


@pytest.mark.parametrize("suffix", [".png", ".webp"])
def test_an_animated_image_is_a_clip(tmp_path: Path, suffix: str) -> None:
    """An animated PNG or WebP is read as the clip a viewer plays, not as its first frame:
    every frame, at the rate its durations give; a frame held longer comes as many times."""
    frames = [Image.fromarray(np.full((8, 12, 3), 40 * i, np.uint8)) for i in range(4)]
    even, uneven = tmp_path / f"even{suffix}", tmp_path / f"uneven{suffix}"
    opts = {"save_all": True, "loop": 0, **({"lossless": True} if suffix == ".webp" else {})}
    frames[0].save(even, append_images=frames[1:], duration=125, **opts)
    frames[0].save(uneven, append_images=frames[1:], duration=[100, 300, 100, 100], **opts)
    notices: list[str] = []
    v = read_media(even, notices)
    assert v.num_frames == 4 and v.fps == 8 and not notices
    assert v.frames[:, 0, 0, 0].tolist() == [0, 40, 80, 120]
    v = read_media(uneven, notices)
    assert v.fps == 10 and v.frames[:, 0, 0, 0].tolist() == [0, 40, 40, 40, 80, 120]
    assert "replayed at 10 fps" in notices[0]
    assert read_media(uneven, only="last").frames[:, 0, 0, 0].tolist() == [120]
    assert not is_still(uneven) and is_still(tmp_path / "even.jpg")
    p = probe_media(uneven)
    assert (p.num_frames, p.width, p.height, p.fps) == (6, 12, 8, 10)
    masks = [Image.fromarray(np.full((8, 12, 3), 255 * (i % 2), np.uint8)) for i in range(4)]
    masks[0].save(tmp_path / f"mask{suffix}", append_images=masks[1:], duration=125, **opts)
    assert read_mask(tmp_path / f"mask{suffix}").mean(axis=(1, 2)).tolist() == [0, 1, 0, 1]


def test_outputs_get_the_umask_permissions(tmp_path: Path) -> None:
    video = Video(np.zeros((2, 16, 16, 3), np.uint8), 8.0, {})
    old = os.umask(0o022)
    try:
        write_video(video, tmp_path / "a.mp4")
        write_video(video, tmp_path / "frames")
    finally:
        os.umask(old)
    assert (tmp_path / "a.mp4").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "frames").stat().st_mode & 0o777 == 0o755


def test_check_output_fails_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(VideoError, match="is a file, not a folder"):
        check_output(tmp_path / "notes.txt" / "out.mp4")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    with pytest.raises(VideoError, match="not a spacetime frame folder"):
        check_output(tmp_path / "mine")
    with pytest.raises(VideoError, match=r"drop the / for a \.gif file"):
        check_output(f"{tmp_path}/clip.gif/")  # a folder asked for with a video's name
    assert check_output(f"{tmp_path}/frames/").name == "frames"
    assert check_output(tmp_path / "new" / "deeper" / "out.mp4").name == "out.mp4"
    assert not (tmp_path / "new").exists() and len(list(tmp_path.iterdir())) == 2  # no probe left
    if Path("/proc/self").is_dir():  # root may write anywhere os.access knows of, but not here
        with pytest.raises(VideoError, match="/proc takes no new files"):
            check_output("/proc/out.mp4")
    if Path("/dev/null").exists():
        with pytest.raises(VideoError, match="it is a device or pipe"):
            check_output("/dev/null")  # not "a file with that name exists; remove it"
    with pytest.raises(VideoError, match="standard output"):
        check_output("-")  # would be a folder of frames named -
    with pytest.raises(VideoError, match="ends in a dot"):
        check_output(tmp_path / "out.mp4.")  # a typo that would be a folder of frames
    long = "a" * 240  # a name the system takes; its GIF's recipe beside it is not
    assert check_output(tmp_path / f"{long}.mp4").name == f"{long}.mp4"
    with pytest.raises(VideoError, match="shorter name"):
        check_output(tmp_path / f"{long}.gif")
    assert len(video_mod.temp_name(tmp_path / f"{long}.mp4").name) < 100


def test_the_files_users_have_are_read(tmp_path: Path, monkeypatch) -> None:
    """A camera's .PNG frames, TIFF and JFIF stills, a 100 MP photo (over the size Pillow
    warns of) read without a word; one over twice that is one line, not Pillow's error."""
    folder = tmp_path / "camera"
    folder.mkdir()
    for k in range(3):
        Image.fromarray(np.full((8, 8, 3), k * 50, np.uint8)).save(folder / f"IMG_{k:04d}.PNG")
    frames = read_video(folder).frames
    assert [int(f[0, 0, 0]) for f in frames] == [0, 50, 100]
    frames[0, 0, 0] = 1  # writable: verbs put their work back into the frames they read
    for name in ("still.tif", "still.jfif"):
        Image.fromarray(clip(1, 8, 12)[0]).save(tmp_path / name)
        assert is_still(tmp_path / name) and read_media(tmp_path / name).frames.shape == (
            1, 8, 12, 3
        )  # fmt: skip
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # as if 1000 pixels were 89 million
    Image.fromarray(clip(1, 40, 40)[0]).save(tmp_path / "big.png")  # 1600: Pillow warns
    Image.fromarray(clip(1, 50, 50)[0]).save(tmp_path / "huge.png")  # 2500: Pillow refuses
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_media(tmp_path / "big.png").frames.shape == (1, 40, 40, 3)
    with pytest.raises(VideoError, match=r"more than 0 million pixels.*shrink it first"):
        read_media(tmp_path / "huge.png")


def test_a_gif_with_transparency_is_flattened_onto_grey(tmp_path: Path) -> None:
    """A sticker GIF's transparent pixels read as grey with a note, as a PNG's do, not as
    whatever colour the video reader gives them."""
    frames = []
    for k in range(2):
        p = np.zeros((8, 8), np.uint8)  # palette index 0: transparent
        p[2:6, 2 + k : 4 + k] = 1  # a red square stepping right
        img = Image.fromarray(p, "P")
        img.putpalette([0, 0, 0, 230, 20, 20] + [0] * 762)
        frames.append(img)
    path = tmp_path / "sticker.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, transparency=0)
    notices: list[str] = []
    v = read_media(path, notices)
    assert (v.num_frames, v.fps) == (2, 10.0)
    assert v.frames[:, 0, 0].tolist() == [[128, 128, 128]] * 2 and v.frames[1, 3, 4, 0] > 200
    assert notices == ["sticker.gif: transparent pixels flattened onto grey"]


def test_a_video_shows_itself_briefly_and_refuses_what_is_not_one(tmp_path: Path) -> None:
    v = Video(clip(3, 8, 8), 8, {"prompt": "a red disc"})
    assert repr(v) == "Video(3 frames, 8x8, 8 fps, 0.38 s, prompt='a red disc')"
    with pytest.raises(TypeError, match=r"write_video takes a Video, got ndarray: wrap"):
        write_video(v.frames, tmp_path / "a.mp4")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"contact_sheet takes a Video, got str"):
        contact_sheet("a.mp4")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fps must be a number of frames a second, got None"):
        Video(v.frames, None)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_clips_sound_is_said_to_be_left_out(tmp_path: Path) -> None:
    path = clip_with_sound(tmp_path / "phone.mp4", clip(4, 16, 16))
    notices: list[str] = []
    assert read_media(path, notices).num_frames == 4
    assert notices == ["phone.mp4: its sound is not kept (spacetime makes pictures only)"]


def test_a_phone_clip_stored_on_its_side_is_read_upright(tmp_path: Path) -> None:
    """A portrait phone clip is stored landscape with a display matrix that turns it 90
    degrees clockwise: it is read (and probed) upright, as a JPEG's EXIF turn is."""
    frames = np.zeros((3, 64, 96, 3), np.uint8)
    frames[:, :, :16] = 255  # a white band on the stored frame's left
    write_video(Video(frames, 8, {}), tmp_path / "side.mp4")
    data = (tmp_path / "side.mp4").read_bytes()
    one, zero = (1 << 16).to_bytes(4, "big"), bytes(4)
    upright = one + zero * 3 + one + zero * 3 + (1 << 30).to_bytes(4, "big")  # tkhd's identity
    turned = zero + one + zero + (-(1 << 16) & 0xFFFFFFFF).to_bytes(4, "big") + zero * 4
    turned += (1 << 30).to_bytes(4, "big")  # (a, b, u, c, d, v) = (0, 1, 0, -1, 0, 0)
    at = data.rindex(upright)  # the track's matrix (the movie's comes first)
    (tmp_path / "phone.mp4").write_bytes(data[:at] + turned + data[at + len(upright) :])
    clip = read_video(tmp_path / "phone.mp4").frames
    assert clip.shape == (3, 96, 64, 3)  # portrait
    assert clip[:, :14].mean() > 240 and clip[:, 18:].mean() < 15  # turned clockwise: on top
    assert (probe(tmp_path / "phone.mp4").height, probe(tmp_path / "phone.mp4").width) == (96, 64)


def test_a_folders_frames_are_read_in_number_order(tmp_path: Path) -> None:
    """frame_2.png before frame_10.png: names without zero padding keep their order."""
    folder = tmp_path / "shots"
    folder.mkdir()
    for k in (1, 2, 10, 11):
        Image.fromarray(np.full((8, 8, 3), k * 20, np.uint8)).save(folder / f"frame_{k}.png")
    assert [int(f[0, 0, 0]) for f in read_video(folder).frames] == [20, 40, 200, 220]
    notices: list[str] = []
    read_media(folder, notices)  # 3 to 9 are missing: the clip jumps from 2 to 10
    assert notices[0] == (
        "shots: frames numbered 1 to 11 lack 3, 4, 5, ...; read one after another, so the "
        "clip jumps there"
    )


def test_a_full_disk_is_one_line_naming_the_output(tmp_path: Path, monkeypatch) -> None:
    """An error of the output's own (a full disk) names the user's path, not the temporary
    one, and leaves nothing; an error about another file (an input) stays as it was."""
    out = tmp_path / "a.mp4"

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(video_mod, "_encode", full)
    with pytest.raises(VideoError, match=f"cannot write {out}: No space left on device"):
        write_video(Video(clip(4), 8, RECIPE), out)
    assert list(tmp_path.iterdir()) == []

    def missing(*args, **kwargs):
        raise FileNotFoundError(errno.ENOENT, "No such file", str(tmp_path / "input.mp4"))

    monkeypatch.setattr(video_mod, "_encode", missing)
    with pytest.raises(FileNotFoundError):
        write_video(Video(clip(4), 8, RECIPE), out)


def test_one_frame_of_a_clip_and_a_clip_too_big(tmp_path: Path, monkeypatch) -> None:
    frames = np.random.default_rng(0).integers(0, 256, (6, 16, 16, 3), dtype=np.uint8)
    for name in ("c.mp4", "c"):
        write_video(Video(frames, 8.0, {"seed": 1}), tmp_path / name)
        whole = read_video(tmp_path / name).frames
        first, last = (read_video(tmp_path / name, only=k) for k in ("first", "last"))
        assert np.array_equal(first.frames, whole[:1]) and np.array_equal(last.frames, whole[-1:])
        assert first.recipe == {"seed": 1}
    monkeypatch.setattr(video_mod, "MAX_DECODED", 3 * 16 * 16 * 3)  # three frames' bytes
    with pytest.raises(VideoError, match="cut it shorter or scale it down"):
        read_video(tmp_path / "c.mp4")
    assert read_video(tmp_path / "c.mp4", only="last").num_frames == 1


def test_the_same_frames_write_the_same_file(tmp_path: Path) -> None:
    """x264's AVX-512 code wrote the same 64x64 clip differently from one write to the next,
    now and then (video._x264_params); a recipe must give back the very file."""
    from spacetime.world.parse import prompt_to_scene
    from spacetime.world.render import render

    frames = render(prompt_to_scene("a red circle moving left on a grass field", 2.0), 17, 8.0, 64)
    made = set()
    for k in range(8):
        path = write_video(Video(frames, 8.0, {"prompt": "a red circle"}), tmp_path / f"{k}.mp4")
        made.add(path.read_bytes())
    assert len(made) == 1


def test_frames_are_gathered_whatever_the_header_says() -> None:
    """A clip is read into one array sized from its header's frame count; a header that
    counts too few or too many frames still gives every frame, in order."""
    from spacetime.io.video import _Frames

    frames = np.random.default_rng(1).integers(0, 256, (5, 4, 6, 3), dtype=np.uint8)
    for expect in (0, 1, 3, 5, 9):
        got = _Frames(expect)
        for f in frames:
            got.add(f)
        assert got.count == 5 and np.array_equal(got.stacked(), frames), expect


@pytest.mark.parametrize("name", ["a.mp4", "a.webm", "a.gif", "frames"])
def test_a_stream_writes_what_a_video_writes(tmp_path: Path, name: str) -> None:
    """A Stream's frames, given one at a time, make the very file the whole clip makes, and
    iter_video gives back read_video's frames one at a time."""
    from spacetime.io import Stream, iter_video

    frames = clip(6, 17, 21, disc=True)  # odd: padded to even for yuv420p
    whole = write_video(Video(frames, 12.0, RECIPE), tmp_path / "whole" / name)
    one = write_video(Stream(iter(frames), 6, 17, 21, 12.0, RECIPE), tmp_path / "one" / name)
    back = read_video(one)
    assert np.array_equal(back.frames, read_video(whole).frames) and back.recipe == RECIPE
    if name in ("a.mp4", "a.gif"):  # webm holds a random segment id
        assert one.read_bytes() == whole.read_bytes()
    assert np.array_equal(np.stack(list(iter_video(one))), back.frames)


def test_a_stream_that_breaks_its_word_leaves_nothing(tmp_path: Path) -> None:
    from spacetime.io import Stream

    frames = clip(6)
    for n, given in ((6, frames[:4]), (6, frames[:, :16]), (4, frames)):
        for name in ("a.mp4", "frames"):
            out = tmp_path / str(n) / name
            with pytest.raises(VideoError, match="frame"):
                write_video(Stream(iter(given), n, 32, 32, 8.0, {}), out)
            assert list(out.parent.iterdir()) == []
