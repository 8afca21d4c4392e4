"""Spacetime: generative video on spacetime patches, CPU first.

Usage: ``Pipeline.load().generate("a red circle moving left", seed=1)`` gives a Video.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Pipeline", "__version__"]


def __getattr__(name: str) -> Any:  # torch is imported only when the pipeline is asked for
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    raise AttributeError(f"module 'spacetime' has no attribute {name!r}")
