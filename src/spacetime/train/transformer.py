"""The transformer stage: learn the flow from noise to cached latents, given text and a task."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..diffusion import train_times
from ..io import sheet_of_many
from ..models import folder as mf
from ..models import presets
from ..models.fast import speed_up
from ..models.text import default_encoder
from . import cache
from .config import TrainConfig
from .footage import Footage
from .footage import load as load_footage

PREVIEW_ITEMS = 8  # held-out prompts generated and judged at every preview
PREVIEW_ATTRS = ("colour", "shape", "size", "motion")  # logged per preview besides all-right


def clip_odds(tasks: list[str], shares: dict[str, float]) -> np.ndarray | None:
    """Chance of drawing each clip so that batches hold tasks in these shares, uniformly within
    a task; None for no shares (every clip equally). float64 (len(tasks),), sums to 1."""
    if not shares:
        return None
    names, index = np.unique(np.asarray(tasks), return_inverse=True)
    missing = sorted(t for t, w in shares.items() if w > 0 and t not in names)
    if missing:
        raise ValueError(f"batch_tasks names {', '.join(missing)}, which no cache holds")
    counts = np.bincount(index)  # clips per task, in names' order
    per_clip = np.asarray([shares.get(t, 0.0) for t in names]) / counts
    odds = per_clip[index]
    return odds / odds.sum()


def flow_loss(
    model: torch.nn.Module,
    b: dict[str, torch.Tensor],
    t: torch.Tensor,
    gen: torch.Generator,
    empty: torch.Tensor,
    text_dropout: float,
    object_weight: float,
) -> torch.Tensor:
    """Flow-matching loss of a cached batch at noise levels t (B,).

    b holds latents (B, z, T', h, w), mask and cond (the known part), text (B, tokens, 384)
    and, optionally, objects (B, 1, T', h, w): cells with objects weigh 1 + object_weight.
    A share text_dropout of captions is replaced by empty, the "" caption, for guidance.
    """
    x0 = b["latents"]
    n = len(x0)
    noise = torch.randn(x0.shape, generator=gen, device=gen.device)
    tt = t.view(n, 1, 1, 1, 1)
    xt = (1 - tt) * x0 + tt * noise
    text = b["text"]
    drop = torch.rand(n, generator=gen, device=gen.device) < text_dropout
    text = torch.where(drop.view(n, 1, 1), empty.to(text), text)
    inp = torch.cat([xt, b["mask"], b["cond"]], dim=1)  # (B, 2z + 4, T', h, w)
    v = model(inp, t * 1000, text, return_dict=False)[0]
    if object_weight <= 0 or "objects" not in b:
        return F.mse_loss(v, noise - x0)
    w = 1 + object_weight * b["objects"]
    return ((v - (noise - x0)).pow(2) * w).mean() / w.mean()


class TransformerStage:
    def __init__(self, cfg: TrainConfig, acc: Any, quiet: bool = False, data: bool = True):
        self.cfg = cfg
        self.vae = speed_up(mf.load_vae(Path(cfg.vae)))  # encodes the cache
        self.text = default_encoder()
        self.data: dict[str, torch.Tensor] = {}
        self.captions: list[str] = []
        self.tasks: list[str] = []
        self.odds: np.ndarray | None = None  # (clips,) chance of each clip per draw; None: equal
        self.folder: Path | None = None  # this run's own cache
        self.loaded: set[Path] = set()  # its shards taken in so far (cache_grow)
        self.own = 0  # clips taken in from them (cache_grow)
        self.footage: Footage | None = None  # the clips of videos = FOLDER
        if data and cfg.videos:
            self.footage = load_footage(cfg, quiet, acc.is_main_process)
            short = cache.too_few(cfg, len(self.footage.train))
            if short and not quiet and acc.is_main_process:
                print(f"note: {short}", flush=True)
        if data:
            self.data, self.captions, self.tasks = self.load_cache(acc, quiet)
            if not acc.is_main_process:  # only the main process previews: the rest let go
                self.footage = None
            self.odds = clip_odds(self.tasks, cfg.batch_tasks)
            if acc.device.type == "cuda":  # the whole cache on the GPU: batches drawn there
                self.data = {k: v.to(acc.device) for k, v in self.data.items()}
        self.empty = self.text([""], cfg.text_tokens)[0]  # (tokens, 384)
        self.model = presets.transformer(
            self.vae.config.z_dim, cfg.layers, cfg.heads, cfg.head_dim, cfg.ffn_dim, cfg.patch
        )
        self.device = acc.device
        self.workers = 0  # batches come from the cache; cfg.workers render its shards

    def load_cache(self, acc: Any, quiet: bool) -> tuple[dict, list[str], list[str]]:
        """Encode the latent cache where missing (processes split the shards), then load it."""
        from .. import progress

        latents = cache.latent_hash(self.vae)
        data = self.footage.sha256 if self.footage is not None else ""
        self.folder = cache.folder_of(self.cfg, latents, data)
        if self.cfg.cache_grow:  # another process builds it: take the shards it has written
            if not cache.shards(self.folder):
                raise ValueError(
                    f"cache_grow: no shards in {self.folder} yet; start a build of the same "
                    "config first (spacetime train CONFIG), and this run once it has written one"
                )
            own = self._take_new()
            if len(own[1]) < self.cfg.batch:
                raise ValueError(
                    f"cache_grow: {len(own[1])} clips built so far, fewer than a batch "
                    f"({self.cfg.batch}); start this run once the build has written more"
                )
            return self._with_earlier(own, latents)
        seconds: dict[str, float] = {}
        with progress.bar(quiet or not acc.is_main_process) as bar:
            total = self.cfg.cache_clips
            task = bar.add_task("encode latent cache", total=total)
            lines = not quiet and acc.is_main_process and bar.disable  # a log: a line a tenth
            said = [0]

            def built(n: int) -> None:
                bar.update(task, completed=n)
                if lines and (n - said[0] >= max(1, total // 10) or n >= total > said[0]):
                    print(f"latent cache: {n}/{total} clips", flush=True)
                    said[0] = n

            folder = cache.build(
                self.cfg,
                copy.deepcopy(self.vae).to(acc.device),  # encoded where the training runs
                self.text.to(acc.device),
                acc.process_index,
                acc.num_processes,
                progress=built,
                seconds=seconds,
                footage=self.footage,
            )
        if any(seconds.values()) and not quiet and acc.is_main_process:
            print("latent cache, seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
        acc.wait_for_everyone()
        self.loaded = set(cache.shards(folder))
        return self._with_earlier(cache.load_shards(sorted(self.loaded)), latents)

    def _with_earlier(self, own: tuple, latents: str) -> tuple[dict, list[str], list[str]]:
        """This run's clips followed by those of the more_caches runs (on encoder latents)."""
        more = [cache.earlier(r, latents, self.cfg) for r in self.cfg.more_caches]
        loaded = [own] + [cache.load(f) for f in more]
        data = {k: torch.cat([d[k] for d, _, _ in loaded]) for k in loaded[0][0]}
        return data, [c for _, cs, _ in loaded for c in cs], [t for _, _, ts in loaded for t in ts]

    def _take_new(self) -> tuple[dict, list[str], list[str]]:
        """The shards of this run's cache not taken in yet (all complete: a shard is renamed
        into place once written)."""
        assert self.folder is not None
        new = [p for p in cache.shards(self.folder) if p not in self.loaded]
        self.loaded |= set(new)
        taken = cache.load_shards(new)
        self.own += len(taken[1])
        self.cfg.cache_clips = self.own  # what the run was trained on, as its record says
        return taken

    def refresh(self) -> int:
        """cache_grow: take in the shards the build has written since; returns the clips held."""
        data, captions, tasks = self._take_new()
        if captions:
            self.data = {k: torch.cat([v, data[k].to(v.device)]) for k, v in self.data.items()}
            self.captions += captions
            self.tasks += tasks
            self.odds = clip_odds(self.tasks, self.cfg.batch_tasks)
        return len(self.captions)

    def batch(self, step: int, rank: int) -> dict[str, torch.Tensor]:
        rng = np.random.default_rng([self.cfg.seed, step, rank])
        pick = rng.choice(len(self.captions), self.cfg.batch, replace=False, p=self.odds)
        idx = torch.from_numpy(pick).to(self.device)
        return {k: v[idx].float() for k, v in self.data.items()}

    def loss(
        self, model: torch.nn.Module, b: dict[str, torch.Tensor], gen: torch.Generator
    ) -> torch.Tensor:
        c = self.cfg
        t = train_times(len(b["latents"]), c.shift, gen, c.high_t_share, c.high_t_min)  # (B,)
        b = {k: v.to(self.device) for k, v in b.items()}
        return flow_loss(model, b, t, gen, self.empty, c.text_dropout, c.object_weight)

    def pipeline(self, model: torch.nn.Module):
        from ..pipeline import Pipeline

        return Pipeline(self.vae, model, self.text, self.meta(), name="preview")

    def meta(self) -> dict[str, Any]:
        c = self.cfg
        return {
            "frames": c.frames,
            "size": c.size,
            "fps": c.fps,
            "text_tokens": c.text_tokens,
            "steps": c.sample_steps,
            "guidance": c.guidance,
            "guidance_stop": c.guidance_stop,
            "shift": c.shift,
        }

    def preview(self, model: torch.nn.Module, path: Path) -> dict[str, float]:
        if self.footage is not None:
            return self.preview_footage(model, path)
        from ..eval.run import judge
        from ..eval.suites import build

        model.eval()
        pipe = self.pipeline(model if model.device.type == "cpu" else copy.deepcopy(model).cpu())
        items = build("heldout", PREVIEW_ITEMS, (self.cfg.frames - 1) / self.cfg.fps)
        videos = [pipe.generate(it.prompt, seed=k) for k, it in enumerate(items)]
        judged = [judge(it, v) for it, v in zip(items, videos, strict=True)]
        model.train()
        path.parent.mkdir(parents=True, exist_ok=True)
        sheet_of_many(videos, path, frames_per_row=9)
        scores = {"heldout_all_right": float(np.mean([j["all_right"] for j in judged]))}
        for attr in PREVIEW_ATTRS:
            scores[f"heldout_{attr}"] = float(np.mean([bool(j["right"][attr]) for j in judged]))
        return scores

    @torch.no_grad()
    def preview_footage(self, model: torch.nn.Module, path: Path) -> dict[str, float]:
        """With videos = FOLDER: a clip made from each of 4 held-out clips' captions, beside the
        clip, and the flow loss on up to 8 held-out clips (text only, at 4 fixed noise levels:
        lower is better; train_clips_loss, on training clips, where none are held out)."""
        from ..io import Video

        assert self.footage is not None
        c = self.cfg
        model.eval()
        cpu = model if model.device.type == "cpu" else copy.deepcopy(model).cpu()
        truth, captions = self.footage.shown(c.frames, c.size)  # (n, T, S, S, 3)
        pipe = self.pipeline(cpu)
        made = [pipe.generate(text, seed=k) for k, text in enumerate(captions[:4])]
        loss = self.flow_loss_on(cpu, truth, captions)
        model.train()
        path.parent.mkdir(parents=True, exist_ok=True)
        videos = [v for k, m in enumerate(made) for v in (Video(truth[k], c.fps, {}), m)]
        names = [f"{kind}: {text}" for text in captions[:4] for kind in ("clip", "made")]
        sheet_of_many(videos, path, frames_per_row=9, captions=names)
        return {"heldout_loss" if self.footage.held else "train_clips_loss": loss}

    def flow_loss_on(self, model: torch.nn.Module, frames: np.ndarray, captions: list) -> float:
        """Mean flow loss (text to video) of clips uint8 (n, T, S, S, 3), at t = 0.2 to 0.8."""
        from ..conditioning import latent_mask
        from .data import to_tensor

        x = to_tensor(frames)  # (n, 3, T, S, S)
        lat = cache.encode_normalised(self.vae, x)  # (n, z, T', h, w)
        grey = cache.encode_normalised(self.vae, torch.zeros_like(x[:1]))
        known = torch.zeros(x.shape[0], *x.shape[2:], dtype=torch.bool)  # (n, T, S, S)
        spatial = int(self.vae.config.scale_factor_spatial)
        b = {
            "latents": lat,
            "cond": grey.expand_as(lat),
            "mask": latent_mask(known, spatial),
            "text": self.text(captions, self.cfg.text_tokens),
        }
        gen = torch.Generator().manual_seed(0)
        losses = []
        for t in (0.2, 0.4, 0.6, 0.8):
            tt = torch.full((len(lat),), t)
            losses.append(flow_loss(model, b, tt, gen, self.empty, 0.0, 0.0).item())
        return float(np.mean(losses))

    def export(self, model: torch.nn.Module, folder: Path) -> None:
        from diffusers import FlowMatchEulerDiscreteScheduler

        tr = copy.deepcopy(model).cpu().eval()
        sched = FlowMatchEulerDiscreteScheduler(shift=self.cfg.shift)
        meta = {**self.meta(), "training": self.cfg.to_dict()}
        mf.save(folder, self.vae, tr, sched, meta)
