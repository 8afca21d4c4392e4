"""sprite: cutting an object out of a still, following the model's blob, pasting it sharp."""

from __future__ import annotations

import cv2
import numpy as np

from spacetime.sprite import background, cut, follow, keep_look

SKY, GRASS, RED = (90, 150, 220), (40, 160, 60), (220, 30, 30)


def _still() -> tuple[np.ndarray, np.ndarray]:
    """A red square on sky over grass (48 x 48) and a box region around it."""
    img = np.zeros((48, 48, 3), np.uint8)
    img[:24], img[24:] = SKY, GRASS
    img[20:28, 10:18] = RED  # (8, 8) across the horizon
    region = np.zeros((48, 48), bool)
    region[8:40, 4:44] = True
    return img, region


def _made(img: np.ndarray, dx: int, frames: int = 9) -> np.ndarray:
    """What a model might make: the square moved dx px a frame, blurred and a bit too big."""
    clip = np.repeat(img[None], frames, axis=0)
    plate = img.copy()
    plate[20:28, 10:18] = img[19, 10]  # sky above, grass below would do as well
    plate[24:28, 10:18] = GRASS
    for k in range(1, frames):
        f = plate.copy()
        x = 10 + dx * k
        f[19:29, x - 1 : x + 9] = RED
        clip[k] = cv2.GaussianBlur(f, (5, 5), 1.5)
    return clip


def test_cut_finds_the_object_and_paints_it_out() -> None:
    img, region = _still()
    colours = background(img, region)
    assert colours is not None and len(colours) == 2  # sky and grass
    mask, plate = cut(img, region, colours)
    assert mask[20:28, 10:18].all() and mask.sum() == 64
    red = np.abs(plate.astype(int) - RED).sum(-1) < 60
    assert not red.any()  # the square is gone from the plate
    everything = np.ones((48, 48), bool)
    assert background(img, everything) is None  # no band outside: nothing to compare with
    plain = np.zeros_like(img) + np.array(SKY, np.uint8)
    assert cut(plain, region, background(plain, region)) is None  # nothing stands out


def test_a_smooth_backdrop_is_filled_from_its_plane() -> None:
    rows = np.linspace(60, 200, 48)[:, None, None]  # a sky darkening upwards, (48, 1, 1)
    sky = np.broadcast_to(rows * np.array([0.5, 0.8, 1.0]), (48, 48, 3)).round().astype(np.uint8)
    img = sky.copy()
    img[20:30, 20:30] = RED
    region = np.zeros((48, 48), bool)
    region[10:40, 10:40] = True
    _, plate = cut(img, region, background(img, region))
    assert np.abs(plate.astype(int) - sky).max() <= 1  # the gradient itself, not a patch
    img, region = _still()  # sky over grass around the square: no one plane, so Telea
    _, plate = cut(img, region, background(img, region))
    assert not (np.abs(plate.astype(int) - RED).sum(-1) < 60).any()


def test_follow_reads_the_models_motion() -> None:
    img, region = _still()
    mask, _ = cut(img, region, background(img, region))
    centre, area = follow(_made(img, 2), region, mask, img, background(img, region))
    assert np.allclose(np.diff(centre[1:, 0]), 2, atol=0.5)  # 2 px a frame to the right
    assert np.allclose(centre[1:, 1], centre[1, 1], atol=0.5)
    assert (area[1:] > 0).all()


def test_keep_look_moves_the_sharp_object() -> None:
    img, region = _still()
    out = keep_look(img, region, _made(img, 2))
    assert out is not None and out.shape == (9, 48, 48, 3)
    assert np.array_equal(out[0], img)
    assert np.array_equal(out[:, ~region], np.broadcast_to(img, out.shape)[:, ~region])
    for k in (4, 8):
        red = np.abs(out[k].astype(int) - RED).sum(-1) < 30  # the image's red, not a blend
        ys, xs = np.nonzero(red)
        assert abs(xs.mean() - (13.5 + 2 * k)) <= 1.0 and abs(ys.mean() - 23.5) <= 1.0
        x = 10 + 2 * k
        assert red[21:27, x + 1 : x + 7].all()  # the square's inside, as sharp as the image
        for col in (x - 2, x + 9):  # 2 px beside it the model's blob is still reddish
            assert (np.abs(out[k, 20:28, col].astype(int) - RED).sum(-1) > 150).all()
    assert np.array_equal(keep_look(img, region, img[None]), img[None])  # one frame: the image
    still = keep_look(img, region, _made(img, 0))
    assert still is not None
    assert np.abs(still[8].astype(int) - img).max() < 40  # a still model: the still image


def test_keep_look_gives_up_without_an_object() -> None:
    img, region = _still()
    sky = np.zeros_like(img) + np.array(SKY, np.uint8)
    assert keep_look(sky, region, np.repeat(sky[None], 5, axis=0)) is None
    lost = np.repeat(sky[None], 9, axis=0)  # the model lost the object in every frame
    lost[0] = img
    assert keep_look(img, region, lost) is None


def test_cut_prefers_the_object_inside_over_a_neighbour_the_region_clips() -> None:
    img, region = _still()
    img[2:16, 30:46] = (30, 30, 200)  # a bigger blue square across the region's top edge
    mask, plate = cut(img, region, background(img, region))
    assert mask[20:28, 10:18].all() and not mask[2:16, 30:46].any()
    assert np.array_equal(plate[2:8, 30:46], img[2:8, 30:46])  # the neighbour stays put


def test_a_soft_horizon_is_not_part_of_the_object() -> None:
    """A photo's horizon is a band of sky-grass blends, far from both colours: it must not
    join the object that stands on it (its line would move with the object)."""
    img, region = _still()
    img = cv2.resize(img, (768, 768), interpolation=cv2.INTER_CUBIC)  # a soft, wide band
    region = cv2.resize(region.astype(np.uint8), (768, 768)) > 0
    for left in (64, 0):  # a region inside the image, and one on its border
        region[128:640, left:64] = True
        mask, _ = cut(img, region, background(img, region))
        assert mask[:, 400:].sum() == 0 and mask[:, :150].sum() == 0  # none of the band
        assert mask[340:428, 180:268].all()  # the square's inside


def test_an_object_of_a_blended_colour_is_still_found() -> None:
    """Grey between a black and a white backdrop is a blend of the two, but it does not
    run to the region's edge as a horizon does: it is the object."""
    img = np.zeros((48, 48, 3), np.uint8)
    img[:, 24:] = 255
    img[18:30, 18:30] = 128  # (12, 12) grey across the black-white edge
    region = np.zeros((48, 48), bool)
    region[6:42, 6:42] = True
    got = cut(img, region, background(img, region))
    assert got is not None and got[0][19:29, 19:29].all()


def test_a_neighbour_in_the_band_is_not_taken_for_backdrop_on_a_clean_image() -> None:
    cream, white = (205, 190, 150), (250, 250, 250)
    img = np.zeros((64, 64, 3), np.uint8) + np.array(cream, np.uint8)
    img[30:40, 30:40] = RED  # the object
    img[48:54, 20:26] = white  # a neighbour across the region's bottom edge
    region = np.zeros((64, 64), bool)
    region[10:50, 10:50] = True
    colours = background(img, region)  # the band holds two colours only: no k-means
    assert colours is not None and colours.tolist() == [list(cream)]
    mask, _ = cut(img, region, colours)
    assert mask[30:40, 30:40].all() and mask.sum() == 100


def test_a_line_across_the_image_is_backdrop_the_fill_may_copy() -> None:
    truth = np.zeros((96, 96, 3), np.uint8)
    truth[:48] = SKY
    truth[50:] = GRASS
    truth[50:, ::8] = (30, 120, 45)  # blades: a texture only a copy continues
    truth[48:50] = (250, 250, 200)  # the horizon's edge: no blend of sky and grass
    img = truth.copy()
    img[36:60, 30:44] = RED  # the object stands across the horizon
    region = np.zeros((96, 96), bool)
    region[24:72, 20:76] = True
    mask, plate = cut(img, region, background(img, region))
    hole = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert np.abs(plate.astype(int) - truth)[hole].max() <= 2  # the line and blades go on


def test_a_region_run_to_the_border_finds_the_sky_inside_it() -> None:
    """A long drag makes a region from the image's top, left and right edges down to just
    to the horizon: the band outside it is all grass, and the sky it holds is the
    background all the same, so the object is cut out and kept."""
    img = np.zeros((64, 64, 3), np.uint8)
    img[:28], img[28:] = SKY, GRASS
    img[8:16, 6:14] = RED  # (8, 8) in the sky
    region = np.zeros((64, 64), bool)
    region[:28] = True  # the drag's box, cut at three edges of the image
    colours = background(img, region)
    assert colours is not None and len(colours) == 2  # grass outside, sky along the border
    mask, _ = cut(img, region, colours)
    assert mask[8:16, 6:14].all() and mask.sum() == 64
    clip = np.repeat(img[None], 5, axis=0)
    for k in range(1, 5):  # the model's blob: the square blurred, 4 px right a frame
        f = img.copy()
        f[8:16, 6:14] = SKY
        f[8:16, 6 + 4 * k : 14 + 4 * k] = RED
        clip[k] = cv2.GaussianBlur(f, (5, 5), 1.5)
    kept = keep_look(img, region, clip)
    assert kept is not None
    ys, xs = np.nonzero(np.abs(kept[4].astype(int) - RED).sum(-1) < 30)  # its own red
    assert len(xs) >= 36 and abs(xs.mean() - 25.5) <= 1.5 and abs(ys.mean() - 11.5) <= 1
