"""Which open model a folder holds, and which of our tasks it can do.

A folder's family is read from its `model_index.json` (the pipeline class it was saved
with) and, where one class serves two kinds of checkpoint, from its transformer's config.
`SUPPORT` is the table in the README; the tests run every task it claims.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TASKS = (
    "generate",
    "animate",
    "extend",
    "interpolate",
    "morph",
    "inpaint",
    "outpaint",
    "cinemagraph",
    "stylize",
    "reference",
)
# The task names Pipeline.generate is called with, as named in the table.
TASK_OF = {"text": "generate", "extend_back": "extend"}


@dataclass(frozen=True)
class Family:
    key: str
    name: str  # as the README's table names it
    tasks: tuple[str, ...]
    frame_step: int  # frames = frame_step * k + 1
    multiple: int  # height and width are multiples of this
    frames: int  # the defaults a checkpoint of the family was trained for
    height: int
    width: int
    fps: float
    steps: int
    guidance: float

    def can(self, task: str) -> bool:
        return TASK_OF.get(task, task) in self.tasks


FAMILIES = {
    f.key: f
    for f in (
        Family("spacetime", "Spacetime", TASKS, 4, 16, 17, 64, 64, 8.0, 20, 4.0),
        Family(
            "wan-t2v",
            "Wan 2.1/2.2 T2V",
            ("generate", "stylize"),
            4,
            16,
            81,
            480,
            832,
            16.0,
            50,
            5.0,
        ),
        Family("wan-i2v", "Wan 2.1/2.2 I2V", ("animate",), 4, 16, 81, 480, 832, 16.0, 50, 5.0),
        Family(
            "wan-flf2v",
            "Wan 2.1 FLF2V",
            ("interpolate", "morph"),
            4,
            16,
            81,
            720,
            1280,
            16.0,
            50,
            5.5,
        ),
        Family(
            "wan-vace",
            "Wan VACE",
            (
                "generate",
                "animate",
                "extend",
                "interpolate",
                "morph",
                "inpaint",
                "outpaint",
                "cinemagraph",
                "reference",
            ),
            4,
            16,
            81,
            480,
            832,
            16.0,
            50,
            5.0,
        ),
        Family(
            "ltx",
            "LTX-Video",
            ("generate", "animate", "extend", "interpolate", "morph"),
            8,
            32,
            121,
            512,
            704,
            24.0,
            50,
            3.0,
        ),
        Family(
            "cogvideox-t2v",
            "CogVideoX T2V",
            ("generate", "stylize"),
            4,
            16,
            49,
            480,
            720,
            8.0,
            50,
            6.0,
        ),
        Family("cogvideox-i2v", "CogVideoX I2V", ("animate",), 4, 16, 49, 480, 720, 8.0, 50, 6.0),
    )
}
CLASSES = {
    "WanPipeline": "wan-t2v",
    "WanImageToVideoPipeline": "wan-i2v",  # or wan-flf2v, or ours: see detect()
    "WanVACEPipeline": "wan-vace",
    "LTXPipeline": "ltx",
    "LTXImageToVideoPipeline": "ltx",
    "LTXConditionPipeline": "ltx",
    "CogVideoXPipeline": "cogvideox-t2v",
    "CogVideoXImageToVideoPipeline": "cogvideox-i2v",
}


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{path} is corrupt (not JSON); download it again") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} is corrupt (not a JSON object); download it again")
    return data


def detect(folder: Path) -> Family:
    """The family of a diffusers model folder; ValueError with one line if it has none."""
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} is a file: --model takes a model folder")
    if not folder.is_dir():
        raise FileNotFoundError(2, "no such model folder", str(folder))
    index = folder / "model_index.json"
    if not index.is_file():
        if (folder / "model" / "model_index.json").is_file():  # a run of spacetime train
            raise ValueError(f"{folder} is a training run: its model is {folder / 'model'}")
        vae_alone = [p.name for p in folder.iterdir() if p.is_dir()] == ["vae"]
        if vae_alone and (folder / "vae" / "config.json").is_file():  # a VAE run's export
            raise ValueError(
                f"{folder} holds a VAE alone (a VAE run's export): train a transformer on it "
                "(vae = that folder) for a model that makes videos"
            )
        raise ValueError(
            f"{folder} has no model_index.json: point --model at a model folder in "
            "diffusers format (the folder that holds model_index.json)"
        )
    data = read_json(index)
    cls = data.get("_class_name", "")
    text = data.get("text_encoder") or [None, None]
    if (folder / "spacetime.json").is_file() or (cls, text[-1]) == (
        "WanImageToVideoPipeline",
        "BertModel",  # ours: the packaged MiniLM, not UMT5
    ):
        return FAMILIES["spacetime"]
    if cls not in CLASSES:
        names = ", ".join(f.name for f in FAMILIES.values())
        raise ValueError(
            f"{folder} holds an unknown model family ({cls!r}); Spacetime loads {names}"
        )
    key = CLASSES[cls]
    if key == "wan-i2v":
        tr = folder / "transformer" / "config.json"
        if tr.is_file() and read_json(tr).get("pos_embed_seq_len"):
            key = "wan-flf2v"  # the CLIP tokens of a first and a last frame
    return FAMILIES[key]


def refusal(family: Family, task: str) -> str:
    """One line: this family can't do task, and which families can."""
    task = TASK_OF.get(task, task)
    can = [f.name for f in FAMILIES.values() if task in f.tasks and f.key != "spacetime"]
    return f"{family.name} can't {task}; a folder of {', '.join(can)} or Spacetime can"


def table() -> str:
    """The README's support table (family x task), as markdown."""
    head = "| family | " + " | ".join(TASKS) + " |"
    rule = "|---|" + "---|" * len(TASKS)
    rows = [
        f"| {f.name} | " + " | ".join("yes" if t in f.tasks else "" for t in TASKS) + " |"
        for f in FAMILIES.values()
    ]
    return "\n".join([head, rule, *rows])
