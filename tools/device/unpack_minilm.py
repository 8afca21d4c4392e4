"""Rebuild a full fp32 MiniLM folder (unused token rows zero) from prune_minilm.py's pack.

python tools/device/unpack_minilm.py .gpu/minilm /tmp/minilm
"""

import shutil
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

pack, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
w = {k: v.float() for k, v in load_file(pack / "layers.safetensors").items()}
r = load_file(pack / "rows.safetensors")
with safe_open(pack / "rows.safetensors", "pt") as f:
    key = f.metadata()["key"]
emb = torch.zeros(30522, r["rows"].shape[1])  # (vocab, 384)
emb[r["ids"]] = r["rows"].float()
w[key] = emb
save_file(w, out / "model.safetensors", metadata={"format": "pt"})
for f in pack.iterdir():
    if f.is_file() and f.name not in ("layers.safetensors", "rows.safetensors"):
        shutil.copy(f, out / f.name)
