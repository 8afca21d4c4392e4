"""The model folder, the pipeline, `spacetime generate`, and stock diffusers on our model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from spacetime.cli import app
from spacetime.io import read_video
from spacetime.pipeline import Pipeline
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render

PROMPT = "a red circle moving left"


@pytest.fixture(scope="module")
def pipe(tiny_model: Path) -> Pipeline:
    return Pipeline.load(tiny_model)


def test_same_seed_same_video(pipe: Pipeline) -> None:
    pipe._empty.clear()  # a encodes the empty clip, b reuses it: the same frames still
    a = pipe.generate(PROMPT, seed=3, steps=2)
    b = pipe.generate(PROMPT, seed=3, steps=2)
    c = pipe.generate(PROMPT, seed=4, steps=2)
    assert a.frames.shape == (5, 32, 32, 3) and a.frames.dtype == np.uint8
    assert np.array_equal(a.frames, b.frames)
    assert not np.array_equal(a.frames, c.frames)
    r = a.recipe
    assert (r["prompt"], r["seed"], r["steps"], r["frames"]) == (PROMPT, 3, 2, 5)
    assert (r["height"], r["width"]) == (32, 32)
    assert len(r["model_hash"]) == 16


def test_a_longer_clip_is_its_first_clip_extended(pipe: Pipeline) -> None:
    """More frames than the model's clips: the first clip, then extension windows."""
    first = pipe.generate(PROMPT, seed=3, steps=2)
    long = pipe.generate(PROMPT, seed=3, steps=2, frames=13)
    assert long.frames.shape == (13, 32, 32, 3)
    assert np.array_equal(long.frames[:5], first.frames)
    assert (long.recipe["frames"], long.recipe["seed"]) == (13, 3) and long.recipe["windows"] > 1
    again = pipe.generate(PROMPT, seed=3, steps=2, frames=13)
    assert np.array_equal(again.frames, long.frames)  # same seed, same video
    ref = pipe.generate(PROMPT, seed=3, steps=2, frames=13, reference=first.frames[0])
    assert ref.frames.shape[0] == 12  # a reference takes frame 0 of every window, as before


def test_known_pixels_are_kept(pipe: Pipeline) -> None:
    clip = render(prompt_to_scene(PROMPT, 0.5), 5, 8.0, 32)
    known = np.zeros((5, 32, 32), bool)
    known[0] = True
    v = pipe.generate(PROMPT, steps=2, known_video=clip, known=known, task="first")
    assert np.array_equal(v.frames[0], clip[0])
    assert v.recipe["task"] == "first"


def test_guidance_stop_guides_only_the_first_steps(pipe: Pipeline) -> None:
    batches: list[int] = []
    forward = pipe.transformer.forward

    def counting(x: torch.Tensor, *args: object, **kwargs: object) -> object:
        batches.append(len(x))
        return forward(x, *args, **kwargs)

    pipe.transformer.forward = counting  # type: ignore[method-assign]
    try:
        full = pipe.generate(PROMPT, seed=1, steps=4)
        guided = batches[:]
        batches.clear()
        part = pipe.generate(PROMPT, seed=1, steps=4, guidance_stop=0.5)
        batches.append(0)
        pipe.generate(PROMPT, seed=1, steps=5, guidance_stop=0.5)
    finally:
        del pipe.transformer.forward
    assert guided == [2, 2, 2, 2]
    assert batches == [2, 2, 1, 1, 0, 2, 2, 1, 1, 1]  # 4 steps: 2 guided; 5 steps: 2.5
    assert part.recipe["guidance_stop"] == 0.5 and "guidance_stop" not in full.recipe
    assert not np.array_equal(part.frames, full.frames)
    with pytest.raises(ValueError, match="guidance-stop"):
        pipe.generate(PROMPT, steps=2, guidance_stop=1.5)


def test_sampler_callback_sees_every_step(pipe: Pipeline) -> None:
    seen = []
    pipe.generate(PROMPT, steps=3, callback=lambda info: seen.append(info["i"]))
    assert seen == [0, 1, 2]


def test_generate_cli_writes_the_recipe(tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    res = CliRunner().invoke(
        app,
        [
            "generate",
            PROMPT,
            "-o",
            str(out),
            "-m",
            str(tiny_model),
            "--steps",
            "2",
            "--seed",
            "7",
            "-q",
        ],
    )
    assert res.exit_code == 0, res.output
    v = read_video(out)
    assert v.recipe["seed"] == 7 and v.recipe["prompt"] == PROMPT
    assert v.num_frames == 5


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["", "--steps", "2"], ["prompt is empty"]),
        ([PROMPT, "--frames", "0"], ["frames must be 1 or more"]),
        ([PROMPT, "--frames", "6"], ["4k+1"]),
        ([PROMPT, "--size", "20"], ["multiple of 8"]),
        ([PROMPT, "--steps", "0"], ["steps"]),
        ([PROMPT, "--guidance-stop", "2"], ["--guidance-stop", "[0, 1]"]),
        ([PROMPT, "--guidance", "nan"], ["guidance", "1 or more"]),
        ([PROMPT, "--guidance", "-5"], ["guidance", "1 or more"]),
        ([PROMPT, "--fps", "0.0001"], ["fps must be from"]),
        ([PROMPT, "--fps", "inf"], ["fps must be from"]),
        ([PROMPT, "--seed", "99999999999999999999999"], ["seed must be"]),
        ([PROMPT, "--size", "100000"], ["1024 or less"]),
    ],
)
def test_generate_user_errors(
    tiny_model: Path, tmp_path: Path, args: list[str], words: list[str]
) -> None:
    out = tmp_path / "out.mp4"
    res = CliRunner().invoke(app, ["generate", *args, "-o", str(out), "-m", str(tiny_model)])
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert all(w in lines[0] for w in words)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["--frames", "6"], ["--size", "20"], ["--size", "40x20"]])
def test_shape_errors_come_before_the_load(
    tiny_model: Path, tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--frames and --size are checked against the folder's configs, not the loaded model."""

    def load(*_: object, **__: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("spacetime.pipeline.Pipeline.load", load)
    out = tmp_path / "out.mp4"
    res = CliRunner().invoke(
        app, ["generate", PROMPT, *args, "-o", str(out), "-m", str(tiny_model)]
    )
    assert res.exit_code == 2 and res.output.startswith("error:"), res.output


def test_a_prompt_cut_short_says_so(tiny_model: Path, tmp_path: Path) -> None:
    """The text encoder reads text_tokens (the tiny model's 16): a longer prompt gets a note,
    in the file too."""
    out = tmp_path / "out.mp4"
    long = "a red circle moving left, " * 12 + "and a blue square"
    res = CliRunner().invoke(
        app, ["generate", long, "-o", str(out), "-m", str(tiny_model), "--steps", "1"]
    )
    assert res.exit_code == 0, res.output
    assert "note: prompt: only its first 16 tokens are read" in res.output
    assert read_video(out).recipe["notices"] == [
        "prompt: only its first 16 tokens are read (about 12 words)"
    ]


def test_a_mistyped_world_word_gets_a_note(pipe: Pipeline) -> None:
    """A word the text encoder cuts into pieces that is a letter or two from a world word is
    said, with the word meant; a rephrasing in real words, a name, a foreign word are not."""
    made = pipe.generate("a red sqaure moving left", steps=1)
    said = "'sqaure' is not a word the model knows; did you mean 'square' or 'squares'?"
    assert made.recipe["notices"] == [said]
    for fine in ("a crimson disc gliding leftwards", "Zorblax the robot", "a réd circle"):
        assert "notices" not in pipe.generate(fine, steps=1).recipe, fine


def test_python_api_refuses_wrong_types(pipe: Pipeline) -> None:
    for kw, words in (({"steps": 2.5}, "steps"), ({"seed": 1.5}, "seed")):
        with pytest.raises(ValueError, match=f"{words} must be a whole number"):
            pipe.generate(PROMPT, **kw)
    with pytest.raises(ValueError, match="prompt must be text"):
        pipe.generate(None)  # type: ignore[arg-type]
    for kw, words in (
        ({"fps": "8"}, "fps must be a number, got '8'"),
        ({"guidance": True}, "guidance must be a number"),
        ({"negative": None}, "negative must be text"),
        ({"callback": 5}, "callback must be a function"),
    ):
        with pytest.raises(ValueError, match=words):
            pipe.generate(PROMPT, **kw)
    assert pipe.generate(PROMPT, steps=np.int64(1), seed=np.int32(2)).recipe["seed"] == 2


def test_a_long_prompt_is_counted_without_a_warning() -> None:
    """BERT's 512-token warning is about a limit the encoder never meets (it reads 48)."""
    import logging

    from spacetime.models.text import TextEncoder

    said: list[str] = []
    hear = logging.Handler()
    hear.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("transformers").addHandler(hear)
    try:
        assert TextEncoder().count("red " * 600) == 602  # a fresh tokenizer: it warns once
    finally:
        logging.getLogger("transformers").removeHandler(hear)
    assert not [m for m in said if "Token indices" in m]


def test_load_refuses_a_default_it_does_not_know(tiny_model: Path) -> None:
    """A misspelt default (step= for steps=) would be silently ignored."""
    with pytest.raises(TypeError, match="unknown defaults: step"):
        Pipeline.load(tiny_model, step=1)
    assert Pipeline.load(tiny_model, steps=1, size=32).meta["size"] == 32


def test_model_folder_with_a_broken_json(tiny_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "spacetime.json").write_text("{oops")
    res = CliRunner().invoke(
        app, ["generate", PROMPT, "-o", str(tmp_path / "o.mp4"), "-m", str(broken)]
    )
    assert res.exit_code == 2 and "spacetime.json is not valid JSON" in res.output
    (broken / "spacetime.json").write_text("{}")
    res = CliRunner().invoke(
        app, ["generate", PROMPT, "-o", str(tmp_path / "o.mp4"), "-m", str(broken)]
    )
    assert res.exit_code == 2 and "spacetime.json lacks frames" in res.output


def test_model_folder_whose_weights_do_not_fit_its_config(tiny_model: Path, tmp_path: Path) -> None:
    """A config.json that says more layers than the weights hold: refused in one line, not
    loaded with the extra layers at random."""
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    cfg = json.loads((broken / "transformer" / "config.json").read_text())
    cfg["num_layers"] += 1
    (broken / "transformer" / "config.json").write_text(json.dumps(cfg))
    res = CliRunner().invoke(
        app, ["generate", PROMPT, "-o", str(tmp_path / "o.mp4"), "-m", str(broken)]
    )
    assert res.exit_code == 2 and "do not fit its config.json (missing keys" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_model_folder_with_a_missing_file(tiny_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "transformer" / "diffusion_pytorch_model.safetensors").unlink()
    out = tmp_path / "out.mp4"
    res = CliRunner().invoke(app, ["generate", PROMPT, "-o", str(out), "-m", str(broken)])
    assert res.exit_code == 2
    assert "missing transformer/diffusion_pytorch_model.safetensors" in res.output
    assert not out.exists()


def test_stock_wan_image_to_video_pipeline_runs_our_model(tiny_model: Path, pipe: Pipeline):
    """Stock diffusers loads the folder and feeds the transformer exactly our conditioning."""
    from diffusers import WanImageToVideoPipeline
    from PIL import Image
    from transformers import AutoTokenizer, BertModel

    from spacetime.models.text import minilm_path

    stock = WanImageToVideoPipeline.from_pretrained(
        tiny_model,
        text_encoder=BertModel.from_pretrained(minilm_path()),
        tokenizer=AutoTokenizer.from_pretrained(minilm_path()),
    )
    seen: list[dict] = []
    stock.transformer.register_forward_pre_hook(
        lambda mod, args, kwargs: seen.append(kwargs), with_kwargs=True
    )
    clip = render(prompt_to_scene(PROMPT, 0.5), 5, 8.0, 32)
    tokens = pipe.meta["text_tokens"]
    for last in (None, clip[-1]):
        seen.clear()
        out = stock(
            image=Image.fromarray(clip[0]),
            last_image=None if last is None else Image.fromarray(last),
            prompt=PROMPT,
            height=32,
            width=32,
            num_frames=5,
            num_inference_steps=2,
            guidance_scale=1.0,
            max_sequence_length=tokens,
            output_type="np",
            generator=torch.Generator().manual_seed(0),
        ).frames
        assert out.shape == (1, 5, 32, 32, 3)
        known = np.zeros((5, 32, 32), bool)
        known[0] = True
        if last is not None:
            known[-1] = True
        pixels = torch.from_numpy(np.where(known[..., None], clip, 127.5)).float() / 127.5 - 1
        ours = pipe.condition(pixels.permute(3, 0, 1, 2)[None], torch.from_numpy(known)[None])
        z = pipe.vae.config.z_dim
        theirs = seen[0]["hidden_states"][:, z:]
        assert theirs.shape == ours.shape
        torch.testing.assert_close(theirs, ours, atol=1e-4, rtol=1e-4)
        text = pipe.text([PROMPT], tokens)
        torch.testing.assert_close(seen[0]["encoder_hidden_states"], text, atol=1e-5, rtol=1e-5)


def test_model_folder_metadata(tiny_model: Path) -> None:
    index = json.loads((tiny_model / "model_index.json").read_text())
    assert index["_class_name"] == "WanImageToVideoPipeline"
    meta = json.loads((tiny_model / "spacetime.json").read_text())
    assert meta["frames"] == 5 and meta["training"]["stage"] == "transformer"
    assert meta["guidance_stop"] == 1.0  # the config's sampling default


def test_shipped_model_is_small_and_generates() -> None:
    from spacetime.pipeline import shipped_folder

    folder = shipped_folder()
    weights = sum(p.stat().st_size for p in folder.rglob("*.safetensors"))
    assert weights <= 30 * 2**20
    v = Pipeline.load().generate(PROMPT, seed=0, steps=2)
    m = json.loads((folder / "spacetime.json").read_text())
    assert v.frames.shape == (m["frames"], m["size"], m["size"], 3)
    assert m["frames"] >= 17 and m["size"] >= 64
