"""The procedural world: scene specs, renderer, captioner, parser and analyser."""

from .analyse import Analysis, Track, analyse
from .motion import layout
from .render import render
from .spec import ObjectSpec, SceneSpec

__all__ = ["Analysis", "ObjectSpec", "SceneSpec", "Track", "analyse", "layout", "render"]
