"""Faster training on a CPU: the same Wan models, with three slow spots rewritten.

Measured on 2 cores of a Sapphire Rapids Xeon (AMX), one training step (docs/benchmarks.md,
"Training speed"): most of a step at these widths is elementwise work, not matmuls.

- `FastRMSNorm`: Wan's VAE normalises over channels with F.normalize, whose backward is slow
  on a CPU; x * rsqrt(sum x^2) is the same function, about 3x faster forward and back.
- `FastAttnProcessor`: the transformer's attention with RoPE written as x * cos + rot(x) * sin
  (no strided writes). In bfloat16 on a CPU it computes attention as plain matmuls, because
  the fused CPU kernel's bfloat16 backward is slower than the rest of the step put together.
- `FastCausalConv3d`: the VAE's causal conv3d through oneDNN on a CPU in float32. For one
  small clip PyTorch picks its reference conv3d (im2col and a GEMM), which on 2 AMD EPYC
  cores spent 0.77 s of a 1.0 s decode of the default clip; oneDNN gives the same outputs
  (within 1e-5), and timed side by side there it decoded in 0.15 s against 0.42 s.
- `speed_up(model)` swaps them in; the weights, the state dict and, in float32, the outputs
  stay as they were, so a model trained this way saves and loads as any other.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from diffusers.models.autoencoders.autoencoder_kl_wan import WanCausalConv3d, WanRMS_norm


class FastRMSNorm(WanRMS_norm):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xf = x.float()  # normalise in float32, as Wan's does for half precisions
        sq = xf.pow(2).sum(1 if self.channel_first else -1, keepdim=True)
        n = xf * torch.rsqrt(sq.clamp_min(1e-24))  # F.normalize's eps 1e-12, squared
        return n.to(x.dtype) * self.scale * self.gamma + self.bias


class FastCausalConv3d(WanCausalConv3d):
    def _conv_forward(
        self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None
    ) -> torch.Tensor:
        plain = x.dtype == weight.dtype == torch.float32 and not torch.is_autocast_enabled("cpu")
        if x.device.type == "cpu" and plain and torch.backends.mkldnn.is_available():
            pad, stride, dil = self.padding, self.stride, self.dilation
            return torch.mkldnn_convolution(
                x.contiguous(), weight, bias, pad, stride, dil, self.groups
            )
        return super()._conv_forward(x, weight, bias)


def _rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Wan's interleaved rotary embedding: x (B, heads, L, d), cos and sin (1, 1, L, d)."""
    x1, x2 = x.unflatten(-1, (-1, 2)).unbind(-1)  # (B, heads, L, d / 2) each
    return x * cos + torch.stack((-x2, x1), -1).flatten(-2) * sin


class FastAttnProcessor:
    """WanAttnProcessor for attention without the CLIP image branch (our models' layout)."""

    def __call__(
        self,
        attn: torch.nn.Module,
        hidden_states: torch.Tensor,
        encoder_hidden_states: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        rotary_emb: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor:
        ctx = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        q = attn.norm_q(attn.to_q(hidden_states))  # (B, L, heads * d)
        k = attn.norm_k(attn.to_k(ctx))  # (B, S, heads * d)
        v = attn.to_v(ctx)
        q, k, v = (t.unflatten(2, (attn.heads, -1)).transpose(1, 2) for t in (q, k, v))
        if rotary_emb is not None:
            cos, sin = (f.transpose(1, 2) for f in rotary_emb)  # (1, L, 1, d) -> (1, 1, L, d)
            q, k = _rope(q, cos, sin).to(v.dtype), _rope(k, cos, sin).to(v.dtype)
        if q.dtype == torch.bfloat16 and q.device.type == "cpu" and attention_mask is None:
            w = (q @ k.transpose(-1, -2)) * q.shape[-1] ** -0.5  # (B, heads, L, S)
            o = w.softmax(-1).to(v.dtype) @ v
        else:
            o = F.scaled_dot_product_attention(q, k, v, attn_mask=attention_mask)
        o = o.transpose(1, 2).flatten(2)  # (B, L, heads * d)
        return attn.to_out[1](attn.to_out[0](o))


def speed_up(model: torch.nn.Module) -> torch.nn.Module:
    """Swap in the fast norm, conv and attention wherever they apply; returns model (changed
    in place). Attention with an image branch (Wan's CLIP layout) keeps its own processor."""
    for m in model.modules():
        if type(m) is WanRMS_norm:
            m.__class__ = FastRMSNorm
        if type(m) is WanCausalConv3d:
            m.__class__ = FastCausalConv3d
        if hasattr(m, "set_processor") and getattr(m, "add_k_proj", 0) is None:
            m.set_processor(FastAttnProcessor())
    return model


def bf16_is_fast(device: torch.device) -> bool:
    """Whether bfloat16 speeds training here: on CUDA, and on CPUs with AMX tiles."""
    if device.type == "cuda":
        return True
    return device.type == "cpu" and bool(getattr(torch.cpu, "_is_amx_tile_supported", bool)())
