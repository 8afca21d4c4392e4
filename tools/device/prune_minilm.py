"""Pack MiniLM small enough to travel to the device (64 MiB a call): fp16 weights, and only
the word-embedding rows of tokens the world's captions use (1583 of 30522).

    python tools/device/prune_minilm.py .gpu/minilm      # 23 MB; unpack_minilm.py rebuilds it
"""

import re
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoTokenizer

from spacetime.models.text import minilm_path
from spacetime.world.caption import caption
from spacetime.world.sample import sample_scene

src, out = minilm_path(), Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
tok = AutoTokenizer.from_pretrained(src)
texts = [""]
rng = np.random.default_rng(0)
for i in range(4000):  # captions as training and the eval suites draw them
    held_out = ("exclude", "only", "any")[i % 3]
    scene = sample_scene(rng, 2.0, objects=1 + i % 3, characters=bool(i % 2), held_out=held_out)
    texts.append(caption(scene, rng))
for f in Path("src/spacetime/world").glob("*.py"):  # and every word the world's code spells
    texts += sorted(set(re.findall(r"[A-Za-z][A-Za-z'-]*", f.read_text())))
ids: set[int] = set(tok.all_special_ids)
for i in range(0, len(texts), 1000):
    for row in tok(texts[i : i + 1000])["input_ids"]:
        ids |= set(row)
keep = torch.tensor(sorted(ids))
w = load_file(src / "model.safetensors")
key = next(k for k in w if k.endswith("word_embeddings.weight"))
rows = w.pop(key)[keep].half()
save_file({k: v.half().contiguous() for k, v in w.items()}, out / "layers.safetensors")
save_file({"ids": keep, "rows": rows}, out / "rows.safetensors", metadata={"key": key})
for f in src.iterdir():
    if f.is_file() and f.name != "model.safetensors":
        shutil.copy(f, out / f.name)
print(len(keep), "token rows kept")
