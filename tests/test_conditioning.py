"""Every task is a known-pixel mask, packed the way Wan's image-to-video models expect."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from spacetime.conditioning import TASK_WEIGHTS, draw_task, latent_mask, mask_for


def test_first_frame_mask_is_wans_image_to_video_layout() -> None:
    known = torch.zeros(1, 9, 8, 8, dtype=torch.bool)
    known[:, 0] = True
    m = latent_mask(known, spatial=4)
    assert m.shape == (1, 4, 3, 2, 2)  # 4 pixel frames packed into each of 3 latent frames
    assert m[:, :, 0].eq(1).all() and m[:, :, 1:].eq(0).all()


def test_first_and_last_frame_mask() -> None:
    known = torch.zeros(1, 9, 8, 8, dtype=torch.bool)
    known[:, [0, -1]] = True
    m = latent_mask(known, spatial=4)
    assert m[:, :, 0].eq(1).all()
    assert m[:, 3, -1].eq(1).all() and m[:, :3, -1].eq(0).all()  # frame 8 = slot 4 of frame 2
    assert m[:, :, 1].eq(0).all()


def test_a_latent_cell_is_known_only_when_all_its_pixels_are() -> None:
    known = torch.ones(1, 1, 8, 8, dtype=torch.bool)
    known[0, 0, 0, 0] = False  # one hidden pixel in the top-left 4x4 cell
    m = latent_mask(known, spatial=4)[0, 0, 0]
    assert m.tolist() == [[0.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("task", list(TASK_WEIGHTS))
def test_task_masks(task: str) -> None:
    rng = np.random.default_rng(0)
    known = mask_for(task, 17, 32, 32, rng)
    assert known.shape == (17, 32, 32) and known.dtype == bool
    share = known.mean()
    if task == "text":
        assert share == 0
    else:
        assert 0 < share < 1
    if task == "first":
        assert known[0].all() and not known[1:].any()
    if task == "ends":
        assert known[[0, -1]].all() and not known[1:-1].any()
    if task in ("inpaint", "outpaint"):
        assert (known == known[0]).all()  # the same region on every frame


def test_draw_task_follows_weights() -> None:
    rng = np.random.default_rng(0)
    drawn = [draw_task(rng) for _ in range(3000)]
    assert set(drawn) == set(TASK_WEIGHTS)
    assert abs(drawn.count("text") / 3000 - TASK_WEIGHTS["text"]) < 0.03
    assert draw_task(rng, {"inpaint": 1.0}) == "inpaint"


def test_unknown_task_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown task"):
        mask_for("teleport", 5, 8, 8, np.random.default_rng(0))
