"""Training configuration: one flat dataclass, read from a TOML file (nanoGPT style)."""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..conditioning import TASKS
from ..io.video import MAX_FPS, MIN_FPS
from ..models import SHIPPED, shipped_folder
from ..world.spec import MAX_OBJECTS


@dataclass
class TrainConfig:
    stage: str = "transformer"  # "vae" or "transformer"
    out: str = "runs/model"  # run folder: checkpoints, log.jsonl, previews/ (a VAE's: runs/vae)
    # optimisation
    steps: int = 1000
    batch: int = 8  # per process
    lr: float = 1e-3
    warmup: int = 100
    min_lr_ratio: float = 0.1  # cosine decay to lr * min_lr_ratio at the last step
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    ema: float = 0.999  # 0 turns EMA off
    seed: int = 0
    init: str = ""  # a model folder to start from (continued training); "" = random weights
    precision: str = "fp32"  # "fp32", "bf16" (autocast) or "auto": bf16 on CUDA and AMX CPUs
    compile: bool = False  # torch.compile the trained model (a few minutes once, then faster)
    # bookkeeping
    log_every: int = 10
    save_every: int = 200
    preview_every: int = 500
    keep: int = 2  # checkpoints kept on disk
    # data: the procedural world, rendered on the fly, or your own clips
    videos: str = ""  # a folder of clips and their captions.jsonl (train/footage.py); "" = world
    world_share: float = 0.0  # with videos: this share of clips from the world instead
    frames: int = 17
    fps: float = 8.0
    size: int = 64
    object_weights: list[float] = field(default_factory=lambda: [0.5, 0.3, 0.2])  # 1, 2, 3
    characters: bool = True
    directional_share: float = 0.0  # share of clips: one plain object moving one of 8 ways
    shape_share: float = 0.0  # share of clips: one plain medium or large object, still camera
    workers: int = 0  # processes rendering clips ahead (VAE batches, cache shards); 0 = none
    # vae stage
    vae_base_dim: int = 8
    vae_z_dim: int = 16
    vae_dim_mult: list[int] = field(default_factory=lambda: [1, 2, 2])
    vae_res_blocks: int = 1
    vae_residual: bool = True  # Wan 2.2 style: parameter-free shortcuts around resampling
    kl_weight: float = 1e-6
    crop: int = 0  # VAE stage: train on random crop x crop windows of the frames (0 = whole)
    freeze_encoder: bool = False  # VAE stage: train the decoder only; latents stay as they are
    object_weight: float = 0.0  # extra loss weight where objects are (pixels; latent cells)
    # transformer stage
    vae: str = ""  # model folder or run folder whose VAE the transformer is trained on
    layers: int = 6
    heads: int = 6
    head_dim: int = 32
    ffn_dim: int = 768
    patch: list[int] = field(default_factory=lambda: [1, 2, 2])
    text_tokens: int = 48
    cache_clips: int = 4096  # clips encoded once into the latent cache
    cache_shard: int = 256  # clips per cache file
    more_caches: list[str] = field(default_factory=list)  # earlier runs whose caches join this one
    # train on the shards already in this run's cache while another process (a build of the
    # same config) writes more, taking new ones in at each checkpoint: for a lent GPU, whose
    # time the build would otherwise take. Batches then depend on when shards land.
    cache_grow: bool = False
    task_weights: dict[str, float] = field(default_factory=dict)  # see conditioning.TASK_WEIGHTS
    # task shares of training batches across all caches, whatever each cache holds ({} = draw
    # clips uniformly); a task's clips are drawn uniformly within its share
    batch_tasks: dict[str, float] = field(default_factory=dict)
    text_dropout: float = 0.1  # share of captions replaced by "" (for guidance)
    shift: float = 3.0  # sigma shift of the flow-matching schedule
    high_t_share: float = 0.0  # share of samples whose t is uniform in [high_t_min, 1] instead
    high_t_min: float = 0.9
    sample_steps: int = 20  # for previews
    guidance: float = 4.0
    guidance_stop: float = 1.0  # share of the sampling steps (the first) that are guided

    @classmethod
    def from_toml(cls, path: str | Path, **overrides: Any) -> TrainConfig:
        """Read a config; an unknown key is an error, so a typo never goes unnoticed."""
        path = Path(path)
        if path.is_dir():
            raise ValueError(f"{path} is a folder: give the training config, a .toml file")
        if not path.is_file():
            raise FileNotFoundError(2, "no such config", str(path))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ValueError(f"{path}: not valid TOML: {e}") from None
        except UnicodeDecodeError as e:
            raise ValueError(f"{path}: not UTF-8 text (byte {e.start}); a config is TOML") from None
        flat: dict[str, Any] = {}
        for key, value in data.items():  # sections are for readers only
            part = value if isinstance(value, dict) else {key: value}
            if key in ("task_weights", "batch_tasks"):
                part = {key: value}
            elif isinstance(value, dict) and key not in SECTIONS:
                raise ValueError(
                    f"{path}: unknown section or table {key}; the sections are "
                    f"{', '.join(SECTIONS)}, and task_weights and batch_tasks the tables"
                )
            twice = sorted(set(part) & set(flat))
            if twice:
                raise ValueError(f"{path}: {', '.join(twice)} set twice; keep one")
            flat.update(part)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(flat) - known)
        if unknown:
            raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}")
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"--set: unknown key(s) {', '.join(unknown)}")
        flat.update(overrides)
        defaults = cls()
        for key, value in flat.items():
            want = type(getattr(defaults, key))
            ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
            if not (ok or (want is float and type(value) is int)):
                where = "--set" if key in overrides else str(path)  # where the value came from
                raise ValueError(f"{where}: {key} must be of type {want.__name__}, got {value!r}")
        if "out" not in flat and flat.get("stage") == "vae":  # not the transformer's default
            flat["out"] = "runs/vae"
        for key in ("vae", "init"):  # the model inside the package, by its name
            if flat.get(key) == SHIPPED and not Path(SHIPPED).exists():
                flat[key] = str(shipped_folder())
        cfg = cls(**flat)
        cfg.validate()
        world = sorted(set(flat) & WORLD_ONLY)
        if cfg.videos and world and not cfg.world_share:  # a videos folder replaces the world
            raise ValueError(
                f"{', '.join(world)} only shape{'s' if len(world) == 1 else ''} the procedural "
                f"world's clips, and videos = "
                f"{cfg.videos} replaces them; remove them, or set world_share to mix world "
                "clips in"
            )
        stray = sorted(set(flat) & ONLY_FOR[_other(cfg.stage)])
        if stray:  # silently unused: a config meant for the other stage, or a slip
            raise ValueError(
                f"{', '.join(stray)} only apply to a {_other(cfg.stage)} stage, and this is a "
                f'{cfg.stage} one; remove them, or set stage = "{_other(cfg.stage)}"'
            )
        return cfg

    def validate(self) -> None:
        """Refuse what would train a broken model or fail later, before any work."""
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float) and not math.isfinite(v):
                raise ValueError(f"{f.name} must be a finite number, got {v}")
        for name in POSITIVE:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in NOT_NEGATIVE:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        ranges = (  # (name, ok, what it must be)
            ("lr", self.lr >= 0, "0 or more"),
            ("ema", 0 <= self.ema < 1, "from 0 to under 1"),
            ("text_dropout", 0 <= self.text_dropout <= 1, "from 0 to 1"),
            ("guidance", self.guidance >= 1, "1 or more"),
            ("guidance_stop", 0 <= self.guidance_stop <= 1, "from 0 to 1"),
            ("shift", self.shift > 0, "above 0"),
        )
        for name, ok, want in ranges:
            if not ok:
                raise ValueError(f"{name} must be {want}, got {getattr(self, name)}")
        if not MIN_FPS <= self.fps <= MAX_FPS:
            raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {self.fps}")
        if not 16 <= self.size <= 1024 or self.size % 8:
            raise ValueError(f"size must be a multiple of 8 from 16 to 1024, got {self.size}")
        lists = {
            "object_weights": self.object_weights,
            "vae_dim_mult": self.vae_dim_mult,
            "patch": self.patch,
        }
        for name, values in lists.items():
            if not values or any(not isinstance(x, int | float) or x < 0 for x in values):
                raise ValueError(f"{name} must be a list of numbers, 0 or more, not {values}")
            whole = name != "object_weights"
            if whole and any(not isinstance(x, int) or isinstance(x, bool) for x in values):
                raise ValueError(f"{name} must be a list of whole numbers, not {values}")
        if sum(self.object_weights) <= 0:
            raise ValueError(f"object_weights must not be all 0, got {self.object_weights}")
        if len(self.object_weights) > MAX_OBJECTS:  # the world lays out 1 to 3 objects
            raise ValueError(
                f"object_weights has at most {MAX_OBJECTS} entries (clips of 1 to "
                f"{MAX_OBJECTS} objects), got {self.object_weights}"
            )
        if min(self.vae_dim_mult) < 1:
            raise ValueError(f"vae_dim_mult must be at least 1 each, got {self.vae_dim_mult}")
        if len(self.patch) != 3 or min(self.patch) < 1:
            raise ValueError(
                f"patch must be three sizes of 1 or more (frames, height, width), got {self.patch}"
            )
        self._check_shapes()
        if self.stage not in ("vae", "transformer"):
            raise ValueError(f"stage must be 'vae' or 'transformer', got {self.stage!r}")
        if self.frames < 1 or (self.frames - 1) % 4:
            raise ValueError(f"frames must be 4k+1 (5, 9, 17, ...), got {self.frames}")
        if self.crop and not (8 <= self.crop <= self.size and self.size % self.crop == 0):
            raise ValueError(f"crop must divide size ({self.size}) and be >= 8, got {self.crop}")
        if self.precision not in ("fp32", "bf16", "auto"):
            raise ValueError(f"precision must be fp32, bf16 or auto, got {self.precision!r}")
        if self.workers < 0:
            raise ValueError(f"workers must be 0 or more, got {self.workers}")
        if min(self.directional_share, self.shape_share) < 0:
            raise ValueError("directional_share and shape_share must be 0 or more")
        if self.directional_share + self.shape_share > 1:
            raise ValueError("directional_share and shape_share must add up to 1 at most")
        if not (0 <= self.high_t_share <= 1 and 0 <= self.high_t_min < 1):
            raise ValueError("high_t_share must be in [0, 1] and high_t_min in [0, 1)")
        if not 0 <= self.world_share < 1:
            raise ValueError(f"world_share must be from 0 to under 1, got {self.world_share}")
        if self.world_share and not self.videos:
            raise ValueError("world_share mixes world clips into videos = FOLDER; set videos")
        if self.videos and self.object_weight > 0:
            raise ValueError(
                "object_weight needs to know where objects are, which only world clips say; "
                "set it to 0 with videos"
            )
        if self.freeze_encoder and not (self.stage == "vae" and self.init):
            raise ValueError("freeze_encoder needs a vae stage with init = a trained VAE")
        for name in ("task_weights", "batch_tasks"):
            weights = getattr(self, name)
            unknown = ", ".join(sorted(set(weights) - set(TASKS)))
            if unknown:
                known = ", ".join(TASKS)
                raise ValueError(f"unknown task(s) {unknown} in {name}; known: {known}")
            if any(not isinstance(w, int | float) or isinstance(w, bool) for w in weights.values()):
                raise ValueError(f"{name} must map task names to numbers, got {weights}")
            if weights and (min(weights.values()) < 0 or sum(weights.values()) <= 0):
                raise ValueError(f"{name} must be 0 or more, and not all 0")
        if (self.more_caches or self.cache_grow) and self.stage != "transformer":
            raise ValueError("more_caches and cache_grow are for a transformer stage")
        if self.stage == "transformer" and not self.vae:
            raise ValueError(
                'a transformer stage (the default; stage = "vae" trains the VAE) needs '
                "vae = a folder holding the trained VAE"
            )

    def _check_shapes(self) -> None:
        """What the models themselves would refuse with a traceback, said in the config's terms."""
        mult, spatial = self.vae_dim_mult, 2 ** (len(self.vae_dim_mult) - 1)
        if len(mult) < 3:  # the two 2x steps in time come with the last two levels
            raise ValueError(f"vae_dim_mult needs 3 levels or more (4x in time), got {mult}")
        if self.vae_residual and mult[-1] != mult[-2]:
            raise ValueError(f"vae_residual needs the last two vae_dim_mult equal, got {mult}")
        if self.size % spatial:
            raise ValueError(
                f"vae_dim_mult {mult} shrinks a side {spatial}x: size ({self.size}) must be a "
                f"multiple of {spatial}"
            )
        if self.head_dim % 2:  # rotary positions take pairs of channels
            raise ValueError(f"head_dim must be even, got {self.head_dim}")
        if self.text_tokens > MAX_TEXT_TOKENS:
            raise ValueError(
                f"text_tokens must be {MAX_TEXT_TOKENS} at most (MiniLM's limit), "
                f"got {self.text_tokens}"
            )

    def check_paths(self) -> None:
        """Refuse a folder named in the config that is not there, before any work."""
        named = {
            "init": [self.init],
            "vae": [self.vae],
            "more_caches": self.more_caches,
            "videos": [self.videos],
        }
        for key, paths in named.items():
            for path in paths:
                if path and not Path(path).exists():
                    raise ValueError(f"{key}: no such folder {path}")
        if self.videos:  # its list and files, before a run folder is made
            from .footage import read_list

            read_list(Path(self.videos))

    def init_weights(self) -> Path:
        """The weights `init` names: the stage's part (vae/ or transformer/) of a model folder,
        or of a run folder's model/. ValueError if there are none."""
        from ..models.folder import WEIGHTS

        part = "vae" if self.stage == "vae" else "transformer"
        for folder in (Path(self.init), Path(self.init) / "model"):
            if (folder / part / WEIGHTS).is_file():
                return folder / part / WEIGHTS
        raise ValueError(
            f"init = {self.init} holds no {part} weights ({part}/{WEIGHTS}); give a model "
            f"folder, or the run folder of a {self.stage} stage"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ONLY_FOR = {  # the keys one stage reads and the other ignores
    "vae": frozenset(
        {"vae_base_dim", "vae_z_dim", "vae_dim_mult", "vae_res_blocks", "vae_residual",
         "kl_weight", "crop", "freeze_encoder"}
    ),
    "transformer": frozenset(
        {"layers", "heads", "head_dim", "ffn_dim", "patch", "text_tokens", "cache_clips",
         "cache_shard", "more_caches", "cache_grow", "task_weights", "batch_tasks",
         "text_dropout", "shift", "high_t_share", "high_t_min", "sample_steps", "guidance",
         "guidance_stop", "directional_share", "shape_share"}
    ),
}  # fmt: skip


def _other(stage: str) -> str:
    return "transformer" if stage == "vae" else "vae"


TEXT_KEYS = frozenset(f.name for f in fields(TrainConfig) if f.type == "str")
WORLD_ONLY = frozenset({"object_weights", "characters", "directional_share", "shape_share"})

MAX_TEXT_TOKENS = 512  # the text encoder's (all-MiniLM-L6-v2) positions

SECTIONS = ("bookkeeping", "cache", "data", "optim", "sampling", "transformer", "vae")

POSITIVE = (  # counts and sizes that must be 1 or more
    "steps", "batch", "log_every", "save_every", "preview_every", "keep", "vae_base_dim",
    "vae_z_dim", "vae_res_blocks", "layers", "heads", "head_dim", "ffn_dim", "text_tokens",
    "cache_clips", "cache_shard", "sample_steps",
)  # fmt: skip
NOT_NEGATIVE = (
    "warmup", "seed", "min_lr_ratio", "weight_decay", "grad_clip", "kl_weight", "crop",
    "object_weight", "workers",
)  # fmt: skip


def parse_setting(text: str) -> tuple[str, Any]:
    """'key=value' with value read as TOML ('lr=2e-3', 'vae_dim_mult=[1, 4, 4]'), or as a
    plain string where it is not TOML ('init=runs/vae/model') or the key takes a string
    (a folder named 2024-05-01 or 1080, not a date or a number)."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"--set takes key=value (e.g. --set lr=2e-3), got {text!r}")
    if key in TEXT_KEYS and not value.strip().startswith(('"', "'")):
        if not value.strip():
            raise ValueError(
                f"--set {key}= is empty (an unset shell variable?); give a value, or "
                f"""--set '{key}=""' to clear it"""
            )
        return key, value.strip()
    try:
        return key, tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return key, value.strip()
