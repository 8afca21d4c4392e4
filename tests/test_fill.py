"""fill: the hole an object leaves in a still, filled from the backdrop around it."""

from __future__ import annotations

import numpy as np
import pytest

from spacetime.fill import fill


def _checker(h: int = 96, w: int = 96, cell: int = 12) -> np.ndarray:
    ys, xs = np.mgrid[0:h, 0:w]
    odd = ((ys // cell + xs // cell) % 2).astype(bool)
    return np.where(odd[..., None], np.uint8([62, 60, 72]), np.uint8([95, 92, 104]))


def _hole(h: int = 96, w: int = 96) -> np.ndarray:
    ys, xs = np.mgrid[0:h, 0:w]
    return (ys - 40) ** 2 + (xs - 50) ** 2 < 11**2  # a disc where the object stood


def test_a_checkered_floor_is_continued_in_phase() -> None:
    floor = _checker()
    hole = _hole()
    image = floor.copy()
    image[hole] = (220, 30, 30)
    plate, how = fill(image, hole)
    assert how == "shift"
    assert (plate == floor).all()  # every square back, not a smudge


def test_a_texture_under_a_gradient_of_light_is_evened_out() -> None:
    rows = np.linspace(0.7, 1.2, 96)[:, None, None]  # light falling from top to bottom
    stripes = (80 + 40 * (np.arange(96) // 4 % 2))[None, :, None]  # 8-px period, (1, W, 1)
    truth = (rows * stripes * np.ones((1, 1, 3))).round().astype(np.uint8)  # (H, W, 3)
    hole = _hole()
    image = truth.copy()
    image[hole] = 0
    plate, how = fill(image, hole)
    assert how == "shift"
    assert np.abs(plate.astype(int) - truth)[hole].max() <= 2


def test_the_copy_leaves_other_objects_out() -> None:
    floor = _checker()
    hole = _hole()
    image = floor.copy()
    image[hole] = (220, 30, 30)
    other = np.zeros(hole.shape, bool)
    for y, x in ((16, 50), (64, 50), (40, 26), (40, 74)):  # in each nearest in-phase copy
        image[y - 6 : y + 6, x - 6 : x + 6] = (30, 200, 30)
        other[y - 8 : y + 8, x - 8 : x + 8] = True
    plate, _ = fill(image, hole)
    assert (plate[hole] == (30, 200, 30)).all(-1).any()  # copied along when not avoided
    plate, how = fill(image, hole, avoid=other)
    assert how == "shift"
    assert (plate[hole] == floor[hole]).all()  # taken from elsewhere on the floor


def test_thin_and_whole_holes() -> None:
    floor = _checker(200, 300, 20)
    hole = np.zeros((200, 300), bool)
    hole[117:119, 40:260] = True  # two rows, thinner than the shrunk image's pixels
    image = floor.copy()
    image[hole] = 0
    plate, how = fill(image, hole)
    assert how == "shift" and (plate == floor).all()
    with pytest.raises(ValueError, match="whole image"):
        fill(floor, np.ones((200, 300), bool))
    grey = np.full((20, 30, 3), 200, np.uint8)
    hole = np.ones((20, 30), bool)
    hole[-1] = False  # one row left to fit: a constant, not an invented gradient
    plate, how = fill(grey, hole)
    assert how == "plane" and (plate == 200).all()


def test_smooth_backdrops_take_the_plane_and_noise_falls_back_to_telea() -> None:
    rows = np.linspace(60, 200, 96)[:, None, None]
    sky = np.broadcast_to(rows * np.array([0.5, 0.8, 1.0]), (96, 96, 3)).round().astype(np.uint8)
    hole = _hole()
    plate, how = fill(sky, hole)
    assert how == "plane" and np.abs(plate.astype(int) - sky).max() <= 1
    noise = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    plate, how = fill(noise, hole)
    assert how == "telea"  # nothing matches; the smooth fill is the least wrong
    assert (plate[~hole] == noise[~hole]).all()
    plate, how = fill(noise, np.zeros_like(hole))
    assert how == "none" and (plate == noise).all()
