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


def test_cinemagraph_mask_hides_the_objects_paths_after_frame_0() -> None:
    objects = np.zeros((17, 32, 32), bool)
    for t in range(17):  # a 4-pixel object moving right along row 10
        objects[t, 10:14, 4 + t : 8 + t] = True
    for seed in range(5):
        known = mask_for("cinemagraph", 17, 32, 32, np.random.default_rng(seed), objects)
        assert known[0].all()
        assert not (known[1:] & objects.any(axis=0)).any()  # the whole path is to be made
        assert (known[1:] == known[1]).all() and known[1].mean() > 0.5  # the rest is kept
    free = mask_for("cinemagraph", 17, 32, 32, np.random.default_rng(0))  # no objects given
    assert free[0].all() and 0 < free[1:].mean() < 1


def test_draw_task_follows_weights() -> None:
    rng = np.random.default_rng(0)
    drawn = [draw_task(rng) for _ in range(3000)]
    assert set(drawn) == set(TASK_WEIGHTS)
    assert abs(drawn.count("text") / 3000 - TASK_WEIGHTS["text"]) < 0.03
    assert draw_task(rng, {"inpaint": 1.0}) == "inpaint"


def test_unknown_task_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown task"):
        mask_for("teleport", 5, 8, 8, np.random.default_rng(0))
