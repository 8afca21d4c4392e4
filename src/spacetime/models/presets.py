"""Small configurations of diffusers' Wan classes, built from a TrainConfig's numbers."""

from __future__ import annotations

from diffusers import AutoencoderKLWan, WanTransformer3DModel

MASK_CHANNELS = 4  # Wan's image-to-video mask: 4 pixel frames packed per latent frame


def vae(
    base_dim: int, z_dim: int, dim_mult: list[int], res_blocks: int, residual: bool = True
) -> AutoencoderKLWan:
    """A Wan VAE: 4x temporal and 2^(len(dim_mult)-1) spatial compression, causal in time.

    residual=True is Wan 2.2's layout: each resampling block has a parameter-free shortcut
    (space-to-channel averaging down, duplication up), so the untrained VAE already passes
    its input through and training starts from a usable autoencoder. It needs the last two
    dim_mult entries equal.
    """
    spatial = 2 ** (len(dim_mult) - 1)
    down = [False] * (len(dim_mult) - 3) + [True, True]
    return AutoencoderKLWan(
        base_dim=base_dim,
        z_dim=z_dim,
        dim_mult=list(dim_mult),
        num_res_blocks=res_blocks,
        is_residual=residual,
        attn_scales=[],
        temperal_downsample=down,
        latents_mean=[0.0] * z_dim,
        latents_std=[1.0] * z_dim,
        scale_factor_temporal=4,
        scale_factor_spatial=spatial,
    )


def transformer(
    z_dim: int,
    layers: int,
    heads: int,
    head_dim: int,
    ffn_dim: int,
    patch: list[int],
    text_dim: int = 384,
) -> WanTransformer3DModel:
    """A Wan transformer laid out as Wan's image-to-video models (no CLIP image branch).

    Input channels are concat(noisy latents z, mask 4, known latents z) in that order, the
    order stock WanImageToVideoPipeline feeds; it predicts the flow velocity (z channels).
    """
    return WanTransformer3DModel(
        patch_size=tuple(patch),
        num_attention_heads=heads,
        attention_head_dim=head_dim,
        in_channels=2 * z_dim + MASK_CHANNELS,
        out_channels=z_dim,
        text_dim=text_dim,
        freq_dim=256,
        ffn_dim=ffn_dim,
        num_layers=layers,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=1024,
    )
