"""Made frames brought to the input's size: sharpened from its own pixels where they agree."""

from __future__ import annotations

import numpy as np

from spacetime.fullsize import resize, sharpened
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def test_sharpened_carries_the_sources_detail_where_it_agrees() -> None:
    scene = prompt_to_scene("a large red star drifting right on a checkered floor", 1.0, seed=1)
    frames = render(scene, 9, 8.0, 128)  # (9, 128, 128, 3)
    src, later = frames[0], frames[8]  # the star moved; the floor is still
    made = np.stack([resize(f, 32, 32) for f in (src, later)])  # the model's, at 32 x 32
    out = sharpened(made, [src])
    assert out.shape == (2, 128, 128, 3) and out.dtype == np.uint8
    for k, truth in enumerate((src, later)):
        up = resize(made[k], 128, 128)  # resized up alone: the blur
        assert _mad(out[k], truth) < 0.5 * _mad(up, truth)
    # a source that does not agree with the made frame is not taken: resized up alone
    other = render(prompt_to_scene("a blue circle on a sea", 1.0, seed=2), 1, 8.0, 128)[0]
    off = sharpened(made[1:], [other])
    assert _mad(off[0], resize(made[1], 128, 128)) < 1.0
    # weights: none of the source wanted
    assert np.array_equal(sharpened(made, [src], np.zeros((2, 1)))[0], resize(made[0], 128, 128))
