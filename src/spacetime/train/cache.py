"""The latent cache: world clips encoded once by the VAE, with their captions' embeddings.

Clip i depends only on (seed, i): its scene, caption, task and known-pixel mask (with
videos = FOLDER: windows of the folder's clips in turn, with their captions; a share
world_share of them world clips instead). Shards of
`cache_shard` clips are written atomically to run/cache/<key>/, where the key hashes the VAE's
weights and every setting that changes the content (and a videos folder's clips as read),
so a new VAE or new clips never read stale latents, and a killed build resumes at the first missing
shard. Processes split the shards between them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import time
from dataclasses import fields
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from ..conditioning import TASK_WEIGHTS, draw_task, latent_mask, mask_for, masked_pixels
from .config import TrainConfig
from .data import object_masks, to_tensor, world_clips
from .footage import Footage, window
from .prefetch import ahead

CACHE_VERSION = 2  # 2: object cells stored
FIELDS = (
    "frames",
    "fps",
    "size",
    "object_weights",
    "characters",
    "text_tokens",
    "seed",
    "task_weights",
    "cache_shard",
)


def cache_key(cfg: TrainConfig, latents: str, data: str = "") -> str:
    """The cache's name: a hash of its settings, the encoder's hash `latents` and, with
    videos = FOLDER, the folder's content hash `data`."""
    spec = {f: getattr(cfg, f) for f in FIELDS}
    if data:
        spec["data"] = data
    for f in ("directional_share", "shape_share", "world_share"):  # only when set: older
        # caches keep their keys
        if getattr(cfg, f):
            spec[f] = getattr(cfg, f)
    spec.update(version=CACHE_VERSION, vae=latents)
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def folder_of(cfg: TrainConfig, latents: str, data: str = "") -> Path:
    """Where the run cfg.out keeps its cache of clips encoded by an encoder of hash latents
    (of a videos folder of hash data)."""
    return Path(cfg.out) / "cache" / cache_key(cfg, latents, data)


def latent_hash(vae: torch.nn.Module) -> str:
    """A hash of what decides the latents: the encoder half and the normalisation (a VAE
    whose decoder alone was fine-tuned keeps its transformer and its caches)."""
    h = hashlib.sha256()
    h.update(repr((vae.config.latents_mean, vae.config.latents_std)).encode())
    for k, v in sorted(vae.state_dict().items()):
        if not k.startswith(("encoder.", "quant_conv.")):
            continue
        h.update(k.encode())
        h.update(v.detach().cpu().float().numpy().tobytes())
    return h.hexdigest()[:16]


def encode_normalised(vae, x: torch.Tensor) -> torch.Tensor:
    """Clips (B, 3, T, H, W) -> latent means normalised by the VAE's latents_mean and
    latents_std: (B, z, T', h, w), what the transformer sees."""
    z = vae.config.z_dim
    mean = torch.tensor(vae.config.latents_mean).view(1, z, 1, 1, 1)
    std = torch.tensor(vae.config.latents_std).view(1, z, 1, 1, 1)
    return (vae.encode(x).latent_dist.mode() - mean.to(x.device)) / std.to(x.device)


def world_slot(i: int, share: float) -> bool:
    """Whether clip i of a videos run's cache is a world clip: evenly spread, share of them."""
    return math.floor((i + 1) * share) > math.floor(i * share)


def footage_slot(i: int, share: float) -> int:
    """How many of clips 0 .. i-1 are the folder's (world_slot false): clip i's turn, so
    the folder's clips take their turns in order however the world's fall between them."""
    return i - math.floor(i * share)


def too_few(cfg: TrainConfig, clips: int) -> str:
    """'' when the cache of a videos run holds a window of each of its clips (training
    clips), else a note with the cache_clips that would."""

    def slots(n: int) -> int:  # the folder's windows in a cache of n clips (whole shards)
        return footage_slot(-(-n // cfg.cache_shard) * cfg.cache_shard, cfg.world_share)

    if slots(cfg.cache_clips) >= clips:
        return ""
    enough = next(n for n in itertools.count(cfg.cache_clips) if slots(n) >= clips)
    return (
        f"cache_clips ({cfg.cache_clips}) holds {slots(cfg.cache_clips)} windows of your clips "
        f"and {clips} are trained on: {clips - slots(cfg.cache_clips)} of them are left out; "
        f"set cache_clips to {enough} or more"
    )


def render_shard(cfg: TrainConfig, shard: int, footage: Footage | None = None) -> dict:
    """The clips of one shard, before the VAE: frames uint8 (n, T, H, W, 3), known-pixel masks
    and object masks bool (n, T, H, W), captions and tasks. CPU work only. With footage (the
    clips of videos = FOLDER), windows of its training clips, which say nothing of objects."""
    weights = cfg.task_weights or TASK_WEIGHTS
    frames, captions, tasks, knowns, objects = [], [], [], [], []
    first = shard * cfg.cache_shard
    for i in range(first, first + cfg.cache_shard):
        rng = np.random.default_rng([cfg.seed, 7, i])
        if cfg.videos and not world_slot(i, cfg.world_share):
            if footage is None:
                raise ValueError(f"videos = {cfg.videos}: render_shard needs its clips")
            k = footage.train[footage_slot(i, cfg.world_share) % len(footage.train)]
            frames.append(window(footage.clips[k], cfg.frames, cfg.size, rng))
            captions.append(footage.captions[k])
            tasks.append(draw_task(rng, weights))
            objects.append(np.zeros(frames[-1].shape[:3], bool))  # (T, H, W)
            knowns.append(mask_for(tasks[-1], cfg.frames, cfg.size, cfg.size, rng))
            continue
        clip, cap, scenes = world_clips(
            rng,
            1,
            cfg.frames,
            cfg.fps,
            cfg.size,
            cfg.object_weights,
            cfg.characters,
            directional=cfg.directional_share,
            shaped=cfg.shape_share,
        )
        task = draw_task(rng, weights)
        objects.append(object_masks(clip, scenes, cfg.fps, cfg.size)[0])  # (T, H, W)
        frames.append(clip[0])
        captions.append(cap[0])
        tasks.append(task)
        knowns.append(mask_for(task, cfg.frames, cfg.size, cfg.size, rng, objects[-1]))
    return {
        "frames": np.stack(frames),
        "known": np.stack(knowns),
        "objects": np.stack(objects),
        "captions": captions,
        "tasks": tasks,
    }


@torch.no_grad()
def encode_shard(
    cfg: TrainConfig,
    vae,
    text,
    shard: int,
    chunk: int = 16,
    rendered: dict | None = None,
    seconds: dict[str, float] | None = None,
) -> dict:
    """Encode one shard's clips (render_shard's, rendered here unless given) on the VAE's
    device: latents, known latents, latent mask, caption embeddings and object cells.
    seconds, if given, gathers the time spent in the VAE and in the text encoder."""
    r = rendered if rendered is not None else render_shard(cfg, shard)
    seconds = {} if seconds is None else seconds
    spatial = int(vae.config.scale_factor_spatial)
    dev = next(vae.parameters()).device
    out: dict[str, list] = {"latents": [], "cond": [], "mask": [], "text": [], "objects": []}
    for a in range(0, cfg.cache_shard, chunk):
        x = to_tensor(r["frames"][a : a + chunk]).to(dev)  # (n, 3, T, H, W)
        known = torch.from_numpy(r["known"][a : a + chunk]).to(dev)  # (n, T, H, W)
        enc = lambda v: encode_normalised(vae, v)  # noqa: E731
        t0 = time.perf_counter()
        lat = enc(x)  # (n, z, T', h, w)
        cond = torch.empty_like(lat)
        some = known.flatten(1).any(1)  # with nothing known the condition is encode(grey)
        if some.any():
            cond[some] = enc(masked_pixels(x[some], known[some]))
        if not some.all():
            cond[~some] = enc(torch.zeros_like(x[:1]))
        out["latents"].append(lat.half().cpu())
        out["cond"].append(cond.half().cpu())
        t1 = time.perf_counter()
        out["mask"].append(latent_mask(known, spatial).to(torch.uint8).cpu())
        out["text"].append(text(r["captions"][a : a + chunk], cfg.text_tokens).half().cpu())
        t2 = time.perf_counter()
        seconds["vae"] = seconds.get("vae", 0.0) + t1 - t0
        seconds["text"] = seconds.get("text", 0.0) + t2 - t1
        objects = torch.from_numpy(r["objects"][a : a + chunk])
        out["objects"].append(object_cells(objects, spatial))
    tensors = {k: torch.cat(v).contiguous() for k, v in out.items()}
    meta = {"captions": json.dumps(r["captions"]), "tasks": json.dumps(r["tasks"])}
    return {"tensors": tensors, "meta": meta}


def object_cells(masks: torch.Tensor, spatial: int) -> torch.Tensor:
    """Object pixels (B, T, H, W) bool -> latent cells that hold some (B, 1, T', h, w) uint8.

    Latent frame 0 is frame 0; latent frame k covers frames 4k-3 .. 4k (Wan's layout)."""
    m = masks.float()
    b, t, h, w = m.shape
    rest = m[:, 1:].reshape(b, (t - 1) // 4, 4, h, w).amax(2)
    m = torch.cat([m[:, :1], rest], 1)  # (B, T', H, W)
    return F.max_pool2d(m, spatial)[:, None].to(torch.uint8)  # (B, 1, T', h, w)


def build(
    cfg: TrainConfig,
    vae,
    text,
    rank: int = 0,
    world: int = 1,
    progress=None,
    seconds: dict[str, float] | None = None,
    footage: Footage | None = None,
) -> Path:
    """Make sure every shard exists; this process encodes shards rank, rank + world, ...

    With cfg.workers, that many processes render the shards ahead while this one encodes.
    seconds, if given, gets where this process's time went (also saved as build.json).
    footage: the clips of videos = FOLDER, which the key holds the hash of."""
    if cfg.videos and footage is None:
        raise ValueError(f"videos = {cfg.videos}: its cache is built from its clips (footage)")
    folder = folder_of(cfg, latent_hash(vae), footage.sha256 if footage is not None else "")
    folder.mkdir(parents=True, exist_ok=True)
    shards = -(-cfg.cache_clips // cfg.cache_shard)
    path = lambda s: folder / f"shard-{s:05d}.safetensors"  # noqa: E731
    todo = [s for s in range(rank, shards, world) if not path(s).is_file()]
    dev = next(vae.parameters()).device
    rendered = ahead(lambda s: render_shard(cfg, s, footage), todo, cfg.workers)
    # VAE calls are launch-bound on a GPU: beside a training run an H200 took 2.0 s a shard at
    # 16 clips a call, 0.56 s at 64 (tools/device/time_encode.py)
    chunk = 64 if dev.type == "cuda" else 16
    # where the time goes: waiting for rendered shards, the VAE, the text encoder, saving
    seconds = {} if seconds is None else seconds
    seconds |= {"render_wait": 0.0, "vae": 0.0, "text": 0.0, "save": 0.0}
    t0, done = time.perf_counter(), 0
    try:
        for s in todo:
            r = next(rendered)
            seconds["render_wait"] += time.perf_counter() - t0
            data = encode_shard(cfg, vae, text, s, chunk, rendered=r, seconds=seconds)
            t1 = time.perf_counter()
            tmp = path(s).with_suffix(".tmp")
            save_file(data["tensors"], tmp, metadata=data["meta"])
            os.replace(tmp, path(s))
            t0 = time.perf_counter()
            seconds["save"] += t0 - t1
            done += 1
            if progress:
                progress((s + 1) * cfg.cache_shard)
    finally:  # also when stopped part-way (a time-boxed build on a lent GPU)
        if done and rank == 0:
            rec = {"shards": done, "of": len(todo), "workers": cfg.workers, "device": str(dev)}
            rec |= {f"{k}_s": round(v, 1) for k, v in seconds.items()}
            (folder / "build.json").write_text(json.dumps(rec) + "\n")
    if progress:
        progress(shards * cfg.cache_shard)
    return folder


def earlier(run: str | Path, latents: str, like: TrainConfig) -> Path:
    """The complete cache an earlier transformer run built on the same latents (its encoder
    hash is `latents`), checked to hold clips shaped as `like`'s: no clip is encoded twice."""
    path = Path(run) / "config.json"
    if not path.is_file():
        raise ValueError(f"more_caches: {run} is not a run folder (no config.json)")
    names = {f.name for f in fields(TrainConfig)}
    other = TrainConfig(**{k: v for k, v in json.loads(path.read_text()).items() if k in names})
    for f in ("frames", "size", "text_tokens"):
        theirs, ours = getattr(other, f), getattr(like, f)
        if theirs != ours:
            raise ValueError(f"more_caches: {run} has {f} {theirs}, this run {ours}")
    data = ""
    if other.videos:  # the content hash its clips had, as the run recorded it
        try:
            data = str(json.loads((Path(run) / "videos.json").read_text())["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            raise ValueError(
                f"more_caches: {run} trained on videos = {other.videos}, and its videos.json, "
                "which says which clips its cache holds, is missing or damaged"
            ) from None
    folder = Path(run) / "cache" / cache_key(other, latents, data)
    shards = -(-other.cache_clips // other.cache_shard)
    if len(list(folder.glob("shard-*.safetensors"))) < shards:
        raise ValueError(
            f"more_caches: {run} has no complete cache for this VAE's encoder "
            "(it was encoded by another VAE, or its build did not finish)"
        )
    return folder


def shards(folder: Path) -> list[Path]:
    """The complete shards in a cache folder, in order (a shard being written is a .tmp)."""
    return sorted(folder.glob("shard-*.safetensors"))


def load(folder: Path) -> tuple[dict[str, torch.Tensor], list[str], list[str]]:
    """All shards of a cache, concatenated: tensors, captions, tasks."""
    return load_shards(shards(folder))


def load_shards(paths: list[Path]) -> tuple[dict[str, torch.Tensor], list[str], list[str]]:
    """These shards, concatenated: tensors, captions, tasks."""
    from safetensors import safe_open

    parts: dict[str, list[torch.Tensor]] = {}
    captions: list[str] = []
    tasks: list[str] = []
    for path in paths:
        for k, v in load_file(path).items():
            parts.setdefault(k, []).append(v)
        with safe_open(path, "pt") as f:
            meta = f.metadata()
        captions += json.loads(meta["captions"])
        tasks += json.loads(meta["tasks"])
    return {k: torch.cat(v) for k, v in parts.items()}, captions, tasks
