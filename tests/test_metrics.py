"""Metrics and baselines in spacetime.eval.metrics, each on a case with a known answer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from spacetime.eval.metrics import (
    blend_interpolate,
    dis_flow,
    dynamic_degree,
    extrapolate_track,
    flow_between,
    flow_interpolate,
    flow_warps,
    opencv_inpaint,
    optical_flow,
    permanence,
    psnr,
    ssim,
    temporal_flicker,
    warping_error,
)

H = W = 64
BG = np.array([128.0, 128.0, 128.0])
FG = np.array([220.0, 60.0, 40.0])


def disc_frame(cx: float, cy: float = 32.0, r: float = 10.0, ss: int = 4) -> np.ndarray:
    """(H, W, 3) uint8: an anti-aliased disc (ss x ss supersampling) on a grey background."""
    ys, xs = (np.mgrid[0 : H * ss, 0 : W * ss] + 0.5) / ss - 0.5  # pixel centres at integers
    cover = ((xs - cx) ** 2 + (ys - cy) ** 2 < r * r).reshape(H, ss, W, ss).mean((1, 3))
    img = BG * (1 - cover[..., None]) + FG * cover[..., None]
    return np.rint(img).astype(np.uint8)


def disc_clip(frames: int, speed: float, x0: float = 16.0) -> np.ndarray:
    return np.stack([disc_frame(x0 + speed * t) for t in range(frames)])  # (T, H, W, 3)


def texture_clip(frames: int, speed: float) -> np.ndarray:
    """A smooth colour texture translating right by ``speed`` px per frame."""
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float64)
    out = []
    for t in range(frames):
        x = xs - speed * t
        r = 128 + 60 * np.sin(x / 2.5) * np.cos(ys / 3.5) + 30 * np.sin((x + ys) / 4)
        g = 128 + 50 * np.cos(x / 3 + ys / 5)
        b = 128 + 40 * np.sin(x / 2 - ys / 4)
        out.append(np.stack([r, g, b], -1))
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def centroid_x(frame: np.ndarray) -> float:
    weight = np.abs(frame.astype(np.float64) - BG).sum(-1)  # (H, W)
    return float((weight.sum(0) * np.arange(W)).sum() / weight.sum())


@pytest.fixture(scope="module")
def still() -> np.ndarray:
    return np.full((9, H, W, 3), 100, np.uint8)


def test_still_clip(still: np.ndarray) -> None:
    assert temporal_flicker(still) == 1.0
    assert warping_error(still) == pytest.approx(0.0, abs=1e-6)
    dynamic, score = dynamic_degree(still, fps=8)
    assert dynamic is False and score == pytest.approx(0.0, abs=1e-3)
    assert temporal_flicker(still[:1]) == 1.0


def test_flicker_black_white() -> None:
    clip = np.zeros((9, H, W, 3), np.uint8)
    clip[1::2] = 255
    assert temporal_flicker(clip) == pytest.approx(0.0, abs=1e-9)


def test_optical_flow_disc() -> None:
    clip = disc_clip(2, 2.0)
    flow = optical_flow(clip[0], clip[1])
    assert flow.shape == (H, W, 2)
    # the disc (x 6..26) moves 2 px right: its edges show it (its flat inside is ambiguous)
    assert flow[32, 6, 0] == pytest.approx(2.0, abs=0.3)
    assert flow[32, 26, 0] == pytest.approx(2.0, abs=0.3)
    assert abs(flow[32, 6, 1]) < 0.3
    assert abs(flow[5, 55]).max() < 0.1  # the far background stays put


def test_dynamic_degree() -> None:
    dynamic, score = dynamic_degree(disc_clip(13, 2.0), fps=8)
    assert dynamic is True and score > 1.5  # threshold for 64 px is 6 * 64 / 256 = 1.5
    dynamic, score = dynamic_degree(disc_clip(13, 0.1), fps=8)
    assert dynamic is False and score < 0.5
    # at 24 fps every third frame is used: 6 px between sampled frames
    dynamic, score = dynamic_degree(disc_clip(17, 2.0), fps=24)
    assert dynamic is True and score > 4.5


def test_warping_error_texture_vs_noise() -> None:
    assert warping_error(texture_clip(9, 1.0)) < 10
    noise = np.random.default_rng(0).integers(0, 256, (9, H, W, 3), dtype=np.uint8)
    assert warping_error(noise) > 40


def test_psnr_ssim() -> None:
    clip = texture_clip(5, 1.0)
    assert psnr(clip, clip) == 99.0
    assert ssim(clip, clip) == pytest.approx(1.0)
    assert ssim(clip[0], clip[0]) == pytest.approx(1.0)  # (H, W, 3) too
    shifted = np.roll(clip, 2, axis=2)
    noisy = np.clip(clip + np.random.default_rng(1).normal(0, 20, clip.shape), 0, 255).astype(
        np.uint8
    )
    for other in (shifted, noisy):
        p, s = psnr(clip, other), ssim(clip, other)
        assert p < 30
        assert 0 < s < 0.95
    # known value: a uniform error of 10 levels gives 20 log10(255 / 10)
    assert psnr(np.full((4, 4, 3), 100, np.uint8), np.full((4, 4, 3), 110, np.uint8)) == (
        pytest.approx(20 * np.log10(25.5))
    )


def test_shape_mismatch() -> None:
    a = np.zeros((3, H, W, 3), np.uint8)
    with pytest.raises(ValueError, match="shape mismatch"):
        psnr(a, a[:2])
    with pytest.raises(ValueError, match="shape mismatch"):
        ssim(a, a[:, :32])


def test_permanence() -> None:
    full = list(range(17))
    assert permanence([full, full], 17) == {"vanished": 0, "appeared": 0, "gaps": 0, "ok": True}
    res = permanence([full, list(range(9))], 17)
    assert res["vanished"] == 1 and res["appeared"] == 0 and res["ok"] is False
    res = permanence([full, list(range(6, 17))], 17)
    assert res["appeared"] == 1 and res["vanished"] == 0 and res["ok"] is False
    res = permanence([[*range(5), *range(9, 17)], [0, 1, 3, 4, *range(5, 17)]], 17)
    assert res == {"vanished": 0, "appeared": 0, "gaps": 1, "ok": True}


def test_blend_interpolate_levels() -> None:
    black, white = np.zeros((8, 8, 3), np.uint8), np.full((8, 8, 3), 255, np.uint8)
    mid = blend_interpolate(black, white, 3)
    assert mid.shape == (3, 8, 8, 3) and mid.dtype == np.uint8
    assert [int(f[0, 0, 0]) for f in mid] == [64, 128, 191]  # 255 * (1/4, 1/2, 3/4), rounded


def test_flow_interpolate_disc() -> None:
    a, b, truth = disc_frame(20.0), disc_frame(30.0), disc_frame(25.0)
    flow_mid = flow_interpolate(a, b, 1)[0]
    blend_mid = blend_interpolate(a, b, 1)[0]
    assert abs(centroid_x(flow_mid) - 25.0) < 2.0
    # the flow result is one solid disc; the blend shows two half-strength discs
    core = np.abs(flow_mid[32, 25].astype(float) - FG).max()
    assert core < 20
    assert np.abs(blend_mid[32, 15].astype(float) - (BG + FG) / 2).max() < 2
    err_flow = np.abs(flow_mid.astype(float) - truth).mean()
    err_blend = np.abs(blend_mid.astype(float) - truth).mean()
    assert err_flow < 0.75 * err_blend


def disc_on_texture(cx: float) -> np.ndarray:
    """(H, W, 3) uint8: a light disc of radius 5 at (cx, 26) on a fixed grey noise texture."""
    noise = np.random.default_rng(0).integers(0, 255, (H, W)).astype(np.float32)
    tex = cv2.GaussianBlur(noise, (0, 0), 1.0)
    img = np.repeat((60 + (tex - tex.mean()) * 1.5).clip(0, 255)[..., None], 3, -1)
    ys, xs = np.mgrid[0:H, 0:W]
    img[(xs - cx) ** 2 + (ys - 26) ** 2 <= 25] = 230
    return img.astype(np.uint8)


def test_dis_flow_keeps_an_object_apart_from_a_textured_backdrop() -> None:
    a, b, truth = disc_on_texture(16), disc_on_texture(24), disc_on_texture(20)
    err = {
        fn.__name__: np.abs(flow_interpolate(a, b, 1, fn)[0].astype(float) - truth).mean()
        for fn in (dis_flow, optical_flow)
    }
    assert err["dis_flow"] < 2.0  # the disc in the middle, the texture where it was
    assert err["dis_flow"] < err["optical_flow"] / 2  # Farneback smears the two together
    assert dis_flow(a, b).shape == (H, W, 2)


def test_flow_between_blends_the_two_warps() -> None:
    a, b = disc_frame(20.0), disc_frame(30.0)
    ts = np.array([0.25, 0.5])
    fa, fb = flow_warps(a, b, ts)
    assert fa.shape == fb.shape == (2, H, W, 3)
    blend = np.rint((1 - ts[:, None, None, None]) * fa + ts[:, None, None, None] * fb)
    assert (flow_between(a, b, ts) == blend.clip(0, 255)).all()

    def doubt(step: float) -> np.ndarray:  # how far the two warps differ halfway, (H, W)
        a, b = disc_frame(16.0, r=4), disc_frame(16.0 + step, r=4)
        fa, fb = flow_warps(a, b, np.array([0.5]), dis_flow)
        return np.abs(fa - fb).max(axis=-1)[0]

    assert doubt(4).max() < 8  # a small step: both ends put the disc in one place
    assert (doubt(30) > 32).sum() > 50  # lost: two half discs, one from each end


def test_opencv_inpaint_flat() -> None:
    clip = np.empty((3, 32, 32, 3), np.uint8)
    clip[:] = (40, 150, 200)
    clip[:, 12:20, 10:22] = (255, 0, 0)  # garbage in the hole
    mask = np.zeros((32, 32), bool)
    mask[12:20, 10:22] = True
    out = opencv_inpaint(clip, mask)
    assert out.shape == clip.shape
    assert np.abs(out.astype(int) - (40, 150, 200)).max() <= 5
    out3 = opencv_inpaint(clip, np.broadcast_to(mask, (3, 32, 32)))
    assert np.array_equal(out, out3)


def test_extrapolate_track_line() -> None:
    xs = [1.0, 3.0, 5.0, 7.0, 9.0]
    ys = [10.0, 9.5, 9.0, 8.5, 8.0]
    nx, ny = extrapolate_track(xs, ys, 3)
    assert nx == pytest.approx([11.0, 13.0, 15.0])
    assert ny == pytest.approx([7.5, 7.0, 6.5])
    assert extrapolate_track([4.0], [2.0], 2) == ([4.0, 4.0], [2.0, 2.0])
