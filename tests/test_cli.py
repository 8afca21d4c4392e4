"""The `spacetime` command: verbs work, and user mistakes give one line, exit 2, no file."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from spacetime.cli import app
from spacetime.models.folder import weights_hash

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_user_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    assert "Traceback" not in result.output
    for w in words:
        assert w in lines[0]


def test_render_info_analyse_and_sheet(tmp_path: Path) -> None:
    out = tmp_path / "clip.mp4"
    r = run(
        "world",
        "render",
        "a red circle moving left on a checkered floor",
        "-o",
        out,
        "--size",
        64,
        "--frames",
        9,
    )
    assert r.exit_code == 0, r.output
    info = run("info", out)
    assert info.exit_code == 0 and "9 frames, 64x64" in info.output
    assert '"prompt": "a red circle moving left on a checkered floor"' in info.output
    seen = run("world", "analyse", out)
    assert "background: checker" in seen.output and "red circle" in seen.output
    tracks = json.loads(run("world", "analyse", out, "--json").output)["tracks"]
    assert [t["motion"] for t in tracks] == ["left"]
    sheet = tmp_path / "sheet.png"
    assert run("sheet", out, "-o", sheet).exit_code == 0
    assert sheet.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_video(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"  # folders of PNG frames: exact pixels
    for p in (a, b):
        assert (
            run(
                "world",
                "render",
                "Momo walks to the right",
                "-o",
                p,
                "--size",
                32,
                "--frames",
                4,
                "--seed",
                3,
            ).exit_code
            == 0
        )
    for f in sorted(a.glob("*.png")):
        assert f.read_bytes() == (b / f.name).read_bytes()


def test_dataset(tmp_path: Path) -> None:
    r = run("world", "dataset", "--n", 2, "--out", tmp_path, "--size", 32, "--frames", 5, "--quiet")
    assert r.exit_code == 0, r.output
    lines = (tmp_path / "captions.jsonl").read_text().splitlines()
    assert len(lines) == 2 and all((tmp_path / json.loads(x)["file"]).exists() for x in lines)
    r = run("world", "dataset", "--n", 1, "--out", tmp_path, "--size", 32, "--frames", 5, "-q")
    assert r.exit_code == 0 and len(list((tmp_path / "clips").iterdir())) == 1  # none stale
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "mine.txt").write_text("x")
    r = run("world", "dataset", "--n", 1, "--out", tmp_path / "other", "--size", 32, "-q")
    assert r.exit_code == 2 and "not a world dataset" in r.output and "mine.txt" in r.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["world", "render", "a red sqaure", "-o", "{tmp}/x.mp4"], ["sqaure", "square"]),
        (["world", "render", "a réd circle", "-o", "{tmp}/x.mp4"], ["'réd'", "'red'"]),
        (["world", "render", "", "-o", "{tmp}/x.mp4"], ["empty"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.mp4", "--size", "8"], ["--size", "16"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.mp4", "--seed", "-1"], ["--seed"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.mp4", "--frames", "0"], ["frames"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.avi"], [".avi"]),
        (["world", "render", "a red circle", "-o", "{tmp}/.mp4"], ["a name before .mp4"]),
        (["world", "render", "a red circle", "-o", ""], ["give the output a name"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.gif/"], ["ends in /", "drop the /"]),
        (["remake", "{tmp}/garbage.mp4", "-o", "{tmp}/y.mp4/"], ["ends in /", ".mp4 names"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.gif", "--fps", "60"], ["50 fps"]),
        (["world", "dataset", "--n", "0", "--out", "{tmp}/d"], ["--n"]),
        (["info", "{tmp}/missing.mp4"], ["missing.mp4"]),
        (["world", "analyse", "{tmp}/garbage.mp4"], ["garbage.mp4"]),
        (["eval", "-g", "sora", "-o", "{tmp}/ev"], ["sora", "renderer"]),
        (["sheet", "{tmp}/garbage.mp4", "-o", "{tmp}/s.png"], ["garbage.mp4"]),
        (["info", "{tmp}/empty.mp4"], ["empty.mp4: the file is empty"]),
        (["info", "{tmp}/garbage.mp4"], ["(Invalid data found when processing input)"]),
        (["world", "render", "a red circle", "-o", "{tmp}/folder.gif"], ["a folder with that"]),
        (["world", "dataset", "--n", "1", "--out", "{tmp}/garbage.mp4/d"], ["is a file, not"]),
        (["sheet", "{tmp}/garbage.mp4", "-o", "{tmp}/s.png", "--max-frames", "999"], ["256"]),
        (["eval", "-g", "static", "--fps", "0", "-o", "{tmp}/ev"], ["--fps must be from"]),
        (["eval", "-g", "static", "--fps", "nan", "-o", "{tmp}/ev"], ["--fps must be from"]),
        (["world", "dataset", "--n", "1", "--fps", "0", "--out", "{tmp}/d"], ["--fps"]),
        (["world", "dataset", "--n", "1", "--out", "{tmp}/garbage.mp4"], ["is a file"]),
        (["eval", "-g", "static", "-o", "{tmp}"], ["files a report does not", "garbage.mp4"]),
        (["train", "{tmp}"], ["is a folder", ".toml"]),
        (["generate", "a", "-o", "{tmp}/x.mp4", "-m", "{tmp}/garbage.mp4"], ["is a file"]),
        (["generate", "a", "-o", "{tmp}/x.mp4", "-m", "{tmp}/run"], ["a training run", "model"]),
        # click's usage errors, said in one line too, not as a box
        (["world", "render", "a red circle"], ["Missing option", "world render --help"]),
        (["world", "render", "a red circle", "-o", "{tmp}/x.mp4", "--size", "big"], ["--size"]),
        (["world", "render", "-o", "{tmp}/x.mp4", "--bogus"], ["--bogus"]),
        (["render"], ["No such command", "--help"]),
    ],
)
def test_user_errors_are_one_line_and_leave_no_file(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    (tmp_path / "garbage.mp4").write_bytes(b"not a video at all" * 50)
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "folder.gif").mkdir()
    (tmp_path / "run" / "model").mkdir(parents=True)  # a run of spacetime train
    (tmp_path / "run" / "model" / "model_index.json").write_text("{}")
    before = set(tmp_path.rglob("*"))
    assert_user_error(run(*[a.replace("{tmp}", str(tmp_path)) for a in args]), *words)
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["animate", "{img}", "a red circle", "--frames", "0"], ["--frames must be 2 or more"]),
        (["cinemagraph", "{obj}", "a red", "--point", "12,12", "--frames", "6"], ["4k+1"]),
        (["animate", "{img}", "a red circle", "--frames", "2"], ["4k+1 (5, 9, 13, ...)"]),
        (["stylize", "{clip}", "a red circle", "--strength", "1.5"], ["--strength"]),
        (["morph", "{img}", "{img}", "--smooth", "-1"], ["--smooth"]),
        (["cinemagraph", "{img}", "a red circle"], ["--point", "--mask"]),
        (["cinemagraph", "{img}", "a red circle", "--mask", "{img}", "--to", "3,3"], ["--to"]),
        (["cinemagraph", "{img}", "a red circle", "--point", "3"], ["--point", "X,Y"]),
        (["cinemagraph", "{img}", "a red", "--point", "999,5"], ["999,5 is outside the"]),
        (["generate", "a red circle", "--steps", "100000"], ["steps must be from 1 to 1000"]),
        (["outpaint", "{clip}", "grass", "--to", "99999x64"], ["--to", "at most 4096"]),
        (["interpolate", "{clip}", "--fps", "300", "--factor", "4"], ["1200 fps"]),
        (["interpolate", "{clip}", "--factor", "3"], ["--factor must be one of [2, 4, 8, 16]"]),
        (["interpolate", "{clip}", "--factor", "8", "-o", "{img}.gif"], ["at 64 fps", "GIF"]),
        (["morph", "{img}", "{img}", "--seconds", "0.05"], ["--seconds must be 0.25 or more"]),
        (["animate", "{img}", "a red circle", "--device", "cdua"], ["--device must be"]),
        (["stylize", "{clip}", "a red circle", "--dtype", "fp8"], ["--dtype must be"]),
        (["generate", "a red circle", "--offload", "all"], ["--offload must be"]),
        (["generate", "a red circle", "--frames", "100001"], ["--frames must be at most 28817"]),
        (["generate", "a red circle", "--lora", "{img}:big"], ["scale after ':'", "number"]),
        (["generate", "a red circle", "--lora", "{img}:nan"], ["scale after ':'", "finite"]),
        (["generate", "a red circle", "--lora", "{img}"], ["must be a .safetensors file"]),
    ],
)
def test_verb_option_errors_come_before_the_load(
    tmp_path: Path, args: list[str], words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistake in a verb's own options, or in the load's (device, dtype, offload, LoRA),
    is one line before the model loads (minutes for a large model), not after."""

    def load(*_: object, **__: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("spacetime.pipeline.Pipeline.load", load)
    clip = tmp_path / "c.mp4"
    assert (
        run("world", "render", "a red circle", "-o", clip, "--size", 32, "--frames", 5).exit_code
        == 0
    )
    img = tmp_path / "f.png"
    assert run("sheet", clip, "-o", img).exit_code == 0  # any image will do
    obj = tmp_path / "obj.png"  # a red square on grey, where a click finds an object
    square = np.full((32, 32, 3), 90, np.uint8)
    square[8:24, 8:24] = (220, 30, 30)
    Image.fromarray(square).save(obj)
    filled = [
        a.replace("{img}", str(img)).replace("{clip}", str(clip)).replace("{obj}", str(obj))
        for a in args
    ]
    given = "-o" in filled
    assert_user_error(run(*filled, *([] if given else ["-o", tmp_path / "out.mp4"])), *words)
    assert not (tmp_path / "out.mp4").exists()


def test_an_input_inside_the_output_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frame folder is replaced whole: -o FOLDER would delete an input frame inside it."""
    monkeypatch.setattr("spacetime.pipeline.Pipeline.load", None)  # never reached
    frames = tmp_path / "frames"
    made = run("world", "render", "a red circle", "-o", frames, "--size", 32, "--frames", 5)
    assert made.exit_code == 0, made.output
    r = run("stylize", frames / "000002.png", "a blue circle", "-o", frames)
    assert_user_error(r, "would overwrite input video")
    assert len(list(frames.glob("*.png"))) == 5


def test_sheet_must_be_png(tmp_path: Path) -> None:
    out = tmp_path / "clip.gif"
    assert (
        run("world", "render", "a blue star", "-o", out, "--size", 32, "--frames", 3).exit_code == 0
    )
    assert_user_error(run("sheet", out, "-o", tmp_path / "s.jpg"), "PNG")


def test_eval_model_takes_sampling_settings(tiny_model: Path, tmp_path: Path) -> None:
    args = ["eval", "-m", tiny_model, "-o", tmp_path / "ev", "--size", 32, "--frames", 5]
    sampling = ["--steps", 1, "--guidance", 1.5, "--guidance-stop", 0.4]
    r = run(*args, "--no-tasks", *sampling, "--quiet")
    assert r.exit_code == 0, r.output
    settings = json.loads(next((tmp_path / "ev").glob("*.json")).read_text())["settings"]
    assert (settings["steps"], settings["guidance"], settings["guidance_stop"]) == (1, 1.5, 0.4)
    assert settings["model_hash"] == weights_hash(Path(tiny_model))  # the weights, traced


def test_sampling_settings_need_a_model(tmp_path: Path) -> None:
    r = run("eval", "-g", "static", "-o", tmp_path / "ev", "--steps", 3)
    assert_user_error(r, "-g model")
    assert not (tmp_path / "ev").exists()


def test_a_kill_leaves_no_half_written_output(tmp_path: Path) -> None:
    """SIGTERM (`timeout`, a scheduler) unwinds as Ctrl-C does: the output being written to
    its temporary name is removed, and the exit code says it was killed."""
    spacetime = str(Path(sys.executable).with_name("spacetime"))
    cmd = ["world", "render", "a red circle moving left", "--frames", "300", "--size", "256"]
    proc = subprocess.Popen([spacetime, *cmd, "-o", str(tmp_path / "f"), "-q"])
    deadline = time.time() + 120
    while time.time() < deadline and not any(tmp_path.iterdir()) and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None and any(tmp_path.iterdir())  # writing has begun
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_python_m_spacetime_cli_has_every_verb() -> None:
    """`python -m spacetime.cli` (the device scripts' way in) knows the verbs that
    cli_verbs and cli_remake register, as the `spacetime` script does."""
    for verb in ("animate", "remake"):
        r = subprocess.run(
            [sys.executable, "-m", "spacetime.cli", verb, "--help"], capture_output=True, text=True
        )
        assert r.returncode == 0 and f"spacetime {verb}" in r.stdout, r.stderr


def test_help_is_not_broken_mid_sentence_and_flags_take_no_value() -> None:
    for command in ("train", "export", "eval"):
        r = run(command, "--help")
        assert r.exit_code == 0
        text = r.output.split("Usage:")[1].split("╭")[0]
        for paragraph in re.split(r"\n\s*\n", text):  # rich's blank lines hold spaces
            lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
            assert all(len(line) > 50 for line in lines[:-1]), lines  # filled, as wrapped
    lines = run("generate", "--help").output.splitlines()
    rows = [line for line in lines if "--quiet" in line or "--help " in line]
    assert len(rows) == 2 and not any("<bool>" in r for r in rows)  # a flag takes no value
    first = [run(*c, "--help").output.split("Usage: ")[1].split("\n")[0] for c in (
        ["morph"], ["world", "render"], ["remake"]
    )]  # fmt: skip
    assert [line.split(maxsplit=1)[1].strip() for line in first] == [
        "morph [OPTIONS] A B",
        "world render [OPTIONS] PROMPT",
        "remake [OPTIONS] FILE",
    ]  # arguments named as they are everywhere else, not typer's {A} {B}


def test_the_last_line_says_what_an_odd_size_is_stored_as() -> None:
    """yuv420p needs even sides: an .mp4 of 99x77 holds 100x78 (spacetime crops it back),
    and the user is told, since other players show the padded size."""
    from spacetime.cli import wrote

    assert wrote(Path("a.mp4"), 17, 99, 77, 24.0) == (
        "wrote a.mp4 (17 frames, 99x77, 24 fps; stored as 100x78, the even size .mp4 needs)"
    )
    assert "stored" not in wrote(Path("a.gif"), 17, 99, 77, 8.0)
    assert wrote(Path("a.webm"), 1, 64, 48, 8.0) == "wrote a.webm (1 frame, 64x48, 8 fps)"
