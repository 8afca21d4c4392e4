"""The flow-matching schedule and sampler (k-diffusion style: fn(model, x, sigmas, callback)).

Timesteps passed to the transformer are sigma * 1000, as diffusers' FlowMatchEulerDiscrete
scheduler does, so the trained transformer also runs under stock Wan pipelines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch


def shifted(t: torch.Tensor, shift: float) -> torch.Tensor:
    """Spend more of the schedule at high noise: shift t / (1 + (shift - 1) t)."""
    return shift * t / (1 + (shift - 1) * t)


def train_times(
    n: int, shift: float, gen: torch.Generator, high_share: float = 0.0, high_min: float = 0.9
) -> torch.Tensor:
    """n noise levels for training, drawn as the sampler visits them (uniform, then shifted).

    A share high_share of them is drawn uniform in [high_min, 1] instead: the noise levels
    where only the caption (and any known pixels) can say where things go.
    """
    t = shifted(torch.rand(n, generator=gen, device=gen.device), shift)
    if high_share <= 0:
        return t
    high = torch.rand(n, generator=gen, device=gen.device) < high_share
    top = high_min + (1 - high_min) * torch.rand(n, generator=gen, device=gen.device)
    return torch.where(high, top, t)


def sigmas(steps: int, shift: float) -> torch.Tensor:
    """steps + 1 noise levels from 1 down to 0."""
    return shifted(torch.linspace(1.0, 0.0, steps + 1), shift)


def starting_at(levels: torch.Tensor, level: float) -> torch.Tensor:
    """levels (from 1 down to 0) for sampling that starts at noise level level exactly: the
    first level at or below it (never the closing 0) is moved up to it, so the step count
    is that of the levels left and two strengths between the same levels differ."""
    first = int(torch.searchsorted(-levels, torch.tensor(-level)))  # levels[first] <= level
    out = levels[min(first, len(levels) - 2) :].clone()
    out[0] = level
    return out


Model = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (x, sigma) -> velocity


@torch.no_grad()
def euler(
    model: Model,
    x: torch.Tensor,
    sigmas: torch.Tensor,
    callback: Callable[[dict[str, Any]], None] | None = None,
) -> torch.Tensor:
    """Integrate dx/dsigma = v from sigmas[0] to sigmas[-1]; x starts as pure noise * sigmas[0].

    callback gets {"i", "steps", "sigma", "x", "denoised"} after every step; raising from it
    cancels sampling.
    """
    steps = len(sigmas) - 1
    for i in range(steps):
        s, s_next = sigmas[i], sigmas[i + 1]
        v = model(x, s)
        if callback is not None:
            callback({"i": i, "steps": steps, "sigma": float(s), "x": x, "denoised": x - s * v})
        x = x + (s_next - s) * v
    return x
