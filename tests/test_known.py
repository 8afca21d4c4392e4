"""The pixel work around the model: the guess sampling starts from, and the fixes to its output."""

from __future__ import annotations

import numpy as np

from spacetime.known import (
    ColourAnchor,
    agreement,
    colour_lut,
    even_pace,
    extrapolate,
    flow_sure,
    gaussian_time,
    guess_from_known,
    guess_kept,
    keep_known,
    lookup,
    seam_correct,
    smooth_time,
    start_guess,
    still_between,
    subject_mask,
)


def test_colour_anchor_removes_a_colour_cast() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 256, (3, 32, 32, 3)).astype(np.float64)
    cast = truth + np.array([10, -5, 0])
    known = np.zeros((3, 32, 32), bool)
    known[0] = True
    fixed = ColourAnchor()(cast, truth, known)
    assert np.abs(fixed - truth).max() < 1e-6


def test_colour_anchor_gives_a_paled_object_its_colour_back() -> None:
    truth = np.full((2, 32, 32, 3), 128.0)
    truth[:, 4:14, 4:14] = [30, 60, 230]  # a blue square on grey, in both frames
    made = truth.copy()
    made[truth[..., 2] == 230] = [80, 90, 180]  # the model pales the blue square
    known = np.zeros((2, 32, 32), bool)
    known[0] = True
    fixed = ColourAnchor()(made, truth, known)
    blue = truth[1, ..., 2] == 230
    before, after = (np.abs(x[1][blue] - truth[1][blue]).mean() for x in (made, fixed))
    assert after < before / 3  # the blue is given back, in the frame not known
    grey = (truth[1] == 128).all(-1)
    assert np.abs(fixed[1][grey] - 128).max() < 2  # the grey stays grey


def test_colour_anchor_keeps_its_first_per_colour_fit() -> None:
    truth = np.full((2, 32, 32, 3), 128.0)
    truth[:, 4:14, 4:14] = [30, 60, 230]
    made = truth.copy()
    made[truth[..., 2] == 230] = [80, 90, 180]  # first window: the model pales the blue
    known = np.zeros((2, 32, 32), bool)
    known[0] = True
    anchor = ColourAnchor()
    anchor(made, truth, known)
    # A later window knows a pale frame made before; the model draws the blue right again.
    pale = np.where((truth == [30, 60, 230]).all(-1)[..., None], [70, 85, 190], truth)
    again = truth.copy()
    again[..., 0] += 5  # and casts it a little
    fixed = anchor(again, pale, known)
    blue = truth[1, ..., 2] == 230
    assert np.abs(fixed[1][~blue] - 128).max() < 1  # the cast is taken out
    assert np.abs(fixed[1][blue] - truth[1][blue]).mean() < 8  # the blue is not paled
    fresh = ColourAnchor()(again, pale, known)  # fitted to the pale frame: paled again
    assert np.abs(fresh[1][blue] - truth[1][blue]).mean() > 20


def test_colour_lut_corrects_only_colours_it_has_seen() -> None:
    x = np.repeat([[80.0, 90.0, 180.0]], 200, axis=0)  # (N, 3): one colour, many pixels
    lut = colour_lut(x, np.repeat([[-50.0, -30.0, 50.0]], 200, axis=0))
    seen, unseen = lookup(lut, np.array([[80.0, 90.0, 180.0], [220.0, 30.0, 30.0]]))
    assert np.allclose(seen, [-50, -30, 50], rtol=0.25)  # most of the miss, shrunk a little
    assert np.abs(unseen).max() < 1e-3  # nothing for a colour no pixel had


def test_guess_from_known_blends_in_time() -> None:
    video = np.zeros((5, 8, 8, 3), np.uint8)
    video[0], video[4] = 0, 200
    known = np.zeros((5, 8, 8), bool)
    known[[0, 4]] = True
    known[:, 2:4, 2:4] = False  # never known: left as given
    video[:, 2:4, 2:4] = 7
    g = guess_from_known(video, known)
    assert g[2, 0, 0, 0] == 100 and g[1, 0, 0, 0] == 50  # linear in time
    assert np.all(g[:, 2:4, 2:4] == 7)


def test_detail_is_added_only_where_the_model_agrees_with_the_guess():
    rt = np.full((2, 16, 16, 3), 100.0, np.float32)
    video = rt + np.random.default_rng(0).uniform(-5, 5, rt.shape).astype(np.float32)
    video[1, 4:8, 4:8] += 80  # the model moved something here
    ok = agreement(video, rt)
    assert ok[0, 1:-1, 1:-1].all()
    assert not ok[1, 3:9, 3:9].any()  # the moved block and a pixel around it
    assert ok[1, 10:15, 10:15].all()


def test_a_pixel_still_between_known_frames_keeps_the_guess(monkeypatch) -> None:
    video = np.full((5, 16, 16, 3), 100, np.uint8)
    video[4, :, 8:] = 180  # the right half changed between the two known frames
    known = np.zeros((5, 16, 16), bool)
    known[[0, 4]] = True
    still = still_between(video, known)
    assert still[1:4, :, :8].all() and not still[:, :, 8:].any() and not still[[0, 4]].any()
    rt = np.full(video.shape, 100.0, np.float32)  # the guess's round trip
    out = rt + 25  # the model redrew the background, off by more than agreement's 12
    out[2, 2:6, 2:6] = 250  # and drew something passing through
    kept = guess_kept(out, rt, (video, known))
    assert (kept == still).all()  # still pixels: the guess; the rest, 25 off: the model's
    assert not guess_kept(out, rt).any()  # video-to-video: agreement alone
    monkeypatch.setattr("spacetime.known.STILL_TOL", 40.0)  # benchmarks/detail.py's knob
    kept = guess_kept(out, rt, (video, known))
    assert kept[1, 1:-1, 1:7].all() and not kept[2, 1:7, 1:7].any()


def test_an_interpolation_keeps_the_flow_where_it_is_sure() -> None:
    video = np.full((9, 32, 32, 3), 120, np.uint8)
    for t in range(9):  # a red square moving right a pixel a frame
        video[t, 12:18, 4 + t : 10 + t] = (230, 60, 40)
    known = np.zeros((9, 32, 32), bool)
    known[[0, 4, 8]] = True
    given = np.where(known[..., None], video, 0).astype(np.uint8)
    guess = start_guess(given, known)
    assert np.abs(guess[2].astype(int) - video[2]).max() < 40  # the square where it is
    rt = guess.astype(np.float32)
    out = rt.copy()
    out[2, 10:20, 4:14] = 175  # the model redrew the square as a blur
    kept = guess_kept(out, rt, (given, known))
    assert kept[2, 10:20, 4:14].all()  # the flow's sharp square, not the model's blur


def test_flow_sure_takes_or_leaves_each_region_whole() -> None:
    made = np.zeros((3, 16, 16), bool)
    made[1, 2:5, 2:5] = made[1, 10:13, 10:13] = made[2, 2:5, 2:5] = True
    doubt = np.zeros((3, 16, 16), np.float32)
    doubt[1, 10:, 10:] = 90  # the flow's two warps disagree here
    doubt[2] = np.inf  # not an interpolated frame
    sure = flow_sure(made, doubt)
    assert sure[1, 0:7, 0:7].all()  # the region, grown by 2 pixels
    assert not sure[1, 8:, 8:].any() and not sure[2].any() and not sure[0].any()


def test_a_pixel_no_frame_knows_keeps_the_guess_where_the_model_agrees() -> None:
    video = np.full((5, 16, 16, 3), 100, np.uint8)
    known = np.ones((5, 16, 16), bool)
    known[:, 4:12, 4:12] = False  # inpainting: never known in any frame
    rt = np.full(video.shape, 100.0, np.float32)
    out = rt + 5  # the model left the fill as it was, within agreement's 12
    out[2, 5:9, 5:9] = 250  # but drew something here
    kept = guess_kept(out, rt, (video, known))
    assert kept[1, 4:12, 4:12].all()  # the guess's sharp fill, not the VAE's blur
    assert not kept[2, 5:9, 5:9].any()


def test_start_guess_continues_a_texture_into_a_hole_no_frame_knows() -> None:
    ys, xs = np.mgrid[0:48, 0:48]
    floor = np.where(((ys // 6 + xs // 6) % 2 == 1)[..., None], 60, 100).astype(np.uint8)
    video = np.repeat(np.repeat(floor[None], 3, axis=-1), 5, axis=0)  # (5, 48, 48, 3)
    known = np.ones((5, 48, 48), bool)
    known[:, 18:30, 18:30] = False
    g = start_guess(np.where(known[..., None], video, 0).astype(np.uint8), known)
    assert np.array_equal(g, video)  # the checks go on in phase, not a grey smudge


def test_start_guess_fills_every_pixel_and_keeps_the_known() -> None:
    video = np.full((5, 16, 16, 3), 90, np.uint8)
    video[:, 4:8, 4:8] = 0  # never known: painted in from the surroundings, not left black
    known = np.zeros((5, 16, 16), bool)
    known[0] = True
    known[:, 4:8, 4:8] = False
    g = start_guess(video, known)
    assert np.array_equal(g[0][known[0]], video[0][known[0]])
    assert g[:, 4:8, 4:8].min() > 60 and np.all(g[3, 10:, 10:] == 90)


def test_extrapolate_reads_speed_from_several_frames() -> None:
    def square_at(x: float) -> np.ndarray:  # an 8-pixel red square on grey, x rounded
        f = np.full((48, 48, 3), 60, np.uint8)
        f[20:28, round(x) : round(x) + 8] = (220, 40, 40)
        return f

    truth = np.stack([square_at(6 + 1.5 * t) for t in range(14)])  # 1.5 px a frame

    def miss(past: np.ndarray) -> float:  # the square's x error 8 frames on
        last = extrapolate(past, 8)[-1]
        return abs(np.nonzero(last[..., 0] > 150)[1].mean() - (6 + 1.5 * 13 + 3.5))

    assert miss(truth[:6]) <= 2 < 3 < miss(truth[4:6])  # one pair reads 2 px a frame


def test_even_pace_spreads_steps_evenly_and_keeps_the_ends() -> None:
    a, b = np.full((8, 8, 3), 20, np.uint8), np.full((8, 8, 3), 200, np.uint8)
    stepped = np.stack([a] * 4 + [b] * 5)  # all the change in one step, 3 to 4
    out = even_pace(stepped)
    jumps = np.abs(np.diff(out.astype(np.float32), axis=0)).mean(axis=(1, 2, 3))
    assert np.array_equal(out[0], a) and np.array_equal(out[-1], b)
    assert jumps.max() <= 180 / 8 + 1 and jumps.min() >= 180 / 8 - 1  # 8 equal steps
    still = np.stack([a] * 5)
    assert np.array_equal(even_pace(still), still)


def test_smooth_time_stills_flicker_and_keeps_the_ends() -> None:
    rng = np.random.default_rng(0)
    ramp = np.linspace(20, 200, 17)[:, None, None, None] * np.ones((17, 8, 8, 3))
    noise = rng.normal(0, 20, ramp.shape)
    noise[[0, -1]] = 0  # the ends are given frames; the made ones between them flicker
    flicker = (ramp + noise).clip(0, 255).astype(np.uint8)
    out = smooth_time(flicker, 2.0)
    jump = lambda v: np.abs(np.diff(v.astype(np.float32), axis=0)).mean(axis=(1, 2, 3)).max()  # noqa: E731
    assert np.array_equal(out[[0, -1]], flicker[[0, -1]])
    assert jump(out[1:-1]) < jump(flicker[1:-1]) / 2  # between the made frames
    assert np.abs(out[8].astype(np.float32) - ramp[8]).mean() < 8  # the ramp stays (noise 20)
    assert np.array_equal(smooth_time(flicker, 0), flicker)


def test_seam_correct_meets_the_known_frames_without_a_jump() -> None:
    known = np.zeros((9, 4, 4), bool)
    known[[0, 8]] = True
    known_video = np.zeros((9, 4, 4, 3), np.uint8)
    known_video[8] = 160
    model = np.full((9, 4, 4, 3), 40.0, np.float32)  # misses both ends
    out = seam_correct(model, known_video, known)
    assert np.allclose(out[[0, 8]], known_video[[0, 8]])
    assert np.allclose(out[:, 0, 0, 0], np.linspace(0, 160, 9))  # the misses blend in time
    known[8] = False
    fade = seam_correct(model, known_video, known, reach=4)  # only frame 0 known: fades out
    assert np.allclose(fade[:6, 0, 0, 0], [0, 10, 20, 30, 40, 40])
    never = np.zeros_like(known)
    assert np.array_equal(seam_correct(model, known_video, never), model)


def _square_clip(frames: int, speed: int) -> np.ndarray:
    video = np.full((frames, 64, 64, 3), 90, np.uint8)
    for t in range(frames):
        video[t, 28:36, 4 + speed * t : 12 + speed * t] = (220, 40, 40)
    return video


def test_extension_starts_from_the_motion_continued() -> None:
    video = _square_clip(8, 2)
    known = np.zeros((8, 64, 64), bool)
    known[:4] = True  # the square has moved 2 px a frame; frames 4..7 are to be made
    g = start_guess(video, known)
    red = g[..., 0] > 150  # (T, H, W)
    for t in range(4, 8):
        cols = np.nonzero(red[t])[1]  # columns of the red pixels
        assert abs(np.median(cols) - (7.5 + 2 * t)) <= 1.0, t  # it kept moving
    backward = start_guess(video, known[::-1].copy())  # frames 0..3 made from 4..7
    cols = np.nonzero(backward[0, ..., 0] > 150)[1]
    assert abs(np.median(cols) - 7.5) <= 1.0
    still = start_guess(np.repeat(video[:1], 8, axis=0), known)  # nothing moves: held
    assert np.array_equal(still[4:], np.repeat(video[:1], 4, axis=0))
    ref = video.copy()
    ref[0] = 230  # a reference image before the first frame: another shot, no motion from it
    known[2:] = False
    held = start_guess(ref, known)
    assert np.array_equal(held[2:], np.repeat(ref[1:2], 6, axis=0))


def test_no_seam_from_a_reference_frame() -> None:
    known = np.zeros((5, 4, 4), bool)
    known[0] = True  # a reference image, not a frame of the clip
    known_video = np.full((5, 4, 4, 3), 200, np.uint8)
    model = np.full((5, 4, 4, 3), 40.0, np.float32)
    out = keep_known(model, known_video, known, anchor=False, reference=True)
    assert np.all(out[0] == 200) and np.all(out[1:] == 40)
    seamed = keep_known(model, known_video, known, anchor=False)
    assert seamed[1, 0, 0, 0] == 160  # a first frame of the clip: its miss fades in 4


def test_subject_mask_leaves_out_a_plain_backdrop() -> None:
    img = np.full((32, 32, 3), (210, 200, 170), np.uint8)  # cream
    img[10:20, 12:18] = (240, 80, 160)  # a pink character
    m = subject_mask(img, grow=1)
    assert m[10:20, 12:18].all() and m[9, 12] and not m[7, 12]  # grown by one pixel, no more
    assert m.sum() == 12 * 8


def test_subject_mask_keeps_a_busy_or_empty_image_whole() -> None:
    photo = np.random.default_rng(0).integers(0, 256, (16, 16, 3)).astype(np.uint8)
    assert subject_mask(photo).all()
    assert subject_mask(np.full((16, 16, 3), 90, np.uint8)).all()


def test_gaussian_time_mirrored_keeps_a_straight_line() -> None:
    line = np.stack([np.arange(9.0), 3 - 0.5 * np.arange(9.0)], axis=1)  # (9, 2)
    assert np.allclose(gaussian_time(line, 1.5, odd=True), line)
    held = gaussian_time(line, 1.5)  # ends repeated: the line bends towards its middle
    assert held[-1, 0] < line[-1, 0] - 0.5 and held[0, 0] > 0.5
