"""Training on your own videos: videos = FOLDER, a folder of clips and their captions.jsonl."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import tiny_config
from PIL import Image
from safetensors import safe_open

from spacetime.io import Video, write_video
from spacetime.models import shipped_folder
from spacetime.train import cache
from spacetime.train.config import TrainConfig
from spacetime.train.footage import read_footage, window
from spacetime.train.loop import train


def moving_square(frames: int, h: int, w: int, colour=(220, 40, 40)) -> np.ndarray:
    """A square crossing a grey frame left to right: uint8 (frames, h, w, 3)."""
    out = np.full((frames, h, w, 3), 120, np.uint8)
    side = max(2, min(h, w) // 4)
    for t in range(frames):
        x = (w - side) * t // max(1, frames - 1)
        out[t, h // 2 - side // 2 : h // 2 + side // 2, x : x + side] = colour
    return out


def make_folder(root: Path, lines: list[tuple[str, np.ndarray | None, float]]) -> Path:
    """root/captions.jsonl and its clips: (name, frames or None for a still, fps) each."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "captions.jsonl").open("w") as f:
        for k, (name, frames, fps) in enumerate(lines):
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if frames is None:
                Image.fromarray(moving_square(1, 48, 64)[0]).save(path)
            else:
                write_video(Video(frames, fps, {}), path)
            f.write(json.dumps({"file": name, "caption": f"clip {k} moving right"}) + "\n")
    return root


@pytest.fixture()
def mine(tmp_path: Path) -> Path:
    """Clips as a phone and an editor give them: other rates, sizes, lengths and formats."""
    return make_folder(
        tmp_path / "mine",
        [
            ("clips/wide.mp4", moving_square(49, 72, 128), 24.0),  # 2 s at 24 fps, 16:9-ish
            ("clips/tall.webm", moving_square(20, 96, 48, (40, 200, 60)), 10.0),  # 1.9 s
            ("clips/loop.gif", moving_square(12, 40, 40), 8.0),  # 1.5 s
            ("frames", moving_square(9, 32, 32), 8.0),  # a folder of PNG frames, 1 s
            ("clips/blink.mp4", moving_square(3, 32, 32), 8.0),  # too short
            ("clips/photo.png", None, 0.0),  # a still
        ],
    )


def test_clips_are_read_at_the_runs_rate_and_size_and_short_ones_left_out(mine: Path) -> None:
    fx = read_footage(mine, frames=5, fps=8.0, size=32)
    assert fx.files == ["clips/wide.mp4", "clips/tall.webm", "clips/loop.gif", "frames"]
    shapes = [c.shape for c in fx.clips]
    # 2 s at 24 fps -> 17 frames at 8; the short side scaled to 32, the aspect kept
    assert shapes[0] == (17, 32, 57, 3)
    assert shapes[1] == (16, 64, 32, 3)  # 20 frames at 10 fps: ticks 0 .. 1.875 s
    assert shapes[2] == (12, 32, 32, 3)
    assert shapes[3] == (9, 32, 32, 3)
    assert fx.captions[0] == "clip 0 moving right"
    assert fx.held == [] and fx.train == [0, 1, 2, 3]  # under 10 clips: none held out
    said = " ".join(fx.notes)
    assert "2 clips: shorter than 0.5 s (5 frames at 8 fps), left out (clips/blink.mp4, " in said
    # the square still crosses left to right at the new rate: the red is further right later
    red = fx.clips[0][..., 0].astype(int) - fx.clips[0][..., 2]  # (T, h, w)
    xs = [np.nonzero(f.max(0) > 60)[0].mean() for f in red]
    assert xs[-1] > xs[0] + 20


def test_a_line_may_give_the_rate_a_clip_is_read_at(mine: Path) -> None:
    """A folder of PNG frames has no rate of its own: its line says it (and a clip's line
    may read it slower, as slow motion); an impossible rate is an error naming the line."""
    before = read_footage(mine, frames=5, fps=8.0, size=32).sha256
    (mine / "frames" / "recipe.json").unlink()  # frames from elsewhere: no rate with them
    fx = read_footage(mine, frames=5, fps=8.0, size=32)
    assert fx.sha256 != before  # read at another rate: another cache, same PNG bytes
    said = " ".join(fx.notes)
    assert 'has no frame rate; 24 fps assumed; give its "fps" in captions.jsonl' in said
    listed = mine / "captions.jsonl"
    lines = listed.read_text().splitlines()
    frames = json.loads(lines[3]) | {"fps": 4}  # 9 frames: 2 s at 4 fps
    wide = json.loads(lines[0]) | {"fps": 12.0}  # 49 frames: 4 s at 12 fps
    listed.write_text("\n".join([json.dumps(wide), *lines[1:3], json.dumps(frames)]) + "\n")
    fx = read_footage(mine, frames=5, fps=8.0, size=32)
    assert [len(c) for c in fx.clips] == [33, 16, 12, 17]
    assert not any("no frame rate" in n for n in fx.notes)
    listed.write_text(json.dumps(frames | {"fps": "fast"}) + "\n")
    with pytest.raises(ValueError, match='line 1: "fps" must be a number'):
        read_footage(mine, frames=5, fps=8.0, size=32)


def test_windows_are_inside_the_clip_and_the_middle_one_is_fixed(mine: Path) -> None:
    fx = read_footage(mine, frames=5, fps=8.0, size=32)
    rng = np.random.default_rng(0)
    got, captions = fx.draw(rng, 6, 5, 32)
    assert got.shape == (6, 5, 32, 32, 3) and len(captions) == 6
    clip = fx.clips[0]
    middle = window(clip, 5, 32, None)
    assert np.array_equal(middle, clip[6:11, :, 12:44])
    assert np.array_equal(window(clip, 5, 32, None), middle)


def test_every_tenth_clip_is_held_out_for_previews(tmp_path: Path) -> None:
    lines = [(f"c{k}.mp4", moving_square(9, 32, 32), 8.0) for k in range(21)]
    folder = make_folder(tmp_path / "many", lines)
    with (folder / "captions.jsonl").open("a") as f:  # c9 again, with a second caption
        f.write(json.dumps({"file": "c9.mp4", "caption": "the same clip, told otherwise"}) + "\n")
    fx = read_footage(folder, frames=5, fps=8.0, size=32)
    assert fx.held == [9, 19, 21] and len(fx.train) == 19  # c9 held out with both captions
    assert "3 held out" in fx.summary()
    shown, captions = fx.shown(5, 32)
    assert shown.shape == (3, 5, 32, 32, 3)
    told = "the same clip, told otherwise"
    assert captions == ["clip 9 moving right", "clip 19 moving right", told]


def test_notes_on_many_clips_are_one_line_and_a_clip_listed_twice_is_read_once(
    tmp_path: Path,
) -> None:
    """A folder of 4 fps clips says so once; a spreadsheet's BOM is read; a file listed with
    two captions is two clips of one read; an empty caption is noted."""
    lines = [(f"slow{k}.mp4", moving_square(6, 24, 24), 4.0) for k in range(4)]
    folder = make_folder(tmp_path / "slow", lines)
    listed = folder / "captions.jsonl"
    extra = json.dumps({"file": "slow0.mp4", "caption": ""})
    listed.write_text("\ufeff" + listed.read_text() + extra + "\n", encoding="utf-8")
    fx = read_footage(folder, frames=5, fps=8.0, size=32)
    assert fx.files == ["slow0.mp4", "slow1.mp4", "slow2.mp4", "slow3.mp4", "slow0.mp4"]
    assert fx.clips[0] is fx.clips[4]
    assert fx.notes == [
        "4 clips: smaller than size (32), scaled up (slow0.mp4, slow1.mp4, slow2.mp4 and 1 more)",
        "4 clips: under 8 fps, so frames repeat (slow0.mp4, slow1.mp4, slow2.mp4 and 1 more)",
        "1 clip: an empty caption (it teaches what to make from no prompt) (slow0.mp4)",
    ]
    assert fx.summary().startswith("videos: 5 clips from")


@pytest.mark.parametrize(
    "broken, words",
    [
        (lambda d: (d / "captions.jsonl").unlink(), "has no captions.jsonl"),
        (lambda d: (d / "captions.jsonl").write_text('{"file": "a.mp4"}\n'), "line 1: needs"),
        (lambda d: (d / "captions.jsonl").write_text("\n{oops\n"), "line 2: not JSON"),
        (lambda d: (d / "captions.jsonl").write_text(""), "lists no clips"),
        (
            lambda d: (d / "captions.jsonl").write_text('{"file": " ", "caption": "x"}'),
            'line 1: "file" is empty',
        ),
        (
            lambda d: (d / "captions.jsonl").write_text(
                json.dumps({"file": "gone.mp4", "caption": "x"}) + "\n"
            ),
            "lists 1 file(s) that are not there: 'gone.mp4'",
        ),
    ],
)
def test_a_broken_folder_is_one_clear_error(mine: Path, broken, words: str) -> None:
    broken(mine)
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_footage(mine, frames=5, fps=8.0, size=32)


def test_a_folder_with_no_clip_long_enough_says_how_long_they_must_be(mine: Path) -> None:
    with pytest.raises(ValueError, match=r"no clip of 4 s or more \(33 frames at 8 fps\)"):
        read_footage(mine, frames=33, fps=8.0, size=32)
    with pytest.raises(ValueError, match="not there"):
        read_footage(mine / "nowhere", frames=5, fps=8.0, size=32)


def test_a_changed_clip_changes_the_hash_and_so_the_cache(mine: Path) -> None:
    before = read_footage(mine, frames=5, fps=8.0, size=32).sha256
    write_video(Video(moving_square(12, 40, 40, (0, 0, 255)), 8.0, {}), mine / "clips/loop.gif")
    after = read_footage(mine, frames=5, fps=8.0, size=32).sha256
    assert before != after
    cfg = tiny_config(mine / "run", stage="transformer", vae="x", videos=str(mine))
    assert cache.cache_key(cfg, "enc", before) != cache.cache_key(cfg, "enc", after)


def test_config_refuses_world_settings_beside_videos(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('stage = "vae"\nvideos = "mine"\n[data]\nobject_weights = [1.0]\n')
    with pytest.raises(ValueError, match="object_weights only shapes the procedural world"):
        TrainConfig.from_toml(path)
    path.write_text('stage = "vae"\nvideos = "mine"\nobject_weight = 2.0\n')
    with pytest.raises(ValueError, match="object_weight needs to know where objects are"):
        TrainConfig.from_toml(path)


def test_world_share_mixes_world_clips_in_and_lets_their_settings_be_set(
    tmp_path: Path, mine: Path
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'stage = "vae"\nvideos = "{mine}"\nworld_share = 0.5\ncharacters = false\n')
    assert TrainConfig.from_toml(path).characters is False
    for bad, words in (
        (f'videos = "{mine}"\nworld_share = 1.0', "from 0 to under 1"),
        ("world_share = 0.5", "set videos"),
    ):
        path.write_text(f'stage = "vae"\n{bad}\n')
        with pytest.raises(ValueError, match=words):
            TrainConfig.from_toml(path)
    from spacetime.train.vae import VAEStage

    cfg = tiny_config(tmp_path / "run", videos=str(mine), world_share=0.5, batch=8)
    (tmp_path / "run").mkdir()
    stage = VAEStage(cfg, None, quiet=True)
    x, _ = stage.batch(0, 0)  # (8, 3, T, 32, 32)
    grey = (x[:, :, 0] == x[:, :, 0, :1, :1]).flatten(1).float().mean(1)  # share of backdrop
    # our clips are a square on flat grey; world clips have textured, lit backdrops
    assert 0 < int((grey > 0.8).sum()) < 8
    cache_cfg = tiny_config(tmp_path / "tr", stage="transformer", vae="x", videos=str(mine))
    ours = cache.render_shard(cache_cfg, 0, read_footage(mine, 5, 8.0, 32))["captions"]
    mixed = replace(cache_cfg, world_share=0.5, cache_shard=8)
    theirs = cache.render_shard(mixed, 0, read_footage(mine, 5, 8.0, 32))["captions"]
    assert all(c.startswith("clip ") for c in ours)
    assert 0 < sum(c.startswith("clip ") for c in theirs) < 8


def test_a_folder_name_that_looks_like_a_date_or_a_number_is_a_folder() -> None:
    from spacetime.train.config import parse_setting

    assert parse_setting("videos=2024-05-01") == ("videos", "2024-05-01")
    assert parse_setting("videos=1080") == ("videos", "1080")
    assert parse_setting('videos=""') == ("videos", "")  # cleared on purpose
    with pytest.raises(ValueError, match="is empty"):
        parse_setting("videos=")  # an unset shell variable: not the world without a word


def test_a_refused_folder_leaves_no_run_folder_and_a_resume_takes_the_folder_however_named(
    mine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = mine.parent / "run"
    with pytest.raises(ValueError, match="no clip of 4 s or more"):
        train(tiny_config(run, videos=str(mine), frames=33))
    assert not run.exists()
    train(tiny_config(run, videos=str(mine)))
    (run / "videos.json").write_text('{"vid')  # cut by a kill: written again, not an error
    monkeypatch.chdir(mine.parent)
    train(tiny_config(run, videos="./mine/", steps=3))  # the same folder, written otherwise
    assert json.loads((run / "videos.json").read_text())["videos"] == "./mine/"


def test_the_shipped_model_is_named_by_its_name_in_a_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('vae = "spacetime-tiny"\ninit = "spacetime-tiny"\n')
    cfg = TrainConfig.from_toml(path)
    assert Path(cfg.vae) == shipped_folder() == Path(cfg.init)


def test_a_vae_trains_on_your_own_clips(mine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = mine.parent / "vae"
    cfg = tiny_config(run, videos=str(mine), object_weights=[0.5, 0.5], preview_every=2)
    model = train(cfg)
    assert (model / "vae" / "diffusion_pytorch_model.safetensors").is_file()
    out = capsys.readouterr().out
    assert f"videos: 4 clips from {mine}" in out and "note: 2 clips: shorter" in out
    record = json.loads((run / "videos.json").read_text())
    assert record["clips"] == ["clips/wide.mp4", "clips/tall.webm", "clips/loop.gif", "frames"]
    previews = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert any("psnr" in p.get("preview", {}) for p in previews)


def test_a_transformer_learns_your_captions_and_a_changed_folder_gets_a_new_cache(
    mine: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = mine.parent / "tr"
    kw = dict(stage="transformer", vae=str(tiny_model), videos=str(mine), preview_every=2)
    train(tiny_config(run, **kw))
    (folder,) = (run / "cache").iterdir()
    with safe_open(next(folder.glob("shard-*")), "pt") as f:
        captions = json.loads(f.metadata()["captions"])
    assert captions == ["clip 0 moving right", "clip 1 moving right"]  # clips i mod n
    log = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    # under 10 clips none is held out: the loss is on training clips, and named so
    assert next(p["preview"] for p in log if "preview" in p)["train_clips_loss"] > 0
    assert (run / "previews" / "step-0000002.png").is_file()
    capsys.readouterr()
    write_video(Video(moving_square(12, 40, 40, (0, 0, 255)), 8.0, {}), mine / "clips/loop.gif")
    train(tiny_config(run, **{**kw, "steps": 3}))
    out = capsys.readouterr().out
    assert "has changed since this run began" in out and "left out; set cache_clips" not in out
    train(tiny_config(mine.parent / "few", **{**kw, "cache_clips": 2, "cache_shard": 2}))
    assert "cache_clips (2) holds 2 windows of your clips and 4 are trained on" in (
        capsys.readouterr().out
    )
    assert len(list((run / "cache").iterdir())) == 2  # the old latents are not read
