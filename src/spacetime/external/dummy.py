"""Random-weight models of the real open architectures, saved as diffusers folders, for
tests (toy width) and GPU benchmarks (real size: speed does not depend on weight values).

Each builder makes the pipeline class a real checkpoint of that family names in its
model_index.json, with every component of the real architecture, and saves it with
safetensors. Nothing is downloaded: the T5 tokenizer is trained here on a few words.
"""

from __future__ import annotations

from pathlib import Path

import torch

TEXT_DIM = 32
WORDS = [
    "a red circle moving left on grass",
    "a blue square jumps over the water at night",
    "the cat walks slowly across a bridge in the snow",
]


def tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import T5TokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    specials = ["<pad>", "</s>", "<unk>"]
    trainer = trainers.UnigramTrainer(vocab_size=100, special_tokens=specials, unk_token="<unk>")
    tok.train_from_iterator(WORDS * 4, trainer)
    return T5TokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", extra_ids=0
    )


def t5(umt5: bool = False):
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    kw = dict(vocab_size=64, d_model=TEXT_DIM, d_kv=8, d_ff=37, num_layers=1, num_heads=4)
    return UMT5EncoderModel(UMT5Config(**kw)) if umt5 else T5EncoderModel(T5Config(**kw))


def wan_vae():
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )


def wan_transformer(
    in_channels: int = 16,
    vace: bool = False,
    image_dim: int | None = None,
    image_tokens: int | None = None,  # FLF2V: CLIP tokens of the first and last frame together
):
    from diffusers import WanTransformer3DModel, WanVACETransformer3DModel

    kw = dict(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=in_channels,
        out_channels=16,
        text_dim=TEXT_DIM,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
        image_dim=image_dim,
        pos_embed_seq_len=image_tokens,
    )
    if vace:
        return WanVACETransformer3DModel(**kw, vace_layers=[0], vace_in_channels=96)
    return WanTransformer3DModel(**kw)


def wan(kind: str):
    """kind: 't2v' (Wan 2.1 T2V), 'i2v' (Wan 2.1 I2V), 'flf2v' (Wan 2.1 first-last
    frame) or 'vace' (Wan 2.1 VACE)."""
    import diffusers

    torch.manual_seed(0)
    common = dict(
        vae=wan_vae(),
        text_encoder=t5(umt5=True),
        tokenizer=tokenizer(),
        scheduler=diffusers.UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0
        ),
    )
    if kind == "t2v":
        return diffusers.WanPipeline(transformer=wan_transformer(), **common)
    if kind in ("i2v", "flf2v"):  # Wan 2.1: a CLIP image encoder beside the transformer
        from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

        clip = CLIPVisionConfig(
            hidden_size=4,
            projection_dim=4,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=8,
            intermediate_size=16,
            patch_size=1,
        )
        return diffusers.WanImageToVideoPipeline(
            transformer=wan_transformer(
                36, image_dim=4, image_tokens=130 if kind == "flf2v" else None
            ),
            image_encoder=CLIPVisionModel(clip),
            image_processor=CLIPImageProcessor(crop_size=8, size=8),
            **common,
        )
    return diffusers.WanVACEPipeline(transformer=wan_transformer(vace=True), **common)


def ltx():
    import diffusers

    torch.manual_seed(0)
    vae = diffusers.AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    transformer = diffusers.LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=TEXT_DIM,
    )
    return diffusers.LTXPipeline(
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=t5(),
        tokenizer=tokenizer(),
        transformer=transformer,
    )


def cogvideox(kind: str):
    """kind: 't2v' or 'i2v' (CogVideoX 1.0 layouts)."""
    import diffusers

    torch.manual_seed(0)
    i2v = kind == "i2v"
    transformer = diffusers.CogVideoXTransformer3DModel(
        num_attention_heads=4,
        attention_head_dim=16,
        in_channels=8 if i2v else 4,
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=TEXT_DIM,
        num_layers=1,
        sample_width=2,
        sample_height=2,
        sample_frames=9,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=16,
        use_rotary_positional_embeddings=i2v,
        use_learned_positional_embeddings=i2v,
    )
    vae = diffusers.AutoencoderKLCogVideoX(
        in_channels=3,
        out_channels=3,
        down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    cls = diffusers.CogVideoXImageToVideoPipeline if i2v else diffusers.CogVideoXPipeline
    return cls(
        tokenizer=tokenizer(),
        text_encoder=t5(),
        vae=vae,
        transformer=transformer,
        scheduler=diffusers.CogVideoXDDIMScheduler(),
    )


BUILDERS = {
    "wan-t2v": lambda: wan("t2v"),
    "wan-i2v": lambda: wan("i2v"),
    "wan-flf2v": lambda: wan("flf2v"),
    "wan-vace": lambda: wan("vace"),
    "ltx": ltx,
    "cogvideox-t2v": lambda: cogvideox("t2v"),
    "cogvideox-i2v": lambda: cogvideox("i2v"),
}


def sentencepiece_only(tokenizer_dir: Path) -> None:
    """Make a saved T5 tokenizer look like the ones LTX-Video and CogVideoX ship: a
    SentencePiece `spiece.model` and no `tokenizer.json`."""
    import io

    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(WORDS * 20),
        model_writer=model,
        vocab_size=40,
        model_type="unigram",
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    (tokenizer_dir / "spiece.model").write_bytes(model.getvalue())
    (tokenizer_dir / "tokenizer.json").unlink()


def save(name: str, folder: Path) -> Path:
    """Build the tiny model `name` (a key of BUILDERS) and save it as a diffusers folder."""
    pipe = BUILDERS[name]()
    pipe.save_pretrained(folder, safe_serialization=True)
    if name.startswith(("ltx", "cogvideox")):
        sentencepiece_only(folder / "tokenizer")
    return folder


def wan_t2v_1_3b(folder: Path, device: str = "cpu") -> Path:
    """Wan2.1-T2V-1.3B's transformer and VAE at full size with random weights, saved in
    bfloat16 (the VAE in float32). The text encoder is one UMT5 layer of the real width
    (4096): enough to feed the transformer, not UMT5-XXL's 24 layers."""
    import diffusers
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    with torch.device(device):
        transformer = diffusers.WanTransformer3DModel(
            patch_size=(1, 2, 2),
            num_attention_heads=12,
            attention_head_dim=128,
            in_channels=16,
            out_channels=16,
            text_dim=4096,
            freq_dim=256,
            ffn_dim=8960,
            num_layers=30,
            cross_attn_norm=True,
            eps=1e-6,
            rope_max_seq_len=1024,
            qk_norm="rms_norm_across_heads",
        ).to(torch.bfloat16)
        vae = diffusers.AutoencoderKLWan()  # the defaults are Wan 2.1's VAE
        text = UMT5EncoderModel(
            UMT5Config(vocab_size=64, d_model=4096, d_kv=64, d_ff=10240, num_layers=1, num_heads=64)
        ).to(torch.bfloat16)
    scheduler = diffusers.UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0
    )
    pipe = diffusers.WanPipeline(
        tokenizer=tokenizer(),
        text_encoder=text,
        vae=vae,
        scheduler=scheduler,
        transformer=transformer,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder
