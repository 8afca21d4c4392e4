"""`spacetime remake`: a result made again from its file's recipe, checked frame for frame."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from spacetime.cli import app
from spacetime.io import Video, read_video, write_video
from spacetime.models import shipped_folder
from spacetime.pipeline import Pipeline
from spacetime.provenance import code_hash
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error:") and "Traceback" not in result.output
    return lines[-1]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("in") / "clip.mp4"
    scene = prompt_to_scene("a red circle moving left on a grass field", 2.0, seed=0)
    write_video(Video(render(scene, 9, 8.0, 32), 8.0, {}), path)
    return path


def test_a_generated_clip_is_made_again_the_same(tmp_path: Path, tiny_model: Path) -> None:
    a = tmp_path / "a.mp4"
    made = run("generate", "a blue square", "-o", a, "-m", tiny_model, "--steps", 2, "--seed", 4)
    assert made.exit_code == 0, made.output
    info = run("info", a)
    assert f"made by: spacetime generate --out {a} --model {tiny_model}" in info.output
    assert "--seed 4 --steps 2 'a blue square'" in info.output
    again = run("remake", a, "-o", tmp_path / "b.mp4")
    assert again.exit_code == 0 and "same:" in again.output, again.output
    assert np.array_equal(read_video(a).frames, read_video(tmp_path / "b.mp4").frames)


def test_verbs_are_made_again_with_their_options(
    tmp_path: Path, tiny_model: Path, clip: Path
) -> None:
    """Flags (--backward, --as-made), a string option (--box), two inputs (morph)."""
    cases = {
        "ext.mp4": ["extend", clip, "a red circle", "--seconds", 0.5, "--backward"],
        "morph.mp4": ["morph", clip, clip, "--seconds", 0.5, "--as-made", "--smooth", 0],
        "inp.mp4": ["inpaint", clip, "grass", "--box", "4,4,10,10"],
    }
    for name, args in cases.items():
        out = tmp_path / name
        made = run(*args, "-o", out, "-m", tiny_model, "--steps", 2, "-q")
        assert made.exit_code == 0, made.output
        again = run("remake", out, "-o", tmp_path / f"again-{name}")
        assert again.exit_code == 0 and "same:" in again.output, (name, again.output)


def test_a_notice_about_an_input_is_the_same_in_the_remake(
    tmp_path: Path, tiny_model: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What reading an input changed names it by its file name, so a remake run with the
    input's full path says the same."""
    from PIL import Image

    monkeypatch.chdir(tmp_path)
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[8:24, 8:24] = (200, 30, 30, 255)  # a red square on a clear layer
    Image.fromarray(rgba).save("clear.png")
    made = run("animate", "clear.png", "x", "-o", "a.mp4", "-m", tiny_model, "--steps", 2, "-q")
    assert made.exit_code == 0, made.output
    assert (
        "clear.png: transparent pixels flattened onto grey" in read_video("a.mp4").recipe["notices"]
    )
    again = run("remake", tmp_path / "a.mp4", "-o", tmp_path / "b.mp4")
    assert again.exit_code == 0 and "same:" in again.output, again.output


def test_inputs_are_found_by_their_hash(tmp_path: Path, tiny_model: Path, clip: Path) -> None:
    own = tmp_path / "clip.mp4"
    shutil.copy(clip, own)
    out = tmp_path / "ext.mp4"
    args = ("extend", own, "x", "--seconds", 0.5, "-o", out, "-m", tiny_model, "--steps", 2)
    assert run(*args).exit_code == 0
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.move(own, moved / "clip.mp4")
    shutil.copy(out, moved / "ext.mp4")
    gone = run("remake", out, "-o", tmp_path / "r.mp4")
    assert "is not found" in error(gone) and "--input video=PATH" in error(gone)
    beside = run("remake", moved / "ext.mp4", "-o", tmp_path / "r.mp4")  # found beside it
    assert beside.exit_code == 0 and "same:" in beside.output, beside.output
    given = run("remake", out, "-o", tmp_path / "r2.mp4", "--input", f"video={moved / 'clip.mp4'}")
    assert given.exit_code == 0 and "same:" in given.output, given.output
    other = tmp_path / "other.mp4"
    write_video(Video(read_video(clip).frames[::-1].copy(), 8.0, {}), other)
    changed = run("remake", out, "-o", tmp_path / "r3.mp4", "--input", f"video={other}")
    assert "not the one" in error(changed) and not (tmp_path / "r3.mp4").exists()
    assert "no input of that name" in error(
        run("remake", out, "-o", tmp_path / "r3.mp4", "--input", f"clip={other}")
    )
    assert "NAME=PATH" in error(run("remake", out, "-o", tmp_path / "r3.mp4", "--input", "x"))


def test_relative_paths_are_taken_where_the_command_ran(
    tmp_path: Path, tiny_model: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs and the model given relative to the folder the command ran in are found from
    any other folder; a world render (no model) is made again too."""
    work = tmp_path / "work"
    (work / "out").mkdir(parents=True)
    shutil.copy(clip, work / "clip.mp4")
    shutil.copytree(tiny_model, work / "model")
    monkeypatch.chdir(work)
    made = run("extend", "clip.mp4", "x", "--seconds", 0.5, "-o", "out/e.mp4", "-m", "model")
    assert made.exit_code == 0, made.output
    assert run("world", "render", "a red circle", "-o", "w.mp4", "--size", 32).exit_code == 0
    (work / "sub").mkdir()
    shutil.copy(clip, work / "sub" / "in.mp4")  # -o absolute: the input is looked for from it
    case = ("extend", "sub/in.mp4", "x", "--seconds", 0.5, "-m", "model", "--steps", 2, "-q")
    assert run(*case, "-o", work / "abs.mp4").exit_code == 0
    monkeypatch.chdir(tmp_path)
    absolute = run("remake", work / "abs.mp4", "-o", "a.mp4")
    assert absolute.exit_code == 0 and "same:" in absolute.output, absolute.output
    again = run("remake", work / "out" / "e.mp4", "-o", "r.mp4")
    assert again.exit_code == 0 and "same:" in again.output, again.output
    world = run("remake", work / "w.mp4", "-o", "w2.mp4")
    assert world.exit_code == 0 and "same:" in world.output, world.output
    assert "without a model" in error(run("remake", work / "w.mp4", "-o", "w3.mp4", "-m", "m"))
    missing = run("remake", work / "out" / "e.mp4", "-o", "r2.mp4", "--input", "video=nope.mp4")
    assert "--input video=nope.mp4: no such file" in error(missing)


def test_a_recipe_from_before_a_parameter_runs_as_it_did(
    tmp_path: Path, tiny_model: Path, clip: Path
) -> None:
    """A verb's command recorded before --as-written existed took its prompt as written."""
    out = tmp_path / "e"  # PNG frames: written again below without a loss
    case = ["extend", clip, "the circle goes on", "--seconds", 0.5, "--as-written"]
    assert run(*case, "-o", out, "-m", tiny_model, "--steps", 2).exit_code == 0
    v = read_video(out)
    said = v.recipe["command"]
    params = {k: p for k, p in said["params"].items() if k != "as_written"}
    write_video(Video(v.frames, v.fps, {**v.recipe, "command": {**said, "params": params}}), out)
    again = run("remake", out, "-o", tmp_path / "again")
    assert again.exit_code == 0 and "same:" in again.output, again.output


def test_a_difference_is_said_with_exit_code_1(tmp_path: Path, tiny_model: Path) -> None:
    """A file whose recipe says seed 1 over frames made with seed 0: remade, it differs."""
    a = tmp_path / "a.mp4"
    assert run("generate", "a blue square", "-o", a, "-m", tiny_model, "--steps", 2).exit_code == 0
    v = read_video(a)
    said = v.recipe["command"]
    told = {**v.recipe, "seed": 1, "command": {**said, "params": {**said["params"], "seed": 1}}}
    write_video(Video(v.frames, v.fps, told), tmp_path / "told.mp4")
    again = run("remake", tmp_path / "told.mp4", "-o", tmp_path / "b.mp4")
    assert again.exit_code == 1, again.output
    assert "differs: " in again.output and "frames differ" in again.output
    newer = {**v.recipe, "command": {**said, "params": {**said["params"], "tone": "warm"}}}
    write_video(Video(v.frames, v.fps, newer), tmp_path / "newer.mp4")
    refused = run("remake", tmp_path / "newer.mp4", "-o", tmp_path / "c.mp4")
    assert "'tone', which this spacetime lacks" in error(refused)
    assert "cannot write out (" in run("info", tmp_path / "newer.mp4").output


def test_what_made_a_result_is_no_setting_but_said_when_it_differs(tmp_path: Path) -> None:
    """The recipe records spacetime's version, a hash of its code and torch's version.
    Other code that makes the same frames makes the same result; where the frames differ,
    remake names the other code as the likely reason, or says the recipe predates it."""
    a = tmp_path / "a"  # PNG frames: written again, the same pixels
    made = run("world", "render", "a red circle moving left", "-o", a, "--size", 32, "--frames", 5)
    assert made.exit_code == 0, made.output
    v = read_video(a)
    assert v.recipe["code"] == code_hash() and len(code_hash()) == 12
    assert v.recipe["torch"] == torch.__version__
    other = {**v.recipe, "code": "0" * 12, "spacetime": "0.0.9"}
    write_video(Video(v.frames, v.fps, other), tmp_path / "other")
    again = run("remake", tmp_path / "other", "-o", tmp_path / "b")
    assert again.exit_code == 0 and "same:" in again.output, again.output
    dark = v.frames // 2  # frames the recipe's code would not make
    write_video(Video(dark, v.fps, other), tmp_path / "dark")
    again = run("remake", tmp_path / "dark", "-o", tmp_path / "c")
    assert again.exit_code == 1 and "frames differ" in again.output, again.output
    assert "made by other code (spacetime 0.0.9 then, 0.1.0 now, code 000000000000 then" in (
        again.output.replace("\n", " ")
    )
    old = {k: x for k, x in v.recipe.items() if k not in ("code", "torch")}
    write_video(Video(dark, v.fps, old), tmp_path / "old")
    again = run("remake", tmp_path / "old", "-o", tmp_path / "d")
    assert again.exit_code == 1 and "before recipes recorded its code" in again.output


def test_python_results_and_other_files(tmp_path: Path, tiny_model: Path, clip: Path) -> None:
    """Text to video from Python is rebuilt from its settings; a verb run on arrays, a file
    without a recipe, the wrong model and -o on the file itself are refused."""
    pipe = Pipeline.load(tiny_model)
    write_video(pipe.generate("a green star", seed=2, steps=2), tmp_path / "py.mp4")
    assert "--model FOLDER" in error(run("remake", tmp_path / "py.mp4", "-o", tmp_path / "r.mp4"))
    again = run("remake", tmp_path / "py.mp4", "-o", tmp_path / "r.mp4", "-m", tiny_model)
    assert again.exit_code == 0 and "same:" in again.output, again.output
    frames = read_video(clip).frames
    restyled = pipe.generate("x", init_video=frames[:5], strength=0.5, steps=2)
    write_video(restyled, tmp_path / "v2v.mp4")  # text to video in its recipe, but not only
    assert "made in Python (text, detail, strength)" in error(
        run("remake", tmp_path / "v2v.mp4", "-o", tmp_path / "r2.mp4")
    )
    write_video(pipe.extend(frames, "x", seconds=0.5, steps=2), tmp_path / "ext.mp4")
    assert "made in Python (extend)" in error(
        run("remake", tmp_path / "ext.mp4", "-o", tmp_path / "r2.mp4")
    )
    assert "no recipe" in error(run("remake", clip, "-o", tmp_path / "r2.mp4"))
    wrong = run("remake", tmp_path / "r.mp4", "-o", tmp_path / "r2.mp4", "-m", shipped_folder())
    assert "is not the one that made" in error(wrong)
    assert "itself" in error(run("remake", tmp_path / "r.mp4", "-o", tmp_path / "r.mp4"))
    assert not (tmp_path / "r2.mp4").exists()


def test_renamed_inputs_and_model_folders_make_the_same(
    tmp_path: Path, tiny_model: Path, clip: Path
) -> None:
    """A note naming an input (`clip.mp4: a clip; its first frame is the image`) and the
    model folder's name are not settings: renamed, with the same hashes, it is the same."""
    own, model = tmp_path / "mine.mp4", tmp_path / "model"
    shutil.copy(clip, own)
    shutil.copytree(tiny_model, model)
    out = tmp_path / "a.mp4"
    made = run("animate", own, "x", "-o", out, "-m", model, "--steps", 2, "-q")
    assert made.exit_code == 0, made.output
    assert any(n.startswith("mine.mp4: ") for n in read_video(out).recipe["notices"])
    own.rename(tmp_path / "theirs.mp4")
    model.rename(tmp_path / "renamed")
    again = run(
        "remake", out, "-o", tmp_path / "b.mp4", "-m", tmp_path / "renamed",
        "--input", f"image={tmp_path / 'theirs.mp4'}",
    )  # fmt: skip
    assert again.exit_code == 0 and "same:" in again.output, again.output


def test_a_long_python_generation_is_rebuilt(tmp_path: Path, tiny_model: Path) -> None:
    """More frames than the model's clip: generate extends window by window, and says so
    in the recipe (`windows`), which remake rebuilds as the command line makes it."""
    video = Pipeline.load(tiny_model).generate("a green star", seed=2, steps=2, frames=9)
    assert video.recipe["windows"] == 2
    write_video(video, tmp_path / "long.mp4")
    again = run("remake", tmp_path / "long.mp4", "-o", tmp_path / "r.mp4", "-m", tiny_model)
    assert again.exit_code == 0 and "same:" in again.output, again.output


def test_a_damaged_recipe_is_one_line(tmp_path: Path, tiny_model: Path, clip: Path) -> None:
    """Hand-edited inputs, or a command that makes no video (which remake would run), are
    refused before anything runs or is written."""
    out = tmp_path / "a.mp4"
    assert run("animate", clip, "x", "-o", out, "-m", tiny_model, "--steps", 2).exit_code == 0
    v = read_video(out)
    said, image = v.recipe["command"], v.recipe["inputs"]["image"]
    damaged = {
        "no-hash": {"inputs": {"image": {"path": image["path"]}}},
        "a-list": {"inputs": [image]},
        "no-path": {"inputs": {"image": {**image, "path": None}}},
        "dataset": {"command": {"name": "world dataset", "params": {"n": 1, "out": "ds"}}},
        "itself": {"command": {**said, "name": "remake"}},
    }
    for name, change in damaged.items():
        path = tmp_path / f"{name}.mp4"
        write_video(Video(v.frames, v.fps, {**v.recipe, **change}), path)
        again = tmp_path / f"again-{name}.mp4"
        line = error(run("remake", path, "-o", again))
        assert "damaged" in line or "does not make a video" in line, (name, line)
        assert not again.exists() and not (tmp_path / "ds").exists()


def test_the_recorded_settings_hold_when_the_model_defaults_change(
    tmp_path: Path, tiny_model: Path
) -> None:
    """Steps and guidance left to the model folder's defaults are remade as the recipe
    records them, not as the folder now says."""
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model)
    out = tmp_path / "a.mp4"
    assert run("generate", "a blue square", "-o", out, "-m", model, "-q").exit_code == 0
    meta = json.loads((model / "spacetime.json").read_text())
    changed = {"steps": meta["steps"] + 1, "guidance": 2.0, "guidance_stop": 1.0}
    (model / "spacetime.json").write_text(json.dumps({**meta, **changed}))
    again = run("remake", out, "-o", tmp_path / "b.mp4")
    assert again.exit_code == 0 and "same:" in again.output, again.output
