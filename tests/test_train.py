"""`spacetime train`: configs, checkpoints that survive kill -9, and two processes with gloo."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import TINY_TRANSFORMER, TINY_VAE, tiny_config
from typer.testing import CliRunner

from spacetime.cli import app
from spacetime.train import checkpoint
from spacetime.train.config import TrainConfig
from spacetime.train.loop import lr_at, train


def write_config(path: Path, out: Path, **kw) -> Path:
    cfg = {**TINY_VAE, "out": str(out), **kw}
    lines = []
    for k, v in cfg.items():
        lines.append(f"{k} = {json.dumps(v)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def losses(run: Path) -> dict[int, float]:
    out = {}
    for line in (run / "log.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if "loss" in rec:
            out[rec["step"]] = rec["loss"]
    return out


def test_config_reads_sections_and_rejects_typos(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('stage = "vae"\n[optim]\nsteps = 7\nlr = 0.01\n')
    cfg = TrainConfig.from_toml(p)
    assert (cfg.steps, cfg.lr, cfg.stage) == (7, 0.01, "vae")
    p.write_text('stage = "vae"\nstpes = 7\n')
    with pytest.raises(ValueError, match="stpes"):
        TrainConfig.from_toml(p)
    p.write_text('stage = "vae"\nframes = 16\n')
    with pytest.raises(ValueError, match="4k\\+1"):
        TrainConfig.from_toml(p)
    with pytest.raises(FileNotFoundError):
        TrainConfig.from_toml(tmp_path / "missing.toml")
    p.write_text('stage = "vae"\nlr_schedule = { lr = 0.5 }\n')  # not a section: a typo
    with pytest.raises(ValueError, match="unknown section or table lr_schedule"):
        TrainConfig.from_toml(p)


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ({"head_dim": 3}, "head_dim must be even"),
        ({"text_tokens": 1000}, "512 at most"),
        ({"size": 65536}, "size must be a multiple of 8 from 16 to 1024"),
        ({"vae_dim_mult": [1, 2, 2, 2, 2, 2, 2], "size": 16}, "must be a multiple of 64"),
        ({"vae_dim_mult": [1, 2, 4]}, "last two vae_dim_mult equal"),
        ({"vae_dim_mult": [1, 2]}, "3 levels or more"),
        ({"ema": 1.0}, "ema must be from 0 to under 1"),
        ({"patch": [1, 2]}, "patch must be three sizes"),
        ({"object_weights": [0, 0, 0, 1.0]}, "at most 3 entries"),  # failed mid-run
    ],
)
def test_config_refuses_what_the_models_would_crash_on(setting: dict, words: str) -> None:
    """Said in the config's own terms before any work, not as a traceback from the model."""
    with pytest.raises(ValueError, match=words):
        TrainConfig(**setting).validate()


def test_set_overrides_any_key_and_checks_its_type(tmp_path: Path) -> None:
    from spacetime.train.config import parse_setting

    p = tmp_path / "c.toml"
    p.write_text('stage = "vae"\n[optim]\nlr = 1\n')  # an int where a float is meant is fine
    sets = ["vae_dim_mult=[1, 4, 4]", "steps = 7", "init=runs/vae/model", "ema=0"]
    cfg = TrainConfig.from_toml(p, **dict(map(parse_setting, sets)))
    assert (cfg.vae_dim_mult, cfg.steps, cfg.init, cfg.ema, cfg.lr) == (
        [1, 4, 4],
        7,
        "runs/vae/model",
        0,
        1,
    )
    with pytest.raises(ValueError, match="--set: steps must be of type int"):
        TrainConfig.from_toml(p, steps=2.5)
    with pytest.raises(ValueError, match="unknown task"):
        TrainConfig.from_toml(p, task_weights={"text": 0.5, "inpiant": 0.5})
    with pytest.raises(ValueError, match="batch_tasks must be 0 or more"):
        TrainConfig.from_toml(p, batch_tasks={"text": -1.0})
    p.write_text('stage = "vae"\n[batch_tasks]\ntext = 0.7\ncinemagraph = 0.3\n')
    with pytest.raises(ValueError, match="batch_tasks only apply to a transformer stage"):
        TrainConfig.from_toml(p)  # a VAE run would ignore it without a word
    p.write_text('vae = "runs/vae"\n[batch_tasks]\ntext = 0.7\ncinemagraph = 0.3\n')
    assert TrainConfig.from_toml(p).batch_tasks == {"text": 0.7, "cinemagraph": 0.3}
    with pytest.raises(ValueError, match="key=value"):
        parse_setting("lr")
    res = subprocess.run(
        [sys.executable, "-m", "spacetime.cli", "train", str(p), "--set", "stpes=3"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [
        "error: --set: unknown key(s) stpes"
    ]
    p.write_text('stage = "vae"\nsteps = 5\n[optim]\nsteps = 7000\n')
    with pytest.raises(ValueError, match="steps set twice"):
        TrainConfig.from_toml(p)


def test_learning_rate_warms_up_then_decays() -> None:
    cfg = TrainConfig(stage="vae", steps=100, lr=1.0, warmup=10, min_lr_ratio=0.1)
    lrs = [lr_at(cfg, s) for s in range(100)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(lrs[10:]))
    assert lrs[-1] == pytest.approx(0.1, abs=0.01)


def test_a_high_noise_share_draws_t_near_one() -> None:
    import torch

    from spacetime.diffusion import train_times

    plain = train_times(4000, 2.0, torch.Generator().manual_seed(0))
    again = train_times(4000, 2.0, torch.Generator().manual_seed(0), high_share=0.0)
    assert torch.equal(plain, again)  # no share: the same draws as before the option existed
    assert 0.1 < (plain >= 0.9).float().mean() < 0.25  # shift 2 alone: about 18% above 0.9
    high = train_times(4000, 2.0, torch.Generator().manual_seed(0), 0.5, 0.9)
    assert 0.5 < (high >= 0.9).float().mean() < 0.65  # half redrawn in [0.9, 1], plus the rest
    assert train_times(100, 2.0, torch.Generator(), 1.0, 0.95).min() >= 0.95
    with pytest.raises(ValueError, match="high_t_share"):
        TrainConfig(high_t_share=1.5).validate()


def test_a_directional_share_draws_single_movers_before_a_still_camera() -> None:
    import numpy as np

    from spacetime.train.data import world_clips
    from spacetime.world.spec import DIRECTIONS

    _, caps, scenes = world_clips(np.random.default_rng(0), 6, 5, 8.0, 32, directional=1.0)
    for scene, cap in zip(scenes, caps, strict=True):
        assert len(scene.objects) == 1 and scene.camera == "static"
        assert scene.objects[0].motion in DIRECTIONS and cap
    _, a, _ = world_clips(np.random.default_rng(0), 4, 5, 8.0, 32)
    _, b, _ = world_clips(np.random.default_rng(0), 4, 5, 8.0, 32, directional=0.0)
    assert a == b  # no share: the same clips as before the option existed
    with pytest.raises(ValueError, match="directional_share"):
        TrainConfig(directional_share=2.0).validate()


def test_a_shape_share_draws_one_plain_outline_the_vae_keeps() -> None:
    import numpy as np

    from spacetime.train.data import world_clips
    from spacetime.world.spec import SHAPES

    _, caps, scenes = world_clips(np.random.default_rng(0), 8, 5, 8.0, 32, shaped=1.0)
    for scene, cap in zip(scenes, caps, strict=True):
        assert len(scene.objects) == 1 and scene.camera == "static"
        o = scene.objects[0]
        assert o.shape in SHAPES and o.size in ("medium", "large") and o.shape in cap
    _, caps, scenes = world_clips(np.random.default_rng(1), 40, 5, 8.0, 32, shaped=0.5)
    plain = [len(s.objects) == 1 and s.camera == "static" for s in scenes]
    assert 0 < sum(plain) < 40  # half of them, give or take
    with pytest.raises(ValueError, match="add up to 1"):
        TrainConfig(directional_share=0.6, shape_share=0.6).validate()


def test_killed_run_resumes_on_the_same_curve(tmp_path: Path) -> None:
    steps = 8
    straight = train(
        TrainConfig(**{**TINY_VAE, "steps": steps, "out": str(tmp_path / "a")}), quiet=True
    )
    assert (straight / "vae" / "config.json").is_file()
    run = tmp_path / "b"
    cfg = write_config(tmp_path / "b.toml", run, steps=steps)
    proc = subprocess.Popen(
        [sys.executable, "-m", "spacetime.cli", "train", str(cfg), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        ck = checkpoint.latest(run)
        if ck is not None and int(ck.name.split("-")[1]) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = losses(run)
    assert 3 <= max(done) < steps  # killed mid-way
    train(TrainConfig.from_toml(cfg), quiet=True)  # resume
    a, b = losses(tmp_path / "a"), losses(run)
    assert sorted(b) == list(range(1, steps + 1))
    for s in a:
        assert b[s] == pytest.approx(a[s], rel=1e-4), s


@pytest.mark.parametrize(
    ("sent", "stops"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, SystemExit)]
)
def test_ctrl_c_saves_the_step_it_stops_at(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sent: int,
    stops: type[BaseException],
) -> None:
    """A first Ctrl-C (or a scheduler's SIGTERM) ends the step, saves it (between two
    checkpoints) and says so; the same command resumes from there."""
    from spacetime.train import loop

    ema_update = loop.ema_update

    def interrupted(ema, model, decay: float, step: int) -> None:
        ema_update(ema, model, decay, step)
        if step == 2:
            os.kill(os.getpid(), sent)

    monkeypatch.setattr(loop, "ema_update", interrupted)
    run = tmp_path / "run"
    with pytest.raises(stops):
        train(tiny_config(run, steps=8, save_every=5))
    assert "stopped at step 3 of 8, saved" in capsys.readouterr().out
    assert checkpoint.latest(run) == run / "ckpt-0000003"
    monkeypatch.setattr(loop, "ema_update", ema_update)
    train(tiny_config(run, steps=8, save_every=5), quiet=True)
    assert sorted(losses(run)) == list(range(1, 9))


def test_a_run_in_a_log_prints_a_line_at_each_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not on a terminal (a background run writing a log) there is no bar to read, so each
    checkpoint says how far the run is; stderr gets nothing."""
    train(tiny_config(tmp_path / "run", steps=3, save_every=1, log_every=2))
    out, err = capsys.readouterr()
    assert "step 1/3 loss " in out and "step 3/3 loss " in out
    assert "nan" not in out  # a checkpoint between log steps shows the losses since the last
    assert "min left" in out
    assert "note: warmup (100 steps) is as long as the run (3) or longer" in out  # lr never up
    assert err == ""


def test_a_cache_build_in_a_log_says_how_far_it_is(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train(tiny_config(tmp_path / "tr", stage="transformer", vae=str(tiny_model), steps=1))
    out = capsys.readouterr().out
    total = TrainConfig(**TINY_TRANSFORMER).cache_clips
    assert f"latent cache: {total}/{total} clips" in out


def test_two_processes_with_gloo(tmp_path: Path) -> None:
    run = tmp_path / "ddp"
    cfg = write_config(tmp_path / "ddp.toml", run, steps=3)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "accelerate.commands.launch",
            "--cpu",
            "--num_processes",
            "2",
            "--num_machines",
            "1",
            "--mixed_precision",
            "no",
            "--dynamo_backend",
            "no",
            "-m",
            "spacetime.cli",
            "train",
            str(cfg),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert sorted(losses(run)) == [1, 2, 3]
    assert (run / "model" / "vae" / "diffusion_pytorch_model.safetensors").is_file()


def test_init_continues_from_a_model_folder(tiny_model: Path, tmp_path: Path) -> None:
    from conftest import tiny_config
    from safetensors.torch import load_file

    vae = tiny_model / "vae" / "diffusion_pytorch_model.safetensors"
    cfg = tiny_config(tmp_path / "more", steps=1, lr=0.0, init=str(tiny_model))
    folder = train(cfg, quiet=True)  # lr 0: the weights stay those of the init folder
    a, b = load_file(vae), load_file(folder / "vae" / "diffusion_pytorch_model.safetensors")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    wider = tiny_config(tmp_path / "wider", steps=1, vae_base_dim=4, init=str(tiny_model))
    with pytest.raises(ValueError, match="does not fit"):
        train(wider, quiet=True)


def test_a_frozen_encoder_trains_the_decoder_and_keeps_the_latents(
    tiny_model: Path, tmp_path: Path
) -> None:
    from conftest import tiny_config
    from safetensors.torch import load_file

    from spacetime.models.folder import load_vae
    from spacetime.train.cache import latent_hash

    name = "vae/diffusion_pytorch_model.safetensors"
    cfg = tiny_config(tmp_path / "dec", steps=2, lr=1e-2, init=str(tiny_model), freeze_encoder=True)
    folder = train(cfg, quiet=True)
    a, b = load_file(tiny_model / name), load_file(folder / name)
    same = {k for k in a if torch.equal(a[k], b[k])}
    assert {k for k in a if k.startswith(("encoder.", "quant_conv."))} <= same
    assert any(k.startswith("decoder.") for k in set(a) - same)  # the decoder learned
    old, new = load_vae(tiny_model), load_vae(folder)
    assert old.config.latents_std == new.config.latents_std
    assert latent_hash(old) == latent_hash(new)  # its transformer and caches still fit
    with pytest.raises(ValueError, match="freeze_encoder needs"):
        tiny_config(tmp_path / "x", freeze_encoder=True)  # nothing to keep the latents of

    from spacetime.train.loop import export

    run = tiny_model.parent  # the transformer run: ship it with the new decoder
    export(run, tmp_path / "swapped", quiet=True, vae=folder)
    c = load_file(tmp_path / "swapped" / name)
    assert all(torch.equal(b[k], c[k]) for k in b)
    whole = train(tiny_config(tmp_path / "all", steps=1, lr=1e-2, init=str(tiny_model)), quiet=True)
    with pytest.raises(ValueError, match="other latents"):  # its encoder moved too
        export(run, tmp_path / "bad", quiet=True, vae=whole)
    assert not (tmp_path / "bad").exists()

    # a shipped model folder, its run long gone: the decoder alone is swapped in
    export(tiny_model, tmp_path / "folder", quiet=True, vae=folder)
    c = load_file(tmp_path / "folder" / name)
    assert all(torch.equal(b[k], c[k]) for k in b)
    t = "transformer/diffusion_pytorch_model.safetensors"
    d, e = load_file(tiny_model / t), load_file(tmp_path / "folder" / t)
    assert d.keys() == e.keys() and all(torch.equal(d[k], e[k]) for k in d)
    meta = json.loads((tmp_path / "folder" / "spacetime.json").read_text())
    assert meta["training"]["vae"] == str(folder)
    with pytest.raises(ValueError, match="other latents"):
        export(tiny_model, tmp_path / "bad", quiet=True, vae=whole)
    assert not (tmp_path / "bad").exists()


def test_export_writes_a_runs_newest_checkpoint(tiny_model: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    from spacetime.models.folder import check_writable
    from spacetime.train.loop import export

    for part, run in (
        ("vae", tiny_model.parent.parent / "vae"),
        ("transformer", tiny_model.parent),
    ):
        out = tmp_path / part
        steps = json.loads((run / "config.json").read_text())["steps"]
        assert export(run, out, quiet=True) == steps
        name = f"{part}/diffusion_pytorch_model.safetensors"
        a, b = load_file(run / "model" / name), load_file(out / name)  # the run's own export
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
        check_writable(out)  # exported again: a VAE run's export (vae/ alone) too
        umask = os.umask(0)
        os.umask(umask)  # weights anyone may read, as the umask says: safetensors wrote 600
        assert (out / name).stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(ValueError, match="not a model folder"):
        check_writable(tiny_model.parent)  # a run folder is never replaced
    from spacetime.external.families import detect

    with pytest.raises(ValueError, match=r"holds a VAE alone .* train a transformer on it"):
        detect(tmp_path / "vae")  # as --model: not "has no model_index.json"
    res = subprocess.run(
        [sys.executable, "-m", "spacetime.cli", "export", str(tmp_path), "-o", str(tmp_path / "x")],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "no checkpoint" in res.stderr and not (tmp_path / "x").exists()


def test_object_weight_puts_the_vae_loss_on_objects() -> None:
    import numpy as np
    import torch

    from spacetime.train.data import object_masks, world_clips
    from spacetime.train.vae import VAEStage

    frames, _, scenes = world_clips(np.random.default_rng(3), 2, 5, 8.0, 32)
    masks = object_masks(frames, scenes, 8.0, 32)  # (2, 5, 32, 32)
    assert 0.01 < masks.mean() < 0.5  # objects, not the background

    class Echo(torch.nn.Module):  # a "VAE" whose output is its input with the objects gone
        def forward(self, x, gen):
            y = torch.where(torch.from_numpy(masks)[:, None], torch.zeros_like(x), x)
            z = torch.zeros(1)
            return y, z, z

    cfg = {**TINY_VAE, "frames": 5, "size": 32, "batch": 2}
    plain, weighted = (
        VAEStage(TrainConfig(**{**cfg, "object_weight": w}), None, quiet=True) for w in (0.0, 10.0)
    )
    x = torch.from_numpy(frames).float().div(127.5).sub(1).permute(0, 4, 1, 2, 3)
    gen = torch.Generator()
    lp = plain.loss(Echo(), (x, None), gen)
    lw = weighted.loss(Echo(), (x, torch.from_numpy(masks)), gen)
    assert lw > 3 * lp  # losing the objects costs far more with the weight
    x2, m2 = weighted.batch(0, 0)
    assert m2 is not None and m2.shape == (2, *x2.shape[2:]) and m2.any()


def test_vae_crops_are_windows_of_the_rendered_clips() -> None:
    import numpy as np

    from spacetime.train.config import TrainConfig
    from spacetime.train.vae import VAEStage

    cfg = {**TINY_VAE, "frames": 5, "size": 32, "batch": 6, "object_weight": 10.0}
    whole = VAEStage(TrainConfig(**{**cfg, "batch": 2}), None, quiet=True)
    crops = VAEStage(TrainConfig(**{**cfg, "crop": 16}), None, quiet=True)
    x, m = crops.batch(3, 0)
    assert x.shape == (6, 3, 5, 16, 16) and m is not None and m.shape == (6, 5, 16, 16)
    # 4 crops per clip: the first crop lies somewhere inside the first rendered clip
    clip = whole.batch(3, 0)[0][0].numpy()  # (3, 5, 32, 32): same rng, same first clip
    c0 = x[0].numpy()
    hits = [
        (y, xx)
        for y in range(17)
        for xx in range(17)
        if np.array_equal(clip[:, :, y : y + 16, xx : xx + 16], c0)
    ]
    assert hits
    with pytest.raises(ValueError, match="crop"):
        TrainConfig(**{**cfg, "crop": 12}).validate()


def test_object_cells_follow_wans_latent_layout() -> None:
    import torch

    from spacetime.train.cache import object_cells

    m = torch.zeros(1, 17, 64, 64, dtype=torch.bool)
    m[0, 0, 1, 1] = True  # frame 0 -> latent frame 0
    m[0, 5, 10, 20] = True  # frames 5..8 -> latent frame 2
    cells = object_cells(m, 4)
    assert cells.shape == (1, 1, 5, 16, 16)
    assert cells.sum() == 2 and cells[0, 0, 0, 0, 0] == 1 and cells[0, 0, 2, 2, 5] == 1


def test_worker_processes_render_the_same_batches_and_cache(tiny_model: Path, tmp_path: Path):
    from spacetime.models.folder import load_vae
    from spacetime.models.text import default_encoder
    from spacetime.train import cache
    from spacetime.train.prefetch import ahead

    assert list(ahead(lambda i: i * i, range(7), 2)) == [i * i for i in range(7)]
    runs = {
        w: train(tiny_config(tmp_path / f"vae{w}", steps=3, workers=w), quiet=True) for w in (0, 2)
    }
    a, b = (losses(r.parent) for r in runs.values())
    assert a == pytest.approx(b, rel=1e-5)
    vae, text = load_vae(tiny_model), default_encoder()
    shards = {}
    for w in (0, 2):
        cfg = tiny_config(tmp_path / f"tr{w}", stage="transformer", vae=str(tiny_model), workers=w)
        seconds: dict[str, float] = {}
        folder = cache.build(cfg, vae, text, seconds=seconds)
        shards[w] = cache.load(folder)
        built = json.loads((folder / "build.json").read_text())  # where the build's time went
        assert built["shards"] == 2 and built["workers"] == w
        assert seconds["vae"] > 0 and seconds["text"] > 0
    (d0, c0, t0), (d2, c2, t2) = shards[0], shards[2]
    assert (c0, t0) == (c2, t2) and len(c0) == 4
    for k in d0:  # the same clips; the encoder may run on fewer threads beside the workers
        torch.testing.assert_close(d0[k].float(), d2[k].float(), atol=3e-3, rtol=1e-3, msg=k)


def test_a_cache_build_stopped_part_way_keeps_its_shards_and_its_timings(
    tiny_model: Path, tmp_path: Path
) -> None:
    from spacetime.models.folder import load_vae
    from spacetime.models.text import default_encoder
    from spacetime.train import cache

    vae, text = load_vae(tiny_model), default_encoder()
    cfg = tiny_config(tmp_path / "tr", stage="transformer", vae=str(tiny_model))

    def stop(clips: int) -> None:  # a kill after the first shard
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cache.build(cfg, vae, text, progress=stop)
    folder = next((tmp_path / "tr" / "cache").iterdir())
    assert len(list(folder.glob("shard-*.safetensors"))) == 1
    built = json.loads((folder / "build.json").read_text())
    assert built["shards"] == 1 and built["of"] == 2 and built["vae_s"] >= 0
    cache.build(cfg, vae, text)  # resumes at the missing shard
    assert len(cache.load(folder)[1]) == 4


def test_ctrl_c_while_the_cache_is_built_says_it_goes_on(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from spacetime.train import loop

    def stopped(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(loop, "make_stage", stopped)
    cfg = tiny_config(tmp_path / "tr", stage="transformer", vae=str(tiny_model))
    with pytest.raises(KeyboardInterrupt):
        train(cfg)
    assert "stopped building the latent cache" in capsys.readouterr().out  # not silence


def test_a_growing_cache_trains_on_the_shards_built_so_far_and_takes_in_new_ones(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spacetime.models.folder import load_vae
    from spacetime.models.text import default_encoder
    from spacetime.train import cache
    from spacetime.train.transformer import TransformerStage

    out = tmp_path / "grow"
    kw = {"stage": "transformer", "vae": str(tiny_model)}
    grow = lambda: tiny_config(out, cache_grow=True, steps=4, save_every=2, **kw)  # noqa: E731
    with pytest.raises(ValueError, match="no shards"):
        train(grow(), quiet=True)
    cache.build(tiny_config(out, cache_clips=2, **kw), load_vae(tiny_model), default_encoder())
    real = TransformerStage.refresh

    def refresh(self: TransformerStage) -> int:  # the build, in another process, wrote one more
        cache.build(tiny_config(out, **kw), self.vae, self.text)
        return real(self)

    monkeypatch.setattr(TransformerStage, "refresh", refresh)
    folder = train(grow(), quiet=True)
    log = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert {"step": 2, "clips": 4} in log  # 2 clips until step 2, then 4
    assert json.loads((out / "config.json").read_text())["cache_clips"] == 2
    assert json.loads((folder / "spacetime.json").read_text())["training"]["cache_clips"] == 4
    resumed = tiny_config(out, cache_grow=True, steps=6, save_every=2, cache_clips=64, **kw)
    train(resumed, quiet=True)  # the record's cache_clips grew: no reason to refuse the resume
    assert 6 in losses(out)


def test_more_caches_adds_an_earlier_runs_clips_on_the_same_latents(
    tiny_model: Path, tmp_path: Path
) -> None:
    from conftest import tiny_config

    from spacetime.train.transformer import TransformerStage

    class One:  # a single CPU process, as accelerate's Accelerator would say
        device, process_index, num_processes, is_main_process = torch.device("cpu"), 0, 1, True

        def wait_for_everyone(self) -> None: ...

    earlier = tiny_model.parent  # its cache: 4 clips on tiny_model's VAE
    cfg = dict(stage="transformer", vae=str(tiny_model), seed=5, cache_clips=2)
    own = TransformerStage(tiny_config(tmp_path / "own", **cfg), One(), quiet=True)
    both = tiny_config(tmp_path / "both", **cfg, more_caches=[str(earlier)])
    stage = TransformerStage(both, One(), quiet=True)
    assert len(stage.captions) == len(stage.tasks) == 2 + 4
    assert stage.captions[:2] == own.captions
    assert all(len(v) == 6 for v in stage.data.values())
    vae2 = tiny_config(tmp_path / "vae2", steps=1, lr=1e-2, init=str(tiny_model))
    cfg["vae"] = str(train(vae2, quiet=True))  # the whole VAE trained on: other latents
    moved = tiny_config(tmp_path / "moved", **cfg, more_caches=[str(earlier)])
    with pytest.raises(ValueError, match="no complete cache for this VAE"):
        TransformerStage(moved, One(), quiet=True)
    with pytest.raises(ValueError, match="not a run folder"):
        TransformerStage(tiny_config(tmp_path / "x", **cfg, more_caches=[str(tmp_path)]), One())


def test_batch_tasks_draws_each_task_at_its_share_whatever_the_caches_hold() -> None:
    from spacetime.train.transformer import clip_odds

    tasks = ["text"] * 90 + ["cinemagraph"] * 10 + ["inpaint"] * 5
    assert clip_odds(tasks, {}) is None  # every clip equally, as before
    odds = clip_odds(tasks, {"text": 0.5, "cinemagraph": 0.5})
    assert odds is not None and odds.sum() == pytest.approx(1)
    assert odds[90:100].sum() == pytest.approx(0.5) and (odds[100:] == 0).all()
    assert odds[0] == pytest.approx(0.5 / 90)  # uniform within a task
    rng = np.random.default_rng(0)
    drawn = [t for _ in range(200) for t in np.asarray(tasks)[rng.choice(105, 8, False, p=odds)]]
    assert 0.4 < drawn.count("cinemagraph") / len(drawn) < 0.6
    with pytest.raises(ValueError, match="outpaint, which no cache holds"):
        clip_odds(tasks, {"text": 1.0, "outpaint": 0.2})


def test_numbers_that_would_train_a_broken_model_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "c.toml"
    p.write_text('stage = "vae"\n')
    for key, value, words in [
        ("kl_weight", float("nan"), "finite"),
        ("heads", 0, "heads must be at least 1"),
        ("cache_shard", 0, "cache_shard must be at least 1"),
        ("fps", 0.0, "fps must be from"),
        ("guidance", 0.5, "guidance must be 1 or more"),
        ("vae_dim_mult", [], "vae_dim_mult must be a list"),
        ("seed", -1, "seed must be 0 or more"),
        ("task_weights", {"text": "0.5"}, "to numbers"),
        ("vae_dim_mult", [1.5, 2], "vae_dim_mult must be a list of whole numbers"),
        ("patch", [1, 2.0, 2], "patch must be a list of whole numbers"),
    ]:
        with pytest.raises(ValueError, match=words):
            TrainConfig.from_toml(p, **{key: value})


def test_a_run_folder_resumes_only_its_own_run(tmp_path: Path, tiny_model: Path) -> None:
    """A missing init is refused before the folder is made; a finished run resumes only
    with its own settings (steps may grow); export never writes over a run or a file."""
    with pytest.raises(ValueError, match="init: no such folder"):
        train(tiny_config(tmp_path / "none", init=str(tmp_path / "nope")), quiet=True)
    assert not (tmp_path / "none").exists()
    if Path("/proc/self").is_dir():  # a folder that takes no new files
        with pytest.raises(ValueError, match="/proc takes no new files"):
            train(tiny_config(Path("/proc/run")), quiet=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no vae weights"):
        train(tiny_config(tmp_path / "none", init=str(tmp_path / "empty")), quiet=True)
    vae_run = tiny_model.parent.parent / "vae"  # a run folder: its model/ is taken
    assert tiny_config(tmp_path / "none", init=str(vae_run)).init_weights().is_file()
    tr = {"stage": "transformer", "vae": str(tiny_model), "init": str(vae_run)}
    with pytest.raises(ValueError, match="holds no transformer weights"):  # before the cache
        train(tiny_config(tmp_path / "none", **tr), quiet=True)
    wide = {**TINY_TRANSFORMER, **tr, "init": str(tiny_model), "layers": 2}
    with pytest.raises(ValueError, match=r"its transformer has layers = 1; set the config so"):
        train(tiny_config(tmp_path / "none", **wide), quiet=True)  # before the cache too
    assert not (tmp_path / "none").exists()
    bad = tiny_config(tmp_path / "p", stage="transformer", vae=str(tiny_model), patch=[1, 3, 3])
    with pytest.raises(ValueError, match=r"patch \[1, 3, 3\] must divide the latents"):
        train(bad, quiet=True)
    assert not (tmp_path / "p").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="holds no training run"):
        train(tiny_config(mine, steps=1), quiet=True)
    assert [f.name for f in mine.iterdir()] == ["notes.txt"]
    run = tmp_path / "r"
    train(tiny_config(run, steps=2), quiet=True)
    with pytest.raises(ValueError, match=r"other settings \(lr\)"):
        train(tiny_config(run, steps=3, lr=0.3), quiet=True)
    with pytest.raises(ValueError, match="at step 2 already"):
        train(tiny_config(run, steps=1), quiet=True)
    moved = tmp_path / "moved"
    shutil.copytree(run, moved)  # a run moved or named otherwise resumes where it is
    train(tiny_config(moved, steps=3), quiet=True)
    steps = [json.loads(line)["step"] for line in (moved / "log.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == 3  # resumed, not begun again
    r = CliRunner().invoke(app, ["export", str(run), "-o", str(run)])
    assert r.exit_code == 2 and "itself" in r.output
    (tmp_path / "notes.txt").write_text("keep me")
    r = CliRunner().invoke(app, ["export", str(run), "-o", str(tmp_path / "notes.txt")])
    assert r.exit_code == 2 and "not a model folder" in r.output
    assert (tmp_path / "notes.txt").read_text() == "keep me" and (run / "latest").is_file()


def test_a_transformer_run_resumes_only_on_its_own_vae(tmp_path: Path, tiny_model: Path) -> None:
    """The same vae path holding another VAE (retrained in place) is refused on resume: the
    run would go on in another latent space."""
    from safetensors.torch import load_file, save_file

    vae = tmp_path / "vae"
    shutil.copytree(tiny_model, vae)
    run = tmp_path / "tr"
    train(tiny_config(run, stage="transformer", vae=str(vae), steps=1), quiet=True)
    weights = vae / "vae" / "diffusion_pytorch_model.safetensors"
    w = load_file(weights)
    key = next(k for k in sorted(w) if k.startswith("encoder."))
    w[key] = w[key] + 0.1
    save_file(w, weights)
    with pytest.raises(ValueError, match="other latents than the VAE"):
        train(tiny_config(run, stage="transformer", vae=str(vae), steps=2), quiet=True)


def test_a_failed_model_save_leaves_nothing_behind(tmp_path: Path, tiny_model: Path) -> None:
    from spacetime.models import folder as mf

    class Full:
        def save_pretrained(self, path: Path) -> None:
            raise OSError(28, "No space left on device")

    vae = mf.load_vae(tiny_model)
    (tmp_path / ".tmp-out").write_text("an old temporary name is no obstacle")
    with pytest.raises(OSError, match="No space"):
        mf.save(tmp_path / "out", vae, vae, Full(), {})
    assert [f.name for f in tmp_path.iterdir()] == [".tmp-out"]


def test_a_lost_pointer_or_a_damaged_checkpoint(tmp_path: Path) -> None:
    """Without `latest` a run resumes from its newest complete checkpoint, not from 0; a
    damaged checkpoint file is named in a one-line error."""
    run = tmp_path / "r"
    train(tiny_config(run, steps=2, save_every=1), quiet=True)
    (run / "latest").unlink()
    assert checkpoint.latest(run) == run / "ckpt-0000002"
    (run / "ckpt-0000002" / "ema.safetensors").write_bytes(b"broken")
    with pytest.raises(ValueError, match=r"ema\.safetensors is damaged"):
        train(tiny_config(run, steps=3, save_every=1), quiet=True)


def test_a_vae_config_without_out_trains_into_runs_vae(tmp_path: Path) -> None:
    """Not into runs/model, the transformer's default, which the next stage would refuse."""
    path = tmp_path / "c.toml"
    path.write_text('stage = "vae"\n')
    assert TrainConfig.from_toml(path).out == "runs/vae"
    assert TrainConfig.from_toml(path, out="elsewhere").out == "elsewhere"
    path.write_text('vae = "runs/vae/model"\n')
    assert TrainConfig.from_toml(path).out == "runs/model"
