"""The training loop shared by every stage: accelerate, EMA, checkpoints, log, previews.

One CPU process by default; the same config runs under `accelerate launch` on several GPUs or
nodes. Data and noise for step s on process r come from the seed (seed, s, r), so a run that is
killed and resumed computes exactly the steps the uninterrupted run would have.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from ..models.fast import bf16_is_fast, speed_up
from . import checkpoint
from .config import TrainConfig
from .prefetch import ahead


class Stage(Protocol):
    """What a stage (vae, transformer) gives the loop."""

    model: torch.nn.Module
    workers: int  # processes computing batches ahead (0: each batch when its step comes)

    def batch(self, step: int, rank: int) -> Any: ...

    def loss(self, model: torch.nn.Module, batch: Any, gen: torch.Generator) -> torch.Tensor: ...

    def preview(self, model: torch.nn.Module, path: Path) -> dict[str, float]: ...

    def export(self, model: torch.nn.Module, folder: Path) -> None: ...


def make_stage(cfg: TrainConfig, acc: Any, quiet: bool = False, data: bool = True) -> Stage:
    """The stage of cfg; data=False skips what only training needs (the latent cache)."""
    if cfg.stage == "vae":
        from .vae import VAEStage

        return VAEStage(cfg, acc, quiet)
    from .transformer import TransformerStage

    return TransformerStage(cfg, acc, quiet, data)


def lr_at(cfg: TrainConfig, step: int) -> float:
    """Linear warmup, then cosine decay to lr * min_lr_ratio."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    p = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


@torch.no_grad()
def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float, step: int) -> None:
    d = min(decay, (1 + step) / (10 + step))  # warm start: early EMA follows the model
    e, m = list(ema.parameters()), list(model.parameters())
    torch._foreach_lerp_(e, m, 1 - d)


def init_weights(stage: Stage, cfg: TrainConfig, quiet: bool = False) -> None:
    """Start from the weights of a model folder's vae/ or transformer/ (same architecture).

    A transformer whose folder holds another VAE than the run's is rotated into the run's
    latent space (align.py), and the fit is printed."""
    from safetensors.torch import load_file

    part = "vae" if cfg.stage == "vae" else "transformer"
    path = cfg.init_weights()
    target = stage.model.vae if cfg.stage == "vae" else stage.model  # type: ignore[union-attr]
    try:
        target.load_state_dict(load_file(path))
    except RuntimeError as e:
        first = (str(e).splitlines()[1:2] or [""])[0].strip()[:160]  # its first misfit tensors
        msg = f"init = {cfg.init}: its {part} does not fit this config ({first})"
        raise ValueError(msg) from None
    if cfg.stage == "transformer":
        from ..models.folder import load_vae
        from . import align
        from .cache import latent_hash

        old, new = load_vae(Path(cfg.init)), stage.vae  # type: ignore[attr-defined]
        if latent_hash(old) != latent_hash(new):
            fit = align.carry(target, old, new, cfg.frames, cfg.size)
            if not quiet:
                print(
                    f"init = {cfg.init} was trained on another VAE: rotated into this one's "
                    f"latents (fit {fit:.3f})"
                )


STOPS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and `timeout` or a scheduler's kill


@contextlib.contextmanager
def interrupt_stops(enabled: bool) -> Iterator[Callable[[], int]]:
    """Within it, a first Ctrl-C or SIGTERM only asks the loop to stop (it saves at the end
    of the step, then stops as that signal stops a program); a second one interrupts at
    once. Yields asked(): the signal asked with, 0 if none. Off (`enabled` False, or not the
    main thread) they interrupt as always: processes of a distributed run would each stop
    at another step."""
    asked: list[int] = []
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield lambda: 0
        return

    def handler(signum: int, frame: Any) -> None:
        if asked:
            raise KeyboardInterrupt
        asked.append(signum)

    old = [signal.signal(s, handler) for s in STOPS]
    try:
        yield lambda: asked[0] if asked else 0
    finally:
        for s, was in zip(STOPS, old, strict=True):
            signal.signal(s, was)


def _read_log(path: Path, upto: int) -> list[str]:
    """Log lines of steps <= upto: what a resumed run keeps."""
    if not path.is_file():
        return []
    keep = []
    for line in path.read_text().splitlines():
        try:
            if json.loads(line)["step"] <= upto:
                keep.append(line)
        except (ValueError, KeyError):
            continue  # a line cut by a kill
    return keep


# What a resumed run may change: how long and how it is kept, not what it learns from.
RESUMABLE = {"steps", "log_every", "save_every", "preview_every", "keep", "workers", "compile"}


PATHS = ("vae", "init", "more_caches", "videos")  # the same folder, however it is written


def _same(key: str, old: Any, new: Any) -> bool:
    """Whether a setting is unchanged: paths compared as the folders they name (runs/x and
    /abs/runs/x/); `out` is where the run is now, so a moved run resumes."""
    if key == "out":
        return True
    if key in PATHS:
        return _folders(old) == _folders(new)
    return old == new


def _folders(v: Any) -> Any:
    if isinstance(v, list):
        return [_folders(x) for x in v]
    return str(Path(v).resolve()) if isinstance(v, str) and v else v


def resume_check(cfg: TrainConfig, run: Path) -> None:
    """A run folder with checkpoints resumes only the run it holds: refuse another stage, or
    settings other than RESUMABLE ones that differ from the checkpoint's (the weights would be
    trained under one config and recorded under another), or fewer steps than it has."""
    if run.exists() and not run.is_dir():
        raise ValueError(f"out: {run} is a file, not a run folder")
    ck = checkpoint.latest(run) if run.is_dir() else None
    # a run (killed before its first checkpoint, or its cache built first by another process)
    ours = ck is not None or (run / "config.json").is_file() or (run / "cache").is_dir()
    if run.is_dir() and not ours and any(run.iterdir()):
        raise ValueError(
            f"out: {run} is a folder that holds no training run; train into a new folder (--out)"
        )
    if ck is None:
        return
    state = json.loads((ck / "state.json").read_text())
    old = state.get("config", {})
    if old.get("stage") != cfg.stage:
        raise ValueError(
            f"{run} holds a {old.get('stage')} run, not a {cfg.stage} one; train the "
            f"{cfg.stage} into a new folder (--out)"
        )
    new = cfg.to_dict()
    # a growing cache records the clips it holds, which grow from checkpoint to checkpoint
    free = RESUMABLE | ({"cache_clips"} if cfg.cache_grow else set())
    changed = sorted(k for k in new if k not in free and k in old and not _same(k, old[k], new[k]))
    if changed:
        raise ValueError(
            f"{run} is a run at step {state['step']} with other settings ({', '.join(changed)}); "
            "resume it as it was, or train into a new folder (--out)"
        )
    if cfg.steps < state["step"]:
        step = state["step"]
        raise ValueError(f"{run} is at step {step} already; --steps must be {step} or more")
    if cfg.stage == "transformer" and "vae_latents" in state:  # the same path, another VAE
        from ..models.folder import load_vae
        from .cache import latent_hash

        if latent_hash(load_vae(Path(cfg.vae))) != state["vae_latents"]:
            raise ValueError(
                f"vae = {cfg.vae} now makes other latents than the VAE {run} trained on "
                "(retrained or replaced since); resume with that VAE, or train into a new "
                "folder (--out)"
            )


def check_patch(cfg: TrainConfig) -> None:
    """A transformer stage's patch must tile the latents its VAE makes of a clip."""
    from ..models import folder as mf

    if cfg.stage != "transformer":
        return
    vae = json.loads((mf.vae_folder(Path(cfg.vae)) / "config.json").read_text())
    t = (cfg.frames - 1) // int(vae["scale_factor_temporal"]) + 1
    side = cfg.size // int(vae["scale_factor_spatial"])
    pt, ph, pw = cfg.patch
    if t % pt or side % ph or side % pw:
        raise ValueError(
            f"patch {cfg.patch} must divide the latents, {t} frames of {side}x{side} "
            f"({cfg.frames} frames at {cfg.size}x{cfg.size} through {cfg.vae})"
        )


# a transformer's shape: its diffusers config key, and ours
SHAPE = {
    "num_layers": "layers",
    "num_attention_heads": "heads",
    "attention_head_dim": "head_dim",
    "ffn_dim": "ffn_dim",
    "patch_size": "patch",
}


def check_init_fits(cfg: TrainConfig) -> None:
    """`init` holds weights for the stage, and a transformer of this config's shape: said in
    the config's keys before the latent cache is built (minutes on a CPU), not as a list of
    misfit tensors after it."""
    weights = cfg.init_weights()
    if cfg.stage != "transformer" or not (weights.parent / "config.json").is_file():
        return
    has = json.loads((weights.parent / "config.json").read_text())
    ours = cfg.to_dict()
    differ = [
        f"{key} = {has[k]}"
        for k, key in SHAPE.items()
        if k in has and (list(has[k]) if isinstance(has[k], list) else has[k]) != ours[key]
    ]
    if differ:
        raise ValueError(
            f"init = {cfg.init}: its transformer has {', '.join(differ)}; set the config so "
            "(--set), or leave init out to train from scratch"
        )


def train(cfg: TrainConfig, quiet: bool = False) -> Path:
    """Run (or resume) a training run; returns the exported model folder."""
    from accelerate import Accelerator
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn

    from .. import progress

    acc = Accelerator(cpu=not torch.cuda.is_available())
    bf16 = cfg.precision == "bf16" or (cfg.precision == "auto" and bf16_is_fast(acc.device))
    run = Path(cfg.out)
    cfg.check_paths()
    check_patch(cfg)
    resume_check(cfg, run)
    if cfg.init and checkpoint.latest(run) is None:  # before a cache is built for nothing
        check_init_fits(cfg)
    if cfg.warmup >= cfg.steps and not quiet:
        print(
            f"note: warmup ({cfg.warmup} steps) is as long as the run ({cfg.steps}) or longer: "
            f"the learning rate stays below lr ({cfg.lr:g}); set warmup lower (--set warmup=N)",
            flush=True,
        )
    made = not run.is_dir()
    if made:
        from ..io.video import check_writable

        check_writable(run)  # /proc/x, a read-only disk: said so, not "no such file"
    run.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    try:
        stage = make_stage(cfg, acc, quiet)  # a transformer's: its latent cache built first
    except BaseException as e:
        if made and acc.is_main_process and not any(run.iterdir()):
            run.rmdir()  # refused on reading its clips: no empty run folder left behind
        if isinstance(e, KeyboardInterrupt) and not quiet and cfg.stage == "transformer":
            print(
                "stopped building the latent cache; its shards so far are kept and the same "
                "command goes on from them",
                flush=True,
            )
        raise
    model = speed_up(stage.model).to(acc.device)
    ema = copy.deepcopy(model).requires_grad_(False) if cfg.ema > 0 else None
    opt = torch.optim.AdamW(
        model.parameters(), lr=cfg.lr, betas=(0.9, 0.99), weight_decay=cfg.weight_decay
    )
    start, elapsed = 0, 0.0
    ck = checkpoint.latest(run)
    if ck is None and cfg.init:
        init_weights(stage, cfg, quiet)
        if ema is not None:
            ema.load_state_dict(model.state_dict())
    if ck is not None:
        state = checkpoint.load(ck, model, ema, opt)
        start, elapsed = state["step"], state.get("elapsed", 0.0)
        if not quiet and acc.is_main_process:
            print(f"resuming {run} from step {start}")
    if cfg.compile:
        model.compile()  # in place: the state dict keeps its keys
    model, opt = acc.prepare(model, opt)
    if not quiet and acc.is_main_process:
        print(f"precision {'bf16' if bf16 else 'fp32'}" + (", compiled" if cfg.compile else ""))
    main = acc.is_main_process
    log_path = run / "log.jsonl"
    if main:
        (run / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
        lines = _read_log(log_path, start)
        log_path.write_text("".join(line + "\n" for line in lines))
    acc.wait_for_everyone()
    log = log_path.open("a") if main else None

    latents = {}  # which latents a transformer learns on: resume_check holds its VAE to them
    if cfg.stage == "transformer":
        from .cache import latent_hash

        latents["vae_latents"] = latent_hash(stage.vae)  # type: ignore[attr-defined]

    def save(step: int) -> None:
        if main:
            extra = {"config": cfg.to_dict(), "elapsed": elapsed + time.time() - t0, **latents}
            checkpoint.save(run, step, acc.unwrap_model(model), ema, opt, extra, cfg.keep)
        acc.wait_for_everyone()

    bar = progress.bar(
        quiet or not main,
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} loss {task.fields[loss]:.4f}"),
        TimeRemainingColumn(),
        transient=False,
    )
    lines = not quiet and main and bar.disable  # no bar (a log): a line at each checkpoint

    def say(text: str) -> None:  # above a shown bar, else on stdout
        (bar.console.print if not bar.disable else print)(text)

    task = bar.add_task(f"train {cfg.stage}", total=cfg.steps, completed=start, loss=float("nan"))
    t0, window, loss_now = time.time(), [], float("nan")
    rank = acc.process_index
    batches = ahead(lambda s: stage.batch(s, rank), range(start, cfg.steps), stage.workers)
    with bar, interrupt_stops(acc.num_processes == 1) as asked:
        for step, batch in zip(range(start, cfg.steps), batches, strict=True):
            lr = lr_at(cfg, step)
            for g in opt.param_groups:
                g["lr"] = lr
            seed = np.random.SeedSequence([cfg.seed, step, rank])
            gen = torch.Generator(acc.device).manual_seed(int(seed.generate_state(1)[0]))
            with torch.autocast(acc.device.type, torch.bfloat16, enabled=bf16):
                loss = stage.loss(model, batch, gen)
            acc.backward(loss)
            if cfg.grad_clip > 0:
                acc.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            opt.zero_grad(set_to_none=True)
            if ema is not None:
                ema_update(ema, acc.unwrap_model(model), cfg.ema, step)
            window.append(loss.detach())
            done = step + 1
            if done % cfg.log_every == 0 or done == cfg.steps:
                mean = acc.reduce(torch.stack(window).mean(), reduction="mean").item()
                window, loss_now = [], mean
                bar.update(task, completed=done, loss=mean)
                if log is not None:
                    rec = {
                        "step": done,
                        "loss": mean,
                        "lr": lr,
                        "elapsed": round(elapsed + time.time() - t0, 2),
                    }
                    log.write(json.dumps(rec) + "\n")
                    log.flush()
            if done % cfg.save_every == 0 or done == cfg.steps:
                save(done)
                if cfg.cache_grow and done < cfg.steps:  # the shards written since
                    clips = stage.refresh()  # type: ignore[attr-defined]
                    if log is not None:
                        log.write(json.dumps({"step": done, "clips": clips}) + "\n")
                if lines:
                    left = (time.time() - t0) / (done - start) * (cfg.steps - done)
                    now = (
                        torch.stack(window).mean().item() if window else loss_now
                    )  # this process's
                    say(f"step {done}/{cfg.steps} loss {now:.4f}, {left / 60:.1f} min left")
            if main and done % cfg.preview_every == 0:
                shown = ema if ema is not None else acc.unwrap_model(model)
                metrics = stage.preview(shown, run / "previews" / f"step-{done:07d}.png")
                if log is not None:
                    log.write(json.dumps({"step": done, "preview": metrics}) + "\n")
                    log.flush()
                if not quiet:
                    say(f"step {done}: " + ", ".join(f"{k} {v:.4g}" for k, v in metrics.items()))
            if asked() and done < cfg.steps:
                if done % cfg.save_every:
                    save(done)
                if log is not None:
                    log.close()
                if not quiet:
                    say(f"stopped at step {done} of {cfg.steps}, saved: the same command resumes")
                if asked() == signal.SIGTERM:
                    raise SystemExit(128 + signal.SIGTERM)
                raise KeyboardInterrupt
    if log is not None:
        log.close()
    folder = run / "model"
    if main:
        stage.export(ema if ema is not None else acc.unwrap_model(model), folder)
    acc.wait_for_everyone()
    return folder


def export(run: Path, out: Path, quiet: bool = False, vae: Path | None = None) -> int:
    """Write a run's newest checkpoint (EMA weights) as a model folder, without training on;
    returns its step. The run may still be training: checkpoints are complete or absent.

    vae: for a transformer run, ship this VAE instead of the one it trained on; it must make
    the same latents (a decoder fine-tuned with freeze_encoder). `run` may also be a model
    folder (its run long gone): then only its VAE is swapped, and the step is the one it
    was trained to."""
    from accelerate import Accelerator

    if (run / "model_index.json").is_file() and vae is not None:
        return _swap_vae(run, out, vae)
    from ..models.folder import is_model_folder

    if is_model_folder(run):
        raise ValueError(
            f"{run} is a model folder, exported already: give the run folder of spacetime "
            "train (or --vae to swap its VAE)"
        )
    if not run.is_dir():
        what = f"{run} is a file" if run.exists() else f"no such folder {run}"
        raise ValueError(f"{what}: give a run folder of spacetime train")
    ck = checkpoint.latest(run)
    if ck is None and (run / "config.json").is_file():  # a run, before its first save
        raise ValueError(
            f"{run} holds no checkpoint yet: the first is saved at step save_every of its "
            "config; export it after that"
        )
    if ck is None:
        raise ValueError(f"{run} holds no checkpoint: give a run folder of spacetime train")
    state = json.loads((ck / "state.json").read_text())
    cfg = TrainConfig(**{**state["config"], "steps": int(state["step"])})  # trained so far
    if vae is not None:
        from ..models.folder import load_vae

        if cfg.stage != "transformer":
            raise ValueError(f"--vae is for transformer runs; {run} trained a {cfg.stage}")
        _same_latents(load_vae(vae), load_vae(Path(cfg.vae)), vae, run)
        cfg.vae = str(vae)
    stage = make_stage(cfg, Accelerator(cpu=True), quiet, data=False)
    ema = copy.deepcopy(stage.model) if cfg.ema > 0 else None
    checkpoint.load(ck, stage.model, ema, None)
    stage.export(ema if ema is not None else stage.model, out)
    return int(state["step"])


def _same_latents(new, learned, vae: Path, learner: Path) -> None:
    """Refuse a VAE (`new`, loaded from `vae`) whose encoder makes other latents than the VAE
    `learner` learned on."""
    from .cache import latent_hash

    if latent_hash(new) != latent_hash(learned):
        raise ValueError(
            f"{vae} makes other latents than the VAE {learner} learned on: only a VAE whose "
            "decoder alone was trained (freeze_encoder = true) can be swapped in"
        )


def _swap_vae(folder: Path, out: Path, vae: Path) -> int:
    """Write model folder `folder` with `vae` in place of its VAE; the transformer's weights,
    the scheduler and the defaults are kept, and spacetime.json names the new VAE."""
    from diffusers import FlowMatchEulerDiscreteScheduler, WanTransformer3DModel

    from ..models import folder as mf

    mf.check(folder)
    new = mf.load_vae(vae)
    _same_latents(new, mf.load_vae(folder), vae, folder)
    meta = json.loads((folder / "spacetime.json").read_text())
    meta.setdefault("training", {})["vae"] = str(vae)
    tr = mf.load_part(WanTransformer3DModel, folder / "transformer")
    sched = FlowMatchEulerDiscreteScheduler.from_pretrained(folder / "scheduler")
    mf.save(out, new, tr, sched, meta)
    return int(meta["training"].get("steps", 0))
