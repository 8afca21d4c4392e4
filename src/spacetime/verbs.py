"""The film-maker's verbs. Each one is a choice of known pixels for `Pipeline.generate`.

| verb        | known pixels in each window                                        |
|-------------|--------------------------------------------------------------------|
| animate     | frame 0 (the image)                                                |
| extend      | the last 9 (or 5) frames of the clip so far; backward: the first 8 |
| interpolate | every factor-th frame (the input frames)                           |
| morph       | frame 0 (A's last frame) and the last frame (B's first)            |
| inpaint     | everything outside the mask                                        |
| outpaint    | the input, placed in the middle of the larger canvas               |
| cinemagraph | frame 0, and everything outside the region in every frame          |
| stylize     | nothing: the clip is noised to `strength` and denoised             |

Long inputs are cut into windows of the model's length. Frames made by an earlier window are
known pixels of the next one, so windows join without seams. The model works at its working
canvas: an input of another size is resized to it (cropped, where only its aspect is kept),
and every verb but stylize gives back the input's own size (fullsize.py, inputs.put_back). Each
change is written to the recipe's "notices", and the CLI prints it.

Arrays: video uint8 (T, H, W, 3), image uint8 (H, W, 3), mask bool (T, H, W) or (H, W).
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from .checks import (
    check_factor,
    check_frames,
    check_length,
    check_mask,
    check_number,
    check_options,
    check_raised_rate,
    check_seconds,
    check_shape,
    check_smooth,
    check_strength,
    check_what_moves,
    check_xy,
    seed_or_fresh,
    transition_frames,
)
from .fullsize import between, extended, gathered, resize, restyled, sharpened
from .inputs import (
    Placement,
    as_clip,
    as_image,
    as_mask,
    clip_or_image,
    fit_frames,
    fit_mask,
    frames_at_least,
    put_back,
    rate_of,
    region_at,
    resample_time,
)
from .io.video import MAX_DECODED, Video
from .known import ColourAnchor, even_pace, smooth_time
from .sprite import keep_look

MAX_SIDE = 1024  # the largest working canvas side a verb accepts
MAX_STILL_PIXELS = 3840 * 2160  # a video made from a still: at most 4K UHD's area
MAX_ASPECT = 4.0  # the longest side of a verb's input over its shortest
MIN_SIDE = 8  # pixels: a smaller input (a 1x1 tracking pixel) holds nothing to work from
MAX_OUT_SIDE = 4096  # the largest output side of a verb that puts its work back at full size
PLAIN_SPREAD = 1.5  # levels: a frame's median deviation below which it has no backdrop's
# texture (the world's textured ones: 3.3 for the night's glow to 16 for the checks)
MORPH_SMOOTH = 2.0  # frames: sigma of morph's smoothing over time (docs/tasks.md, Smooth morph)


# the options every verb passes on to generate; its others (known_video, init_video, task,
# ...) are the verb's to set
SAMPLER_OPTS = frozenset(
    {
        *("seed", "steps", "guidance", "guidance_stop", "negative", "start", "anchor", "seam"),
        *("detail", "callback", "fps", "size", "height", "width"),  # the canvas: _no_canvas
    }
)


# the command line's options that a verb takes otherwise in Python
PYTHON_FOR = {
    ("cinemagraph", "mask"): "region= (a bool (H, W) array or a mask file's path)",
    ("inpaint", "box"): "mask=spacetime.inputs.box_mask(h, w, (x, y, bw, bh))",
    ("outpaint", "to"): "width= and height=",
    ("morph", "as_made"): "even=False",
}


def verb(fn: Callable[..., Video]) -> Callable[..., Video]:
    """A verb that refuses a keyword it neither names nor passes on (SAMPLER_OPTS), as
    Python refuses one a function does not take: `animate(..., step=2)`, a typo for steps,
    ran 20 steps with windows 2 frames apart."""
    named = set(inspect.signature(fn).parameters) - {"self", "opts"}

    @functools.wraps(fn)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Video:
        bad = sorted(kwargs.keys() - named - SAMPLER_OPTS)
        if bad:
            near = difflib.get_close_matches(bad[0], sorted(named | SAMPLER_OPTS), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            if (fn.__name__, bad[0]) in PYTHON_FOR:
                hint = f"; in Python give {PYTHON_FOR[fn.__name__, bad[0]]}"
            raise TypeError(f"{fn.__name__}() got an unexpected keyword argument {bad[0]!r}{hint}")
        return fn(self, *args, **kwargs)

    return checked


def _no_canvas(opts: dict[str, Any]) -> None:
    """Refuse generate's size options in a verb, which works on its input's canvas and
    would override them without a word."""
    if {"size", "height", "width"} & set(opts):
        raise ValueError(
            "a verb works on its input's canvas; to set the canvas, load the model with it: "
            "Pipeline.load(size=96) (the command line's --size)"
        )


class Verbs:
    """Task methods for `Pipeline` (mixed in); every one returns a Video with its recipe.

    Images, clips and masks may be numpy arrays (uint8 or 0..255 integers), PIL images,
    lists of frames, a Video, or a file's path. Besides its own keywords each verb takes
    generate's sampling options: seed, steps, guidance, guidance_stop, negative, start,
    anchor, seam, detail, callback and fps (the output's rate, where the verb has none).
    Any other keyword is a TypeError, as for a plain function."""

    meta: dict[str, Any]  # frames, fps, size (or height and width): the model's defaults
    multiple: int
    generate: Any
    frame_step: int = 4  # a model makes frame_step * k + 1 frames
    reference_frame: bool = True  # a reference image takes frame 0 of every window
    completes: bool = True  # a short prompt gets the input's background (`complete_prompt`)

    def settings(self, prompt: str, **given: Any) -> dict[str, Any]:
        """Fill unset options from the model's defaults and check them; raises ValueError.

        `height` and `width` default to the given `size`, then the model's height and width,
        then its square `size`.
        """
        m = self.meta
        opts = {
            k: m[k] if given.get(k) is None else given[k]
            for k in ("steps", "guidance", "frames", "size", "fps")
        }
        stop = given.get("guidance_stop")
        opts["guidance_stop"] = float(m.get("guidance_stop", 1.0) if stop is None else stop)
        for k in ("size", "height", "width"):  # 0 or 64.0 is a mistake, not "the default"
            if given.get(k) is not None:
                check_number(k, given[k], whole=True)
                if given[k] < 1:
                    raise ValueError(f"{k} must be 1 or more pixels, got {given[k]}")
        side = {k: given.get(k) for k in ("size", "height", "width")}
        opts["height"] = side["height"] or side["size"] or m.get("height") or opts["size"]
        opts["width"] = side["width"] or side["size"] or m.get("width") or opts["size"]
        seed, known, start = (
            given.get("seed", 0),
            given.get("known_given", False),
            given.get("start"),
        )
        check_options(prompt, seed=seed, known=known, start=start, **opts)
        opts["steps"], opts["frames"] = int(opts["steps"]), int(opts["frames"])
        sides = (opts["height"], opts["width"])
        check_shape(opts["frames"], sides, self.frame_step, self.multiple)
        check_length(opts["frames"], m)
        for side in (opts["height"], opts["width"]):
            if side > MAX_SIDE:
                raise ValueError(f"size must be {MAX_SIDE} or less a side, not {side}")
        return opts

    # geometry ---------------------------------------------------------------------------
    def canvas(self, h: int, w: int) -> tuple[int, int]:
        """The working size for an input of h x w: its aspect, the model's trained area.
        ValueError for an input longer and thinner than MAX_ASPECT, whose short side would
        be a token or two, or one under MIN_SIDE a side."""
        if min(h, w) < MIN_SIDE:
            raise ValueError(
                f"a {w}x{h} input is too small to work from: give one of {MIN_SIDE} pixels a "
                "side or more"
            )
        if max(h, w) > MAX_ASPECT * min(h, w):
            raise ValueError(
                f"a {w}x{h} input is too long and thin for the model, which works on up to "
                f"{MAX_ASPECT:g}:1; crop it nearer a square first"
            )
        m = self.meta
        area = int(m.get("height") or m["size"]) * int(m.get("width") or m["size"])
        return self._scaled(h, w, math.sqrt(area / (h * w)))

    def _scaled(self, h: int, w: int, scale: float) -> tuple[int, int]:
        """h x w times scale, each side rounded to the model's multiple."""
        k = self.multiple
        return max(k, round(h * scale / k) * k), max(k, round(w * scale / k) * k)

    def outpaint_canvas(self, h: int, w: int) -> tuple[int, int]:
        """Outpaint's working size for an h x w result. A model trained on squares alone
        (meta `size`) draws a new border as things lie in its trained square, the horizon at
        the same row whatever the canvas's height; on the trained area's canvas (80x56 for
        96x64) the border's horizon met the input's with a step. So its short side stays
        the trained one, at the cost of more tokens on the long side."""
        size = self.meta.get("size")
        if not size or self.meta.get("height"):  # trained at several sizes, or another one
            return self.canvas(h, w)
        return self._scaled(h, w, int(size) / min(h, w))

    def _fit(
        self, frames: np.ndarray, notices: list[str], what: str, hw: tuple[int, int] | None = None
    ) -> np.ndarray:
        """frames (T, H, W, 3) cropped and resized to hw, by default the canvas of their size
        (the `canvas` a verb is given: the size a caller already shrank them to)."""
        h, w = hw or self.canvas(*frames.shape[1:3])
        if frames.shape[1:3] != (h, w):
            fh, fw = frames.shape[1:3]
            notices.append(f"{what}: {fw}x{fh} cropped and resized to {w}x{h}")
        return fit_frames(frames, h, w)

    def _full(
        self,
        hw: tuple[int, int],
        held: int,
        canvas: tuple[int, int] | None,
        notices: list[str],
        size: tuple[int, int],
    ) -> bool:
        """Whether a verb gives back its result at the input's own size (h, w) = size: it
        is not the working size hw, no caller has shrunk the input already (canvas), hw has
        the input's aspect but for rounding (not so for a model fixed at one size, whose
        input is cropped), and the result, held bytes at full size, fits in MAX_DECODED; a
        notice says when it does not."""
        if canvas is not None or hw == size or not self.keeps_size(hw, size):
            return False
        if held > MAX_DECODED:
            notices.append(
                f"made at {hw[1]}x{hw[0]}, the model's working size: at {size[1]}x{size[0]} "
                f"the result would hold {held / 2**30:.1f} GiB of frames"
            )
            return False
        return True

    def keeps_size(self, hw: tuple[int, int], size: tuple[int, int]) -> bool:
        """Whether a result made at the working size hw can be brought to the input's size
        (h, w): hw has its aspect but for rounding to the model's multiple. Not so for a
        model fixed at one size of another aspect (CogVideoX), whose input is cropped."""
        (h, w), k = size, self.multiple
        return abs(hw[0] * w - hw[1] * h) <= k * max(h, w)

    def complete_prompt(
        self, prompt: str, frame: np.ndarray, notices: list[str], complete: bool = True
    ) -> str:
        """The prompt, with the background the analyser reads in frame (H, W, 3), the input
        at the working size, added when the prompt names none. The world's captions leave
        the background out only when it is plain grey, so the model reads "the star keeps
        drifting right" as "on plain grey" and turned a clip's grass grey within a second
        (benchmarks/short_prompt.py). Like a prompt enhancer that captions the image it
        animates, but it only adds what the input shows and the prompt leaves out. Nothing
        for an empty prompt, a grey background, a frame too plain for the textured
        background nearest it (a flat dark grey is no night sky), complete False, or
        another family's model (completes False), whose text encoder knows no such rule."""
        from .world.analyse import WORK_SIZE, estimate_background
        from .world.caption import BACKGROUND_PHRASES
        from .world.parse import names_background
        from .world.spec import TEXTURED

        if not isinstance(prompt, str):
            raise ValueError(f"the prompt must be text, got {type(prompt).__name__}")
        if not (complete and self.completes and prompt.strip()) or names_background(prompt):
            return prompt
        k = min(1.0, WORK_SIZE / frame.shape[0])  # as the analyser reads a clip
        small = cv2.resize(frame, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
        background = estimate_background(small.astype(np.float32))
        pixels = small.reshape(-1, 3).astype(np.float32)
        spread = np.median(np.abs(pixels - np.median(pixels, 0)), 0).mean()  # objects aside
        plain = spread < PLAIN_SPREAD  # no texture: not grass, sea, checks or a night's glow
        if background == "grey" or (plain and background in TEXTURED):
            return prompt
        phrase = BACKGROUND_PHRASES[background][0]
        notices.append(
            f"prompt: {phrase!r} added, the background the input shows (to this model a "
            "prompt without one means plain grey; --as-written, in Python complete=False, "
            "keeps the prompt as written)"
        )
        return f"{prompt.strip().rstrip(' .!?;:,')} {phrase}"

    def _window(self, reference: np.ndarray | None) -> int:
        """Frames of output one window makes (a reference may take frame 0 of the window)."""
        return int(self.meta["frames"]) - self._ref_frames(reference)

    def _ref_frames(self, reference: np.ndarray | None) -> int:
        return int(reference is not None and self.reference_frame)

    def _ref(self, reference: np.ndarray | None, hw: tuple[int, int], notices: list[str]):
        if reference is None:
            return None
        image = as_image(reference, "the reference", notices)[None]
        return self._fit(image, notices, "reference", hw)[0]

    def _run(
        self,
        prompt: str,
        video: np.ndarray,  # (T, H, W, 3): known pixels; unknown ones are ignored
        known: np.ndarray,  # (T, H, W) bool
        task: str,
        notices: list[str],
        extra: dict[str, Any],
        reference: np.ndarray | None = None,
        init: np.ndarray | None = None,
        strength: float = 1.0,
        fps: float | None = None,
        step: int | None = None,
        **opts: Any,
    ) -> Video:
        """Make every unknown pixel of a clip of any length, window by window.

        Windows step forward (step frames apart; by default they overlap a quarter); frames
        an earlier window made are known in the next. A clip shorter than a window is made
        in one shorter window (4k+1 frames).
        """
        _no_canvas(opts)
        total, h, w = known.shape
        fps = float(self.meta["fps"]) if fps is None else fps
        win = self._window(reference)
        r = self._ref_frames(reference)
        if total < win:
            win = frames_at_least(total + r, self.frame_step) - r
        out, known = video.copy(), known.copy()
        made = np.zeros(total, bool)  # frames a window has finished
        seed = int(seed_or_fresh(opts.pop("seed", 0)))
        recipe: dict[str, Any] = {}
        starts = window_starts(total, win, step)
        each = opts.pop("callback", None)
        for i, s in enumerate(starts):
            opts["callback"] = in_window(each, i, len(starts))
            sl = slice(s, s + win)
            pad = win - len(out[sl])  # a short clip in a longer window: unknown frames after
            kv = np.concatenate([out[sl], np.zeros((pad, h, w, 3), np.uint8)])
            kn = np.concatenate([known[sl] | made[sl, None, None], np.zeros((pad, h, w), bool)])
            iv = None if init is None else np.concatenate([init[sl], init[sl][-1:].repeat(pad, 0)])
            clip = self.generate(
                prompt,
                known_video=kv,
                known=kn,
                init_video=iv,
                strength=strength,
                reference=reference,
                frames=win + r,
                height=h,
                width=w,
                fps=fps,
                seed=seed + i,
                task=task,
                **opts,
            )
            out[sl] = clip.frames[: win - pad]
            made[sl] = True
            recipe = clip.recipe
        recipe = {
            **recipe,
            "frames": total,
            "window": win,
            "windows": len(starts),
            "seed": seed,
            **extra,
            "notices": _merge(notices, recipe.get("notices", [])),
        }
        return Video(out, fps, recipe)

    # verbs ------------------------------------------------------------------------------
    @verb
    def animate(
        self,
        image: np.ndarray,
        prompt: str,
        *,
        frames: int | None = None,
        reference: np.ndarray | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Image to video: the image is frame 0 and the prompt says what happens. The video
        has the image's size: the model works at its working size, and the frames it makes
        are brought to the image's, sharpened from it (`fullsize.sharpened`)."""
        notices: list[str] = []  # what reading the inputs changed, then what the verb did
        image, _ = video_sized(as_image(image, notices=notices), notices, "the image")
        check_frames(frames)
        n = frames or self._window(reference)
        hw = self.canvas(*image.shape[:2])
        full = self._full(hw, n * image.size, None, notices, image.shape[:2])
        img = (
            fit_frames(image[None], *hw, crop=False)[0]
            if full
            else self._fit(image[None], notices, "image")[0]
        )
        prompt = self.complete_prompt(prompt, img, notices, complete)
        video = np.repeat(img[None], n, axis=0)
        known = np.zeros(video.shape[:3], bool)
        known[0] = True
        ref = self._ref(reference, img.shape[:2], notices)
        made = self._run(prompt, video, known, "animate", notices, {}, ref, **opts)
        if full:
            out = np.empty((n, *image.shape), np.uint8)
            out[0] = image
            sharpened(made.frames[1:], [image], out=out[1:])
            made.frames = out
            made.recipe["notices"] = _merge(made.recipe["notices"], [brought_line(hw, image.shape)])
        return made

    @verb
    def extend(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        seconds: float,
        backward: bool = False,
        fps: float | None = None,
        reference: np.ndarray | None = None,
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Continue a clip forward (or backward) by `seconds`, window after window.

        Each window knows the last 9 frames made so far (forward; 8 first frames backward),
        as the model was trained. The result is the input followed (or preceded) by the new
        frames. A clip at another frame rate (fps; a Video's own by default) is given to the
        model at its own rate and kept as it is: the new frames are raised to the clip's rate
        along optical flow (retime), so the user's own frames and frame rate stay. The clip
        keeps its size too: the model works at its working size and the new frames are
        brought to the clip's, sharpened from its last (backward: first) frame
        (`fullsize.extended`). canvas: the size a caller already shrank the frames to (the
        command line, which brings the result to full size itself as it writes it): the
        result stays at it, as it does when the full-size result would hold more than
        MAX_DECODED bytes.
        """
        check_seconds(seconds)
        if not isinstance(backward, bool | np.bool_):
            raise ValueError(f"backward must be True or False, got {backward!r}")
        fps = rate_of(video, fps)
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        rate = float(self.meta["fps"])
        other = fps is not None and abs(fps - rate) > 1e-6  # the clip is at another rate
        add = max(1, round(seconds * rate))  # new frames at the model's rate
        count = max(1, round(add * fps / rate)) if other else add  # ... at the clip's
        t, h, w = video.shape[:3]
        hw = canvas or self.canvas(h, w)
        full = self._full(hw, (t + count) * h * w * 3, canvas, notices, (h, w))
        own = clip = (
            fit_frames(video, *hw, crop=False) if full else self._fit(video, notices, "video", hw)
        )
        prompt = self.complete_prompt(prompt, clip[0 if backward else -1], notices, complete)
        if other:
            clip = resample_time(clip, fps, rate)
            notices.append(
                f"video: kept at {fps:g} fps; the model sees it and makes the new frames at "
                f"{rate:g} fps, {'raised' if fps > rate else 'lowered'} to {fps:g} fps along "
                "optical flow"
            )
        ref = self._ref(reference, clip.shape[1:3], notices)
        win = self._window(ref)
        # As trained: 9 or 5 known frames forward (whole latents), 8 or 4 backward.
        choices = (8, 4) if backward else (9, 5, 1)
        fits = [c for c in choices if c <= min(len(clip), win - 1)]
        context = fits[0] if fits else min(len(clip), win - 1)
        made, at = (count, fps) if other else (add, rate)  # the new frames the user gets
        if abs(made - seconds * at) > 0.01:
            notices.append(
                f"extend: {seconds:g} s is {made} frame{'s' * (made != 1)} at {at:g} fps "
                f"({made / at:g} s)"
            )
        if backward:
            clip = clip[::-1]
        total = len(clip) + add
        frames = np.concatenate([clip, np.zeros((add, *clip.shape[1:]), np.uint8)])
        known = np.zeros(frames.shape[:3], bool)
        known[: len(clip)] = True
        # Windows overlap the frames made so far by `context` frames.
        starts = list(range(len(clip) - context, total - context, win - context))
        seed = int(seed_or_fresh(opts.pop("seed", 0)))
        if opts.get("anchor", True) is True:  # fitted per colour on the input, then kept
            opts["anchor"] = ColourAnchor()
        each = opts.pop("callback", None)
        for i, s in enumerate(starts):
            s = min(s, total - win) if total >= win else 0
            sl = slice(s, s + win)
            kv, kn = frames[sl], known[sl]
            opts["callback"] = in_window(each, i, len(starts))
            if backward:  # the model was trained with the known frames at the end
                kv, kn = kv[::-1], kn[::-1]
            task = "extend_back" if backward else "extend"
            part = self._run(prompt, kv, kn, task, [], {}, ref, seed=seed + i, **opts)
            made = part.frames[::-1] if backward else part.frames
            frames[sl] = np.where(known[sl, ..., None], frames[sl], made)
            known[sl] = True
            recipe = part.recipe
        new = frames[len(clip) :]  # (add, h, w, 3), in the order made (back in time: reversed)
        if other:  # the new frames at the clip's rate
            edge = own[0] if backward else own[-1]
            new = retime(np.concatenate([edge[None], new]), rate / fps, count)
        if full:  # the clip's own frames, and the new ones at their size
            play = new[::-1] if backward else new
            frames = gathered(extended(video, play, backward, video[0]), t + count)
        else:
            frames = np.concatenate([new[::-1], own] if backward else [own, new])
        extra = {"seconds": seconds, "backward": backward, "context": context}
        recipe = {
            **recipe,
            "task": "extend",
            "frames": len(frames),
            "seed": seed,
            "windows": len(starts),
        }
        brought = [brought_line(hw, video.shape[1:])] if full else []
        said = _merge(notices, recipe.get("notices", []), brought)
        recipe = {**recipe, **extra, "fps": fps if other else rate, "notices": said}
        return Video(np.ascontiguousarray(frames), fps if other else rate, recipe)

    @verb
    def interpolate(
        self,
        video: np.ndarray,
        *,
        factor: int,
        fps: float | None = None,
        prompt: str = "",
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Raise the frame rate `factor` times: the input frames are every factor-th frame.
        The clip comes back at its own size: the model works at its working size, and each
        made frame is the flow's between the input's own frames (`fullsize.between`), with
        the model's redraw put back resized where it kept one. canvas: the size a caller
        already shrank the frames to (the command line, which brings the result to full
        size itself as it writes it): the result stays at it, as it does when the full-size
        result would hold more than MAX_DECODED bytes. fps: the clip's rate (default: a
        Video's own, else the model's)."""
        fps = rate_of(video, fps)
        fps = float(self.meta["fps"]) if fps is None else fps  # 0 is refused below, not "unset"
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        window = self._window(None)
        check_factor(factor, window)
        if len(video) < 2:
            raise ValueError(f"interpolate needs a clip of 2 frames or more, got {len(video)}")
        check_raised_rate(fps, factor)
        t, h, w = video.shape[:3]
        hw = canvas or self.canvas(h, w)
        full = self._full(hw, ((t - 1) * factor + 1) * h * w * 3, canvas, notices, (h, w))
        clip = (
            fit_frames(video, *hw, crop=False) if full else self._fit(video, notices, "video", hw)
        )
        prompt = self.complete_prompt(prompt, clip[0], notices, complete)
        total = (len(clip) - 1) * factor + 1
        frames = np.zeros((total, *clip.shape[1:]), np.uint8)
        frames[::factor] = clip
        known = np.zeros(frames.shape[:3], bool)
        known[::factor] = True
        extra = {"factor": factor, "input_fps": fps}
        step = window - 1  # windows meet on an input frame: each holds whole gaps
        made = self._run(
            prompt,
            frames,
            known,
            "interpolate",
            notices,
            extra,
            fps=fps * factor,
            step=step,
            **opts,
        )
        if full:
            made.frames = gathered(between(video, made.frames, factor), len(made.frames))
            line = brought_line(hw, video.shape[1:])
            made.recipe["notices"] = _merge(made.recipe["notices"], [line])
        return made

    @verb
    def morph(
        self,
        a: np.ndarray,
        b: np.ndarray,
        *,
        seconds: float | None = None,
        prompt: str = "",
        even: bool = True,
        smooth: float = MORPH_SMOOTH,
        fps: float | None = None,
        **opts: Any,
    ) -> Video:
        """A transition that starts exactly on a's last frame and ends on b's first, at the
        model's frame rate (fps: a's, for a notice when it differs).

        a and b are clips (T, H, W, 3); pass an image as a 1-frame clip. smooth: sigma in
        frames of a Gaussian over time on the made frames (known.smooth_time; 0 is off), so
        texture the model redraws in each frame does not flicker. even: replay the
        transition at an even pace of change (known.even_pace). The model changes the
        picture a latent frame (4 frames) at a time, so as made it jumps every 4 frames.
        The result has A's size (B's frame is cropped to its aspect): made at the working
        size, its frames are brought to A's, sharpened from both ends (`fullsize.sharpened`),
        and replayed at an even pace again there.
        """
        fps = rate_of(a, fps)
        notices: list[str] = []
        a, b = clip_or_image(a, "A", notices), clip_or_image(b, "B", notices)
        a = video_sized(a[-1], notices, "A")[0][None]  # its last frame is all that is used
        check_smooth(smooth)
        rate = float(self.meta["fps"])
        if fps is not None and abs(fps - rate) > 1e-6:
            notices.append(f"morph: made at the model's {rate:g} fps; A is at {fps:g} fps")
        want = int(self.meta["frames"]) if seconds is None else transition_frames(seconds, rate)
        n = frames_at_least(want, self.frame_step)
        if n != want:
            notices.append(
                f"morph: {want} frames rounded up to {n} (the model needs {self.frame_step}k+1)"
            )
        size = a.shape[1:3]  # (H, W): the result's, A's
        hw = self.canvas(*size)
        full = self._full(hw, n * a[-1].size, None, notices, size)
        if full:  # the ends at A's size, and at the working size for the model
            ends = np.concatenate([a[-1:], self._fit(b[:1], notices, "B", size)])
            first, last = fit_frames(ends, *hw, crop=False)
        else:
            first = self._fit(a[-1:], notices, "A", hw)[0]
            last = self._fit(b[:1], notices, "B", hw)[0]
        frames = np.zeros((n, *first.shape), np.uint8)
        frames[0], frames[-1] = first, last
        known = np.zeros(frames.shape[:3], bool)
        known[[0, -1]] = True
        _no_canvas(opts)
        clip = self.generate(
            prompt,
            known_video=frames,
            known=known,
            frames=n,
            height=hw[0],
            width=hw[1],
            task="morph",
            extra={"seconds": (n - 1) / rate, "smooth": smooth, "even": even, "notices": notices},
            **opts,
        )
        clip.frames = smooth_time(clip.frames, smooth)
        if even:
            clip.frames = even_pace(clip.frames)
        if full:  # each made frame sharpened from A's end as much as it is still A, and B's
            s = np.linspace(0, 1, n)[1:-1, None]  # (n - 2, 1): how far along
            out = np.empty((n, *ends.shape[1:]), np.uint8)
            out[0], out[-1] = ends
            sharpened(clip.frames[1:-1], list(ends), np.hstack([1 - s, s]), out=out[1:-1])
            clip.frames = out
            if even:  # again at full size, where the detail added changes the steps
                clip.frames = even_pace(clip.frames)
            clip.recipe["notices"] = _merge(clip.recipe["notices"], [brought_line(hw, size)])
        return clip

    @verb
    def inpaint(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        mask: np.ndarray,
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Repaint the masked pixels (True = repaint; (T, H, W), or (H, W) for every frame);
        the mask may move over time. Every frame is kept, at the clip's rate: a Video's own,
        or `fps` for an array (default: the model's). The clip comes back at its own size:
        the model repaints at its working size and the region is put back into the input's frames
        (put_back), every other pixel kept. canvas: the size a caller already shrank the
        frames and the mask to (the command line, which puts the region back itself as it
        writes the result): the result stays at it."""
        opts["fps"] = rate_of(video, opts.get("fps"))
        notices: list[str] = []
        video, mask = as_clip(video, notices=notices), as_mask(mask, notices=notices)
        t, h, w = video.shape[:3]
        check_mask(mask, t, h, w)
        hw = canvas or self.canvas(h, w)
        clip = fit_frames(video, *hw, crop=False)
        small = np.broadcast_to(fit_mask(mask, *hw, crop=False), (t, *hw))  # (T, h, w)
        prompt = self.complete_prompt(prompt, clip[0], notices, complete)
        made = self._run(prompt, clip, ~small, "inpaint", notices, {}, **opts)
        if hw != (h, w):
            made.frames = put_back(video, made.frames, mask)
            line = put_back_line(hw, video.shape[1:])
            made.recipe["notices"] = _merge(made.recipe["notices"], [line])
        return made

    def placement(
        self, size: tuple[int, int], width: int, height: int, notices: list[str]
    ) -> Placement:
        """Where outpaint puts an input of size (h, w) on a width x height canvas: in the
        middle at its own size, scaled down only to leave room around it (with a notice).
        ValueError for a canvas out of bounds."""
        k = self.multiple
        if not (k <= width <= MAX_OUT_SIDE and k <= height <= MAX_OUT_SIDE):
            raise ValueError(
                f"--to must be WxH with sides from {k} to {MAX_OUT_SIDE}, got {width}x{height}"
            )
        hw = self.outpaint_canvas(height, width)
        if max(hw) > MAX_SIDE:
            raise ValueError(
                f"--to {width}x{height} is too long and thin: the model would work at "
                f"{hw[1]}x{hw[0]}, over its {MAX_SIDE} a side"
            )
        vh, vw = size
        scale = min(1.0, width / vw, height / vh)
        if scale < 1.0 or (vw, vh) == (width, height):
            scale *= 0.75  # leave something to outpaint
            notices.append(f"video: scaled by {scale:.2f} to leave room around it")
        ih, iw = max(1, round(vh * scale)), max(1, round(vw * scale))
        return Placement(height, width, (height - ih) // 2, (width - iw) // 2, ih, iw, size)

    @verb
    def outpaint(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        width: int,
        height: int,
        placed: Placement | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Grow the canvas to width x height around the video, which stays in the middle at
        its own size (scaled down only to leave room around it). The model makes the border
        at its working size, which is put back around the input's own pixels (put_back).
        Every frame is kept, at the clip's rate: a Video's own, or `fps` for an array.
        placed: the video is already placed so (`placement`) and shrunk to the working size
        (the command line, which puts the border back itself as it writes the result): the
        result stays at it."""
        opts["fps"] = rate_of(video, opts.get("fps"))
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        t = len(video)
        check_number("width", width, whole=True)
        check_number("height", height, whole=True)
        width, height = int(width), int(height)  # a numpy integer too
        where = placed or self.placement(video.shape[1:3], width, height, notices)
        hw = self.outpaint_canvas(height, width)
        if placed is None and t * height * width * 3 > MAX_DECODED:
            raise ValueError(
                f"--to {width}x{height} for {t} frames would hold "
                f"{t * height * width * 3 / 2**30:.1f} GiB of frames; choose a smaller size "
                "or cut the clip shorter"
            )
        border = where.border()  # (H, W): the same in every frame
        if placed is None:
            frames = np.empty((t, height, width, 3), np.uint8)  # the output, filled in place
            for k, frame in enumerate(video):
                frames[k] = where.place(frame)
            small = fit_frames(frames, *hw, crop=False)
        elif video.shape[1:3] != hw:
            raise ValueError(f"placed frames must be at the working size {hw}, not {video.shape}")
        else:
            small = video
        inside = np.broadcast_to(~fit_mask(border, *hw, crop=False), (t, *hw))  # wholly input
        ys, xs = np.nonzero(inside[0])  # the input's own part: none when it is tiny
        if len(ys):
            own = small[0, ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            prompt = self.complete_prompt(prompt, own, notices, complete)
        extra = {"to": [width, height]}
        made = self._run(prompt, small, inside, "outpaint", notices, extra, **opts)
        if placed is None and hw != (height, width):
            made.frames = put_back(frames, made.frames, border, inplace=True)
            line = put_back_line(hw, frames.shape[1:])
            made.recipe["notices"] = _merge(made.recipe["notices"], [line])
        return made

    @verb
    def cinemagraph(
        self,
        image: np.ndarray,
        prompt: str,
        *,
        region: np.ndarray | None = None,
        point: tuple[int, int] | None = None,
        to: tuple[int, int] | None = None,
        frames: int | None = None,
        start: float = 1.0,
        keep: bool = True,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Only the region (bool (H, W), True = may move) moves; the rest stays the image.

        Instead of a region, point (x, y) clicks the object (region_at), and to (x, y) drags
        the click where it should go, so the region holds the object's path.

        start: 1 samples the region from noise. Started from the still image (start < 1),
        the model leaves the object where it was: at 0.7 it moved as the prompt says in none
        of the eval's 12 items (docs/tasks.md). keep: the image's own object is moved as the
        model moved it (sprite.keep_look), so it keeps its look instead of the VAE's blur;
        where it cannot be cut out or followed, the model's pixels stay, with a notice."""
        read: list[str] = []  # what reading the inputs changed
        image = as_image(image, notices=read)
        region = None if region is None else as_mask(region, "the region", read)
        if region is not None and region.ndim == 3:
            region = region.any(axis=0)  # a mask clip: wherever it ever covers
            read.append("the mask is a clip: what moves is wherever any of its frames covers")
        check_what_moves(region is not None, point, to)
        check_xy("point", point)
        check_xy("to", to)
        said: dict[str, Any] = {}
        if point is not None:
            region = region_at(image, *point, to=to)
            said = {"point": list(point), **({"to": list(to)} if to is not None else {})}
        assert region is not None
        if region.shape != image.shape[:2]:
            raise ValueError(
                f"the mask is {region.shape[1]}x{region.shape[0]} but the image is "
                f"{image.shape[1]}x{image.shape[0]}; make them match"
            )
        if not region.any():
            raise ValueError("the region is empty: mark what should move in white (over mid-grey)")
        check_frames(frames)
        image, region = video_sized(image, read, "the image", region)
        assert region is not None
        notices = read
        hw = self.canvas(*image.shape[:2])
        img = fit_frames(image[None], *hw, crop=False)[0]
        m = fit_mask(region, *hw, crop=False)
        n = frames or self._window(None)
        prompt = self.complete_prompt(prompt, img, notices, complete)
        video = np.repeat(img[None], n, axis=0)
        known = np.repeat(~m[None], n, axis=0)
        known[0] = True
        extra = {"keep": keep, **said}
        clip = self._run(prompt, video, known, "cinemagraph", notices, extra, start=start, **opts)
        kept = None
        if keep:  # at the image's own size: its own object, sharp, moved as the model moved it
            big = np.stack([resize(f, *image.shape[:2]) for f in clip.frames])
            kept = keep_look(image, region, big)
            if kept is None:
                notices.append(
                    "cinemagraph: no single object to follow in the region; the model's "
                    "pixels are kept"
                )
        if hw != image.shape[:2]:
            notices.append(put_back_line(hw, image.shape))
            if kept is None:
                still = np.repeat(image[None], len(clip.frames), axis=0)
                moves = np.repeat(region[None], len(still), axis=0)
                moves[0] = False  # frame 0 is the image
                clip.frames = put_back(still, clip.frames, moves, inplace=True)
        if kept is not None:
            clip.frames = kept
        clip.recipe["notices"] = _merge(clip.recipe["notices"], notices)
        return clip

    @verb
    def stylize(
        self,
        video: np.ndarray,
        prompt: str,
        *,
        strength: float = 0.6,
        canvas: tuple[int, int] | None = None,
        complete: bool = True,
        **opts: Any,
    ) -> Video:
        """Video to video: keep the motion, change what the prompt changes. strength 0..1:
        how far the clip is noised before the model redraws it (1 = ignore the input).
        Every frame is kept, at the clip's rate: a Video's own, or `fps` for an array. The
        clip keeps its size: the model works at its working size and each frame is brought
        to the clip's, sharpened from the clip's own frame at that time (`fullsize.restyled`),
        so what the model left as it was keeps its detail. canvas: the size a caller already
        shrank the frames to (the command line, which brings the result to full size
        itself as it writes it): the result stays at it, as it does when the full-size
        result would hold more than MAX_DECODED bytes."""
        if "start" in opts:
            raise ValueError(
                "stylize takes no start: its strength (0..1) is how far the clip is noised, "
                "where sampling starts"
            )
        opts["fps"] = rate_of(video, opts.get("fps"))
        notices: list[str] = []
        video = as_clip(video, notices=notices)
        check_strength(strength)
        t, h, w = video.shape[:3]
        hw = canvas or self.canvas(h, w)
        full = self._full(hw, video.nbytes, canvas, notices, (h, w))
        clip = (
            fit_frames(video, *hw, crop=False) if full else self._fit(video, notices, "video", hw)
        )
        known = np.zeros(clip.shape[:3], bool)
        prompt = self.complete_prompt(prompt, clip[0], notices, complete)
        made = self._run(
            prompt, clip, known, "stylize", notices, {}, init=clip, strength=strength, **opts
        )
        if full:
            made.frames = gathered(restyled(video, made.frames), t)
            made.recipe["notices"] = _merge(made.recipe["notices"], [restyled_line(hw, (h, w))])
        return made


def video_sized(
    image: np.ndarray, notices: list[str], what: str, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """A still (H, W, 3) that a video is made at, and its mask (H, W) with it: a photo over
    MAX_STILL_PIXELS (a phone's 24 MP) scaled down to that area, with a notice. At its own
    size the video would hold gigabytes a second and play in few players."""
    h, w = image.shape[:2]
    if h * w <= MAX_STILL_PIXELS:
        return image, mask
    s = math.sqrt(MAX_STILL_PIXELS / (h * w))
    nh, nw = int(h * s) // 2 * 2, int(w * s) // 2 * 2  # even sides, as an .mp4 needs
    notices.append(
        f"{what}: {w}x{h} scaled to {nw}x{nh} for the video (4K's area; a larger video "
        "plays in few players)"
    )
    small = None if mask is None else resize(mask.astype(np.uint8) * 255, nh, nw) >= 128
    return resize(image, nh, nw), small


def in_window(
    callback: Callable[[dict[str, Any]], None] | None, k: int, n: int
) -> Callable[[dict[str, Any]], None] | None:
    """callback, told which window of n (k from 0) each sampling step is in; the outermost
    count wins (extend's windows, each made by _run as one)."""
    if callback is None:
        return None

    def told(info: dict[str, Any]) -> None:
        callback({**info, "window": k, "windows": n})

    return told


def retime(seq: np.ndarray, step: float, count: int) -> np.ndarray:
    """Frames at positions step, 2 step, ..., count step along seq (T, H, W, 3), a clip whose
    frames are 1 apart; between two frames, along their optical flow (flow_between). Past
    the last frame, the last frame. uint8 (count, H, W, 3)."""
    from .eval.metrics import flow_between

    at = np.minimum(np.arange(1, count + 1) * step, len(seq) - 1)
    out = np.empty((count, *seq.shape[1:]), np.uint8)
    for i in np.unique(np.minimum(np.floor(at).astype(int), len(seq) - 2)):
        mine = np.flatnonzero(np.minimum(np.floor(at).astype(int), len(seq) - 2) == i)
        out[mine] = flow_between(seq[i], seq[i + 1], at[mine] - i)
    return out


def put_back_line(hw: tuple[int, int], shape: tuple[int, ...]) -> str:
    """The notice of a verb that made its region at the working size hw and put it back
    into the original frames, of shape (H, W, ...), which keep their size."""
    return (
        f"made at {hw[1]}x{hw[0]}, the model's working size, and put back into the "
        f"{shape[1]}x{shape[0]} frames; every other pixel is the input's"
    )


def brought_line(hw: tuple[int, int], shape: tuple[int, ...]) -> str:
    """The notice of a verb that made new frames at the working size hw and brought them
    to its input's size, shape (H, W, ...), keeping the input's own frames."""
    return (
        f"made at {hw[1]}x{hw[0]}, the model's working size, and brought to the input's "
        f"{shape[1]}x{shape[0]}; its own frames are kept as they are"
    )


def restyled_line(hw: tuple[int, int], shape: tuple[int, ...]) -> str:
    """The notice of stylize, made at the working size hw and brought to its input's size,
    shape (H, W, ...), with the input's detail where the model kept the picture."""
    return (
        f"made at {hw[1]}x{hw[0]}, the model's working size, and brought to the input's "
        f"{shape[1]}x{shape[0]}, its own detail kept where the model kept the picture"
    )


def _merge(*notices: list[str]) -> list[str]:
    """Notice lists joined, each line once, in order."""
    return list(dict.fromkeys(line for lines in notices for line in lines))


def window_starts(total: int, win: int, step: int | None = None) -> list[int]:
    """Start frames of windows that cover 0..total, each overlapping the last by a quarter
    window (rounded to the model's 4-frame latents), or step frames apart; the last one
    ends at the clip's end."""
    if total <= win:
        return [0]
    step = step or max(4, (win - 1) * 3 // 4 // 4 * 4)
    starts = list(range(0, total - win, step))
    return [*starts, total - win]
