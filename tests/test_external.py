"""Open checkpoints: tiny random models of each real architecture, saved as diffusers folders
in a temporary directory, run through `Pipeline.load` and the family's own diffusers
pipelines. Every task the support table claims is run; every other one must be refused."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file
from typer.testing import CliRunner

from spacetime import Pipeline
from spacetime.cli import app
from spacetime.external import devices
from spacetime.external.dummy import save
from spacetime.external.families import FAMILIES, TASKS, table
from spacetime.io import Video, write_video

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"cogvideox-t2v": 16, "cogvideox-i2v": 16}  # CogVideoX's positions are sized
OPEN = [k for k in FAMILIES if k != "spacetime"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("families")
    return {k: save(k, root / k) for k in OPEN}


def load(folder: Path, key: str, **kw):
    s = SIZES.get(key, 32)
    return Pipeline.load(folder, frames=9, height=s, width=s, fps=8.0, steps=2, **kw)


def clip(n: int, s: int, seed: int = 0) -> np.ndarray:
    """A small moving square on a gradient: (n, s, s, 3) uint8."""
    y, x = np.mgrid[0:s, 0:s]
    base = np.stack([x * 255 // s, y * 255 // s, np.full_like(x, 90)], -1).astype(np.uint8)
    frames = np.repeat(base[None], n, axis=0)
    for t in range(n):
        frames[t, 4:10, 2 + t : 8 + t] = (220, 40, 40)
    return frames


def run(pipe, task: str, s: int):
    """Run one task; returns (video, frames that must be kept exactly, their mask)."""
    v = clip(9, s)
    if task == "generate":
        return pipe.generate("a red square", seed=1), None, None
    if task == "reference":
        return pipe.generate("a red square", seed=1, reference=v[0]), None, None
    if task == "animate":
        out = pipe.animate(v[0], "a red square moves right", seed=1)
        return out, v[:1], np.s_[:1]
    if task == "extend":
        out = pipe.extend(v[:5], "a red square moves right", seconds=1.0, seed=1)
        return out, v[:5], np.s_[:5]
    if task == "interpolate":
        factor = 4 if pipe.family.key == "wan-flf2v" else 2
        out = pipe.interpolate(Video(v[::4], 2.0, {}), factor=factor, seed=1)  # its own rate
        assert out.fps == 2.0 * factor
        return out, v[::4], np.s_[::factor]
    if task == "morph":
        out = pipe.morph(v[:1], v[-1:], seconds=1.0, seed=1)
        return out, v[[0, -1]], np.s_[:: len(out.frames) - 1]
    if task == "inpaint":
        mask = np.zeros((9, s, s), bool)
        mask[:, 8:16, 8:16] = True
        out = pipe.inpaint(v, "grass", mask=mask, seed=1)
        assert (out.frames[~mask] == v[~mask]).all()
        return out, None, None
    if task == "outpaint":
        out = pipe.outpaint(v, "a wide field", width=2 * s, height=s, seed=1)
        assert out.frames.shape[1:3] == (s, 2 * s)
        return out, None, None
    if task == "cinemagraph":
        region = np.zeros((s, s), bool)
        region[:16, :16] = True
        out = pipe.cinemagraph(v[0], "the square moves", region=region, seed=1)
        assert (out.frames[:, ~region] == v[0][~region]).all()
        return out, v[:1], np.s_[:1]
    if task == "stylize":
        return pipe.stylize(v, "in watercolour", strength=0.6, seed=1), None, None
    raise AssertionError(task)


CLAIMS = [(k, t) for k in OPEN for t in FAMILIES[k].tasks]


@pytest.mark.parametrize(("key", "task"), CLAIMS, ids=[f"{k}-{t}" for k, t in CLAIMS])
def test_every_claimed_task_runs(folders, key, task):
    pipe = load(folders[key], key)
    assert pipe.family.key == key
    s = SIZES.get(key, 32)
    out, kept, where = run(pipe, task, s)
    assert out.frames.dtype == np.uint8 and out.frames.ndim == 4
    assert out.frames.shape[-1] == 3 and len(out.frames) >= 5
    assert out.recipe["family"] == key and out.recipe["model_hash"]
    if kept is not None:
        assert (out.frames[where] == kept).all()  # known pixels are kept exactly


def test_same_seed_same_video(folders):
    pipe = load(folders["wan-t2v"], "wan-t2v")
    a, b = (pipe.generate("a red square", seed=3).frames for _ in range(2))
    c = pipe.generate("a red square", seed=4).frames
    assert (a == b).all() and not (a == c).all()


def test_a_reference_path_keeps_its_reading_notes(folders, tmp_path):
    """A clip given as the reference file: its first frame, said in the recipe, as ours says."""
    write_video(Video(clip(9, 32), 8.0, {}), tmp_path / "ref.mp4")
    out = load(folders["wan-vace"], "wan-vace").generate(
        "a red square", reference=tmp_path / "ref.mp4"
    )
    assert out.recipe["notices"] == ["ref.mp4: a clip; its first frame is the reference"]


UNCLAIMED = [(k, t) for k in OPEN for t in TASKS if t not in FAMILIES[k].tasks]


@pytest.mark.parametrize(("key", "task"), UNCLAIMED, ids=[f"{k}-{t}" for k, t in UNCLAIMED])
def test_every_other_task_is_refused_with_who_can(folders, key, task):
    pipe = load(folders[key], key)
    with pytest.raises(ValueError, match=r"can't .* a folder of .*Spacetime can") as e:
        run(pipe, task, SIZES.get(key, 32))
    assert "\n" not in str(e.value)


def test_readme_support_table_is_the_tested_one():
    readme = (ROOT / "README.md").read_text()
    assert table() in readme
    rows = {r.split("|")[1].strip() for r in table().splitlines()[2:]}
    assert rows == {f.name for f in FAMILIES.values()}


# ----------------------------------------------------------------------------- bad folders


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def one_line_error(res, pattern: str, out: Path) -> None:
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in res.output and not out.exists()


def broken(folders, tmp_path: Path, key: str = "wan-t2v") -> Path:
    import shutil

    dst = tmp_path / key
    shutil.copytree(folders[key], dst)
    return dst


def test_missing_file(folders, tmp_path):
    f = broken(folders, tmp_path)
    (f / "transformer" / "diffusion_pytorch_model.safetensors").unlink()
    out = tmp_path / "o.mp4"
    one_line_error(
        cli("generate", "a cat", "-m", str(f), "-o", str(out)),
        "missing the weights of transformer",
        out,
    )


def test_missing_component_folder(folders, tmp_path):
    import shutil

    f = broken(folders, tmp_path)
    shutil.rmtree(f / "vae")
    out = tmp_path / "o.mp4"
    one_line_error(cli("generate", "a cat", "-m", str(f), "-o", str(out)), "missing its vae/", out)


def test_corrupt_and_truncated_weights(folders, tmp_path):
    f = broken(folders, tmp_path)
    w = f / "vae" / "diffusion_pytorch_model.safetensors"
    data = w.read_bytes()
    w.write_bytes(data[: len(data) // 2])
    out = tmp_path / "o.mp4"
    one_line_error(cli("generate", "a cat", "-m", str(f), "-o", str(out)), "cut short", out)
    w.write_bytes(b"\x00" * 64)
    one_line_error(cli("generate", "a cat", "-m", str(f), "-o", str(out)), "corrupt", out)


def test_pickle_checkpoint_is_refused_never_opened(folders, tmp_path):
    f = broken(folders, tmp_path)
    marker = tmp_path / "unpickled"

    class Trap:  # unpickling this would create the marker file
        def __reduce__(self):
            return (Path.touch, (marker,))

    import pickle

    (f / "transformer" / "diffusion_pytorch_model.safetensors").unlink()
    (f / "transformer" / "diffusion_pytorch_model.bin").write_bytes(pickle.dumps(Trap()))
    out = tmp_path / "o.mp4"
    one_line_error(cli("generate", "a cat", "-m", str(f), "-o", str(out)), "pickle", out)
    assert not marker.exists()


def test_unknown_family_and_not_a_model_folder(folders, tmp_path):
    f = broken(folders, tmp_path)
    index = f / "model_index.json"
    index.write_text(index.read_text().replace("WanPipeline", "MochiPipeline"))
    out = tmp_path / "o.mp4"
    res = cli("generate", "a cat", "-m", str(f), "-o", str(out))
    one_line_error(res, "unknown model family .*MochiPipeline.*LTX-Video", out)
    index.write_text("{not json")
    one_line_error(cli("generate", "a cat", "-m", str(f), "-o", str(out)), "corrupt", out)
    index.unlink()
    one_line_error(cli("generate", "a cat", "-m", str(f), "-o", str(out)), "model_index", out)


# ----------------------------------------------------------------------------- the command


def test_cli_generate_and_animate_on_open_folders(folders, tmp_path):
    out = tmp_path / "t2v.mp4"
    res = cli(
        "generate",
        "a red square",
        "-m",
        str(folders["ltx"]),
        "-o",
        str(out),
        "--frames",
        "9",
        "--size",
        "32",
        "--steps",
        "2",
        "-q",
    )
    assert res.exit_code == 0, res.output
    from spacetime.io import read_video

    v = read_video(out)
    assert v.frames.shape == (9, 32, 32, 3) and v.recipe["family"] == "ltx"
    img = tmp_path / "a.png"
    from PIL import Image

    Image.fromarray(clip(1, 32)[0]).save(img)
    out = tmp_path / "i2v.mp4"
    res = cli(
        "animate",
        str(img),
        "it moves",
        "-m",
        str(folders["wan-i2v"]),
        "-o",
        str(out),
        "--frames",
        "9",
        "--size",
        "32",
        "--steps",
        "2",
        "-q",
    )
    assert res.exit_code == 0, res.output
    assert read_video(out).recipe["family"] == "wan-i2v"
    out = tmp_path / "no.mp4"
    res = cli(
        "inpaint",
        str(img),
        "grass",
        "--box",
        "0,0,8,8",
        "-m",
        str(folders["wan-t2v"]),
        "-o",
        str(out),
        "--steps",
        "2",
    )
    one_line_error(res, "Wan 2.1/2.2 T2V can't inpaint; a folder of Wan VACE", out)


# ----------------------------------------------------------------------------- devices, memory


def test_device_options_are_checked_on_a_cpu(folders, tmp_path):
    out = tmp_path / "o.mp4"
    m = str(folders["wan-t2v"])
    if not torch.cuda.is_available():
        res = cli("generate", "a cat", "-m", m, "-o", str(out), "--device", "cuda")
        one_line_error(res, "no CUDA GPU", out)
        res = cli("generate", "a cat", "-m", m, "-o", str(out), "--offload", "model")
        one_line_error(res, "on a CPU leave it out", out)
    res = cli("generate", "a cat", "-m", m, "-o", str(out), "--dtype", "float8")
    one_line_error(res, "--dtype must be", out)


def test_low_memory_on_a_cpu_tiles_and_slices_the_vae(folders):
    pipe = load(folders["wan-t2v"], "wan-t2v", memory=devices.Memory(low_memory=True))
    assert pipe.pipe.vae.use_tiling and pipe.pipe.vae.use_slicing
    r = pipe.generate("a red square", seed=1).recipe
    assert r["vae_tiling"] and r["vae_slicing"] and r["device"] == "cpu"


def test_out_of_memory_says_what_to_try(folders, tmp_path, monkeypatch):
    import diffusers

    def oom(*a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(diffusers.WanPipeline, "__call__", oom)
    out = tmp_path / "o.mp4"
    res = cli(
        "generate",
        "a cat",
        "-m",
        str(folders["wan-t2v"]),
        "-o",
        str(out),
        "--frames",
        "9",
        "--size",
        "32",
        "--steps",
        "2",
        "-q",
    )
    one_line_error(res, r"out of memory on cpu .*--low-memory.*--offload sequential", out)


# ----------------------------------------------------------------------------- LoRA


def make_lora(folder: Path, path: Path, seed: int) -> Path:
    """A random LoRA on the attention projections of a tiny Wan transformer, saved in the
    diffusers layout."""
    from diffusers import WanPipeline, WanTransformer3DModel
    from peft import LoraConfig, get_peft_model_state_dict

    tr = WanTransformer3DModel.from_pretrained(folder / "transformer")
    tr.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v"]))
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in tr.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
    WanPipeline.save_lora_weights(path, transformer_lora_layers=get_peft_model_state_dict(tr))
    return path


def test_loras_load_through_peft_at_their_scales(folders, tmp_path):
    key = "wan-t2v"
    a = make_lora(folders[key], tmp_path / "a", 1)
    b = make_lora(folders[key], tmp_path / "b", 2)
    base = load(folders[key], key).generate("a red square", seed=1).frames
    off = load(folders[key], key, loras=[f"{a}:0"]).generate("a red square", seed=1).frames
    one = load(folders[key], key, loras=[f"{a}:1.0"]).generate("a red square", seed=1)
    two = load(folders[key], key, loras=[str(a), f"{b}:0.5"]).generate("a red square", seed=1)
    assert np.abs(off.astype(int) - base).max() <= 1
    assert not (one.frames == base).all() and not (two.frames == one.frames).all()
    assert [x["scale"] for x in two.recipe["loras"]] == [1.0, 0.5]


def test_lora_on_the_shipped_model_and_bad_lora_files(folders, tmp_path):
    shipped = Pipeline.load()
    from diffusers import WanTransformer3DModel
    from peft import LoraConfig, get_peft_model_state_dict

    tr = shipped.transformer
    tr.add_adapter(LoraConfig(r=2, lora_alpha=2, target_modules=["to_q", "to_v"]))
    with torch.no_grad():
        for name, p in tr.named_parameters():
            if "lora_" in name:
                p.fill_(0.05)
    from diffusers import WanPipeline

    WanPipeline.save_lora_weights(
        tmp_path / "ours", transformer_lora_layers=get_peft_model_state_dict(tr)
    )
    assert isinstance(tr, WanTransformer3DModel)
    base = Pipeline.load().generate("a red circle", seed=1, steps=2).frames
    tuned = Pipeline.load(loras=[str(tmp_path / "ours")]).generate("a red circle", seed=1, steps=2)
    assert not (tuned.frames == base).all() and tuned.recipe["loras"][0]["scale"] == 1.0
    made, again = str(tmp_path / "lora.mp4"), tmp_path / "again.mp4"  # remade, LoRA checked
    assert cli("generate", "a red", "-o", made, "--lora", str(tmp_path / "ours")).exit_code == 0
    assert cli("remake", made, "-o", str(again)).exit_code == 0
    again.unlink()
    (tmp_path / "ours").rename(tmp_path / "moved")  # a moved LoRA is given as an input
    one_line_error(cli("remake", made, "-o", str(again)), "--input lora0=PATH", again)
    given = cli("remake", made, "-o", str(again), "--input", f"lora0={tmp_path / 'moved'}")
    assert given.exit_code == 0, given.output
    again.unlink()
    (tmp_path / "moved").rename(tmp_path / "ours")
    for name, p in tr.named_parameters():
        if "lora_" in name:
            p.data.fill_(0.07)
    WanPipeline.save_lora_weights(
        tmp_path / "ours", transformer_lora_layers=get_peft_model_state_dict(tr)
    )
    one_line_error(cli("remake", made, "-o", str(again)), "its hash differs", again)
    bad = tmp_path / "lora.bin"
    bad.write_bytes(b"not a pickle either")
    out = tmp_path / "o.mp4"
    res = cli("generate", "a cat", "-o", str(out), "--lora", str(bad))
    one_line_error(res, "must be a .safetensors file", out)
    unrelated = tmp_path / "unrelated.safetensors"  # a valid file whose keys fit no layer
    save_file({"foo.weight": torch.zeros(2, 2)}, unrelated)
    res = cli("generate", "a cat", "-o", str(out), "--lora", str(unrelated))
    one_line_error(res, "holds no LoRA weights for this model", out)


def test_gpu_benchmark_script_runs_on_toy_widths():
    import json
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "wan_gpu.py"), "--tiny", "--steps", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout[res.stdout.index("{") :])
    assert set(report["results"]) == {"stock WanPipeline", "ours"}
    assert all(r["seconds_per_step"] > 0 for r in report["results"].values())


def test_sibling_pipelines_keep_the_loaded_dtypes(folders):
    pipe = load(folders["wan-t2v"], "wan-t2v", memory=devices.Memory(dtype="bfloat16"))
    assert pipe.pipe.transformer.dtype == torch.bfloat16
    assert pipe.pipe.vae.dtype == torch.float32  # Wan's VAE stays float32
    pipe.stylize(clip(9, 32), "in watercolour", strength=0.5, seed=1)
    assert pipe.pipe.transformer.dtype == torch.bfloat16
    assert pipe.pipe.text_encoder.dtype == torch.bfloat16
    pipe.pipe.register_to_config(expand_timesteps=True)  # as Wan 2.2 TI2V-5B
    with pytest.raises(ValueError, match=r"Wan 2\.2 A14B and TI2V-5B can.t stylize"):
        pipe.stylize(clip(9, 32), "in watercolour", strength=0.5, seed=1)


def test_one_window_families_refuse_long_clips_before_any_work(folders, monkeypatch):
    pipe = load(folders["wan-i2v"], "wan-i2v")
    monkeypatch.setattr(pipe, "generate", lambda *a, **k: pytest.fail("should not run"))
    with pytest.raises(ValueError, match=r"at most 9 frames in one go; .*Wan VACE or LTX"):
        pipe.animate(clip(1, 32)[0], "it moves", frames=20)


def test_a_canvas_past_the_rotary_positions_is_refused(folders):
    """The test Wan's rope_max_seq_len is 32 patches: 544 pixels wide is 34; its attention
    failed with a shape error (a RuntimeError traceback), so it is one line that says what
    to ask for."""
    pipe = load(folders["wan-t2v"], "wan-t2v")
    with pytest.raises(ValueError, match=r"at most 32 patches .* take 34; ask for fewer"):
        pipe.generate("a red square", height=32, width=544, frames=5)
