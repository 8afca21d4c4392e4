"""What made a result, for every recipe: spacetime's version, a hash of its source and
torch's version. Remake does not compare them as settings; it names them when a result
comes out otherwise, as the likely reason."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from . import __version__

MADE_BY = ("spacetime", "code", "torch")  # the recipe keys made_by writes


@cache
def code_hash() -> str:
    """A short hash of this package's Python source: two installs with the same hash run
    the same spacetime code, whatever its version says."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def made_by() -> dict[str, str]:
    """The recipe's record of what made it."""
    try:
        torch = version("torch")
    except PackageNotFoundError:  # the world renderer runs without it
        torch = "none"
    return {"spacetime": __version__, "code": code_hash(), "torch": torch}


def changed(then: dict[str, Any], now: dict[str, Any]) -> str | None:
    """One line on how what made `then` differs from what made `now`, or None."""
    if "code" not in then:
        return (
            f"it was made by spacetime {then.get('spacetime', '?')} before recipes recorded "
            "its code, which may have changed since"
        )
    diff = [k for k in MADE_BY if then.get(k) != now.get(k)]
    if not diff:
        return None
    said = ", ".join(f"{k} {then.get(k)} then, {now.get(k)} now" for k in diff)
    return f"it was made by other code ({said})"
