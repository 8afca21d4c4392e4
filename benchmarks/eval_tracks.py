"""What motions the analyser read in a `spacetime eval` report's clips, over all prompts.

    python benchmarks/eval_tracks.py docs/eval/model-longer [docs/eval/vae-objects-full ...]

Per report: the tracks found per clip and the share of tracks per motion class. A model whose
objects wobble shows many "bounce" tracks (a turn of more than 0.05 world units in x or y);
one with stray blobs shows more tracks than the prompts have objects. Reads report.json only.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path


def motions(report: Path) -> tuple[int, collections.Counter]:
    results = json.loads((report / "report.json").read_text())["results"]
    seen = collections.Counter(m for r in results for m in re.findall(r"motion: (\w+)", r["found"]))
    return len(results), seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reports", type=Path, nargs="+", help="folders holding report.json")
    args = ap.parse_args()
    for folder in args.reports:
        clips, seen = motions(folder)
        n = sum(seen.values())
        top = ", ".join(f"{m} {k / n:.0%}" for m, k in seen.most_common(5))
        bounce = seen["bounce"] / n
        print(f"{folder}: {clips} clips, {n / clips:.2f} tracks a clip, bounce {bounce:.0%}; {top}")


if __name__ == "__main__":
    main()
