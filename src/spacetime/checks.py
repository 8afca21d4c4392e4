"""Checks of a verb's options, made before a model is loaded where they can be: each raises
a ValueError whose message says what to give instead."""

from __future__ import annotations

import math
import secrets
from numbers import Integral, Real
from typing import Any

import numpy as np

from .io.video import MAX_FPS, MIN_FPS

MAX_STEPS = 1000  # sampling steps: Wan's default is 50, ours 20
MAX_SECONDS = 3600.0  # the longest extension or transition asked for at once
LOAD_DEFAULTS = ("frames", "height", "width", "fps", "steps", "guidance")  # Pipeline.load(**)
EMPTY_MASK = "the mask is empty: mark the pixels to repaint in white (over mid-grey)"


def check_mask(mask: np.ndarray, t: int, h: int, w: int) -> None:
    """A mask (H, W) or (T, H, W) must match its video of t frames of h x w, and mark some
    pixels."""
    check_mask_shape(mask.shape, t, h, w)
    if not mask.any():
        raise ValueError(EMPTY_MASK)


def check_mask_shape(shape: tuple[int, ...], t: int, h: int, w: int) -> None:
    """A mask's shape, (H, W) or (T, H, W), must be its video's: t frames of h x w."""
    if shape != ((h, w) if len(shape) == 2 else (t, h, w)):
        size = f"{shape[-1]}x{shape[-2]}"
        said = size if len(shape) == 2 else f"{size} with {shape[0]} frames"
        colour = len(shape) == 3 and shape[:2] == (h, w) and shape[2] in (3, 4)
        why = "; a coloured (H, W, 3) mask reads as frames: give it grey or bool" if colour else ""
        raise ValueError(
            f"the mask is {said} but the video is {w}x{h} with {t} frames; make them match{why}"
        )


def seed_or_fresh(seed: Any) -> Any:
    """seed, or for None a fresh random one: the recipe records it, so the result can be
    made again."""
    return secrets.randbelow(2**31) if seed is None else seed


def check_options(
    prompt: str,
    *,
    known: bool = False,
    steps: Any = None,
    guidance: Any = None,
    guidance_stop: Any = None,
    frames: Any = None,
    fps: Any = None,
    seed: Any = 0,
    start: Any = None,
    **_: Any,
) -> None:
    """Refuse options no model could use, before one is loaded (None: not given, the
    model's default); raises ValueError. known: pixels are given, so the prompt may be empty.
    What depends on the model (frames 4k+1, size multiples) `Verbs.settings` checks."""
    if not isinstance(prompt, str):
        raise ValueError(f"the prompt must be text, got {type(prompt).__name__}")
    if not prompt.strip() and not known:
        raise ValueError("the prompt is empty: say what to show, e.g. 'a red circle moving'")
    for name, value in (("steps", steps), ("frames", frames), ("seed", seed)):
        if value is not None:
            check_number(name, value, whole=True)
    numbers = (("guidance", guidance), ("guidance_stop", guidance_stop), ("fps", fps))
    for name, value in (*numbers, ("start", start)):
        if value is not None:
            check_number(name, value)
    if frames is not None and frames < 1:
        raise ValueError(f"frames must be 1 or more, got {frames}")
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be from 1 to {MAX_STEPS}, got {steps}")
    if guidance is not None and not (math.isfinite(guidance) and guidance >= 1.0):
        raise ValueError(f"guidance must be a number, 1 or more (1 = off), got {guidance}")
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be from 0 to 2**63 - 1, got {seed}")
    if guidance_stop is not None and not 0.0 <= guidance_stop <= 1.0:
        raise ValueError(f"--guidance-stop must be in [0, 1], got {guidance_stop}")
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:  # also false for nan
        raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    if start is not None and not 0.0 < start <= 1.0:
        raise ValueError(f"--start must be in (0, 1] (1: from noise), got {start}")


def check_number(name: str, value: Any, whole: bool = False) -> None:
    """A Python caller's option must be a number (whole: an integer), not text or None."""
    kind = Integral if whole else Real
    if not isinstance(value, kind) or isinstance(value, bool):
        wanted = "a whole number" if whole else "a number"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")


def check_seconds(seconds: float) -> None:
    """An extension's or transition's length: more than 0 s and at most MAX_SECONDS."""
    check_number("seconds", seconds)
    if not 0 < seconds <= MAX_SECONDS:  # also false for nan
        raise ValueError(
            f"--seconds must be more than 0 and at most {MAX_SECONDS:g}, got {seconds}"
        )


def check_raised_rate(fps: float, factor: int) -> None:
    """interpolate's input rate, and the rate factor times it, within a clip's."""
    if not MIN_FPS <= fps <= MAX_FPS:
        raise ValueError(f"the input's fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")
    if fps * factor > MAX_FPS:
        raise ValueError(
            f"the result would play at {fps:g} x {factor} = {fps * factor:g} fps, over the "
            f"{MAX_FPS:g} a video may have; lower --factor or --fps"
        )


def check_length(frames: int | None, made: dict[str, Any]) -> None:
    """A clip of frames: past the model's window (made: its {frames, fps}) it is extended
    window by window, at most MAX_SECONDS at the model's rate."""
    most = int(made["frames"]) + int(MAX_SECONDS * float(made["fps"]))
    if frames is not None and frames > most:
        raise ValueError(
            f"--frames must be at most {most} (an hour at the model's {float(made['fps']):g} "
            f"fps), got {frames}"
        )


def check_factor(factor: int, window: int) -> None:
    """interpolate's factor: 2 or more, and whole gaps fit a window of window frames."""
    check_number("factor", factor, whole=True)
    if factor < 2 or (window - 1) % factor:
        ok = [k for k in range(2, window) if (window - 1) % k == 0]
        raise ValueError(f"--factor must be one of {ok} for this model, got {factor}")


def transition_frames(seconds: float, fps: float) -> int:
    """The frames of a morph of seconds at fps: 3 or more (both ends and one between)."""
    check_seconds(seconds)
    want = round(seconds * fps) + 1
    if want < 3:
        raise ValueError(
            f"--seconds must be {2 / fps:g} or more for a transition (3 frames at "
            f"{fps:g} fps), got {seconds:g}"
        )
    return want


def check_what_moves(region: bool, point: Any, to: Any) -> None:
    """A cinemagraph's moving part: a region (region: one is given) or a point, and --to only
    with a point."""
    if to is not None and point is None:
        raise ValueError("--to drags a --point; give --point X,Y too")
    if region == (point is not None):
        raise ValueError("say what moves: exactly one of a point (--point X,Y) or --mask")


def check_xy(name: str, xy: Any) -> None:
    """A Python caller's point: two whole numbers (x, y), or None."""
    whole = isinstance(xy, tuple | list) and all(
        isinstance(v, Integral) and not isinstance(v, bool) for v in xy
    )
    if xy is not None and not (whole and len(xy) == 2):
        raise ValueError(f"{name} must be two whole numbers (x, y) in pixels, got {xy!r}")


def check_smooth(smooth: float) -> None:
    """morph's smoothing over time: a sigma of 0 frames (off) or more."""
    check_number("smooth", smooth)
    if not smooth >= 0:  # also false for nan
        raise ValueError(f"--smooth must be 0 or more frames, got {smooth:g}")


def check_strength(strength: float) -> None:
    """stylize's strength: how far the clip is noised, in (0, 1]."""
    check_number("strength", strength)
    if not 0.0 < strength <= 1.0:  # also false for nan
        raise ValueError(f"--strength must be in (0, 1], got {strength}")


def check_shape(frames: int | None, sides: tuple[int, ...], step: int, multiple: int) -> None:
    """frames step*k + 1 and every side a multiple of multiple, as a model needs; raises
    ValueError. Verbs.settings checks with the loaded model's numbers, the command line
    before the load with a Spacetime folder's configs (spacetime.cli.load_model)."""
    if frames is not None and (frames - 1) % step:
        k = step
        some = ", ".join(str(k * i + 1) for i in (range(1, 4) if frames > 1 else range(3)))
        raise ValueError(f"frames must be {k}k+1 ({some}, ...), got {frames}")
    for side in sides:
        if side < multiple or side % multiple:
            raise ValueError(f"size must be a multiple of {multiple}, not {side}")


def check_frames(frames: int | None) -> None:
    """frames for animate and cinemagraph: None (one window) or 2 or more."""
    if frames is not None:
        check_number("frames", frames, whole=True)
    if frames is not None and frames < 2:
        raise ValueError(f"--frames must be 2 or more, got {frames}")
