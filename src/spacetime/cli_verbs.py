"""The task verbs of the `spacetime` command: animate, extend, interpolate, morph, inpaint,
outpaint, cinemagraph, stylize. Each reads the user's media, runs the Pipeline method of the
same name, prints the notices (what was resized or rounded) and writes the clip with its
recipe, inputs included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from . import progress
from .cli import (
    Quiet,
    Seed,
    VideoOut,
    _say,
    app,
    check_out,
    invocation,
    load_model,
    load_options,
    steps_bar,
    user_errors,
    wrote,
)

Model = Annotated[
    Path | None, typer.Option("--model", "-m", help="A model folder (default: shipped).")
]
Steps = Annotated[int | None, typer.Option("--steps", help="Sampling steps.")]
Guidance = Annotated[float | None, typer.Option("--guidance", help="Text guidance (1 = off).")]
Negative = Annotated[str, typer.Option("--negative", help="What not to show.")]
Start = Annotated[
    float | None,
    typer.Option(
        "--start",
        help="Start from the classical guess noised to this level, 0..1 (1: from noise; "
        "default 0.7).",
    ),
]
Frames = Annotated[int | None, typer.Option("--frames", help="Frames to make.")]
Fps = Annotated[float | None, typer.Option("--fps", help="Frames per second of the input.")]
Reference = Annotated[
    Path | None,
    typer.Option("--reference", help="An image of the character or style to keep."),
]
Prompt = Annotated[str, typer.Argument(help="What should happen.")]
AsWritten = Annotated[
    bool,
    typer.Option(
        "--as-written",
        help="Keep the prompt as written; by default a prompt that names no background gets "
        "the one the input shows.",
    ),
]
Media = Annotated[Path, typer.Argument(help="An image or a video (.mp4 .webm .gif, PNG folder).")]


def _prepare(
    out: Path,
    inputs: dict[str, Path],
    model: Path | None,
    frames: int | None = None,
    check: Callable[[dict], None] | None = None,
) -> Any:
    """Check the output path against the inputs (and frames and check against the model's
    configs: `load_model`), then load the model."""
    check_out(out, inputs)
    return load_model(model, frames, check)


def _run(
    pipe: Any,
    out: Path,
    quiet: bool,
    inputs: dict[str, Path],
    verb: str,
    *args: Any,
    notes: list[str] | None = None,
    said: dict[str, Any] | None = None,
    full: Callable[[Any], Any] | None = None,
    sound: Path | None = None,
    sound_at: Callable[[Any], tuple[float, str]] | None = None,
    **kwargs: Any,
) -> None:
    """Run pipe.verb(*args, **kwargs) with a progress bar, write the clip a frame at a time.
    notes: what reading the inputs assumed or changed; said: options the recipe must hold
    that the verb does not record (a --box); full: the verb's result (a Video at the
    working size) to the io.Stream of it at the input's size, made as it is written;
    sound: the input whose sound the result keeps (a verb that keeps every frame's time, or
    extend's own frames); sound_at(result): where in it that sound starts (s), and what
    is silent (extend's new seconds; "" for nothing)."""
    import av

    from .io import Stream, digest, write_video
    from .io.video import add_sound, sound_fits, sound_note

    carried = sound is not None and sound_fits(sound, out)

    with progress.bar(quiet) as bar:
        task = bar.add_task(verb, total=None)
        step = steps_bar(bar, task, verb)
        video = getattr(pipe, verb)(*args, callback=step, **kwargs)
        made = full(video) if full else video
        given = {k: digest(p) for k, p in inputs.items()}
        recipe = {**made.recipe, **(said or {}), "inputs": given, **invocation()}
        recipe["notices"] = list(dict.fromkeys([*(notes or []), *recipe.get("notices", [])]))
        if carried:  # said at reading as not kept: the file says kept once it is
            at, added = sound_at(made) if sound_at else (0.0, "")
            lost, kept = sound_note(sound, False), sound_note(sound, True, added)  # type: ignore[arg-type]
        for line in recipe["notices"]:  # the sound's is said once the copy is done
            if not (carried and line == lost):
                _say(quiet, f"note: {line}")
        n, h, w = made.num_frames, made.height, made.width
        writing = bar.add_task("writing", total=n)

        def frames() -> Any:
            for frame in made.frames:
                yield frame
                bar.advance(writing)

        write_video(Stream(frames(), n, h, w, made.fps, recipe), out)
        if carried:
            try:
                add_sound(out, sound, at, (lost, kept))  # type: ignore[arg-type]
                _say(quiet, f"note: {kept}")
            except (av.FFmpegError, OSError, ValueError) as e:  # the pictures are written
                _say(quiet, f"note: {lost}")
                _say(quiet, f"note: {sound.name}: its sound could not be copied ({e})")  # type: ignore[union-attr]
    _say(quiet, wrote(out, n, w, h, made.fps))


def _media(path: Path, notes: list[str], only: str | None = None) -> Any:
    from .io import read_media

    return read_media(path, notes, only)


def _frames_of(path: Path) -> Any:
    """The frames of an input file, one at a time, as the verb read them (io.iter_media)."""
    from .io import iter_media

    return iter_media(path)


def _whole(
    path: Path,
    notes: list[str],
    out: Path,
    inputs: dict[str, Path],
    model: Path | None,
    keep: bool = False,
    check: Callable[[dict], None] | None = None,
    fps: float | None = None,
) -> tuple[Any, Any, tuple[int, int], bool]:
    """(pipe, clip, canvas, kept) for a verb that works on every frame at the model's
    working size: the clip is checked readable, the model loaded, then every frame shrunk
    to the canvas as it is decoded, so a long 4K clip never sits in memory at full size.
    The verb is given the canvas, which the shrunk frames already have. keep: the caller
    brings the result back to the input's size, so frames are resized whole, not cropped,
    when it can (kept: the canvas is not the clip's size and has its aspect but for
    rounding). fps: the clip's rate as the user gave it (read_media)."""
    from .inputs import fit_frames
    from .io import VideoError, check_output, read_media

    _media(path, [], "first")  # a bad path or file fails before the model loads
    pipe = _prepare(out, inputs, model, check=check)
    sizes: list[Any] = []  # the first frame's size, its canvas, and whether it is kept

    def fit(frame: Any) -> Any:
        if not sizes:
            size = frame.shape[:2]
            canvas = pipe.canvas(*size)
            sizes.extend([size, canvas, keep and pipe.keeps_size(canvas, size)])
        elif frame.shape[:2] != sizes[0]:
            (h, w), (fh, fw) = sizes[0], frame.shape[:2]
            raise VideoError(
                f"cannot read {path}: its frames differ in size ({w}x{h}, then {fw}x{fh}); "
                "re-export it at one size"
            )
        return fit_frames(frame[None], *sizes[1], crop=not sizes[2])[0]

    clip = read_media(path, notes, each=fit, fps=fps)
    check_output(out, clip.fps)  # kept by the verb: a GIF's rate at most, before the work
    (fh, fw), (h, w), kept = sizes
    if (fh, fw) != (h, w) and not kept:
        notes.append(f"video: {fw}x{fh} cropped and resized to {w}x{h}")
    return pipe, clip, (h, w), kept and (fh, fw) != (h, w)


def _opts(
    seed: int,
    steps: int | None,
    guidance: float | None,
    negative: str,
    start: float | None = None,
) -> dict[str, Any]:
    """The common options, checked before the model loads."""
    from .checks import check_options

    check_options("", known=True, seed=seed, steps=steps, guidance=guidance, start=start)
    opts = {"seed": seed, "steps": steps, "guidance": guidance, "negative": negative}
    return opts if start is None else {**opts, "start": start}


def _image(path: Path | None, notes: list[str], role: str = "reference") -> Any:
    """An image input (H, W, 3); a clip's first frame, with a note saying so (as_image)."""
    from .inputs import as_image

    return None if path is None else as_image(path, f"the {role}", notes)


@app.command("animate")
@user_errors
@load_options()
def animate(
    image: Annotated[Path, typer.Argument(help="The first frame (an image or a clip's frame 0).")],
    prompt: Prompt,
    out: VideoOut,
    model: Model = None,
    frames: Frames = None,
    reference: Reference = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Start = None,
    negative: Negative = "",
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Image to video: IMAGE is frame 0, PROMPT says what happens; at the image's own size."""
    from .checks import check_frames

    notes: list[str] = []
    check_frames(frames)
    img = _image(image, notes, "image")
    opts = _opts(seed, steps, guidance, negative, start)
    ref = _image(reference, notes)
    inputs = {"image": image, **({"reference": reference} if reference else {})}
    _run(
        _prepare(out, inputs, model, frames),
        out,
        quiet,
        inputs,
        "animate",
        img,
        prompt,
        frames=frames,
        reference=ref,
        **opts,
        complete=not as_written,
        notes=notes,
    )


@app.command("extend")
@user_errors
@load_options()
def extend(
    video: Media,
    prompt: Prompt,
    out: VideoOut,
    seconds: Annotated[float, typer.Option("--seconds", help="Seconds to add.")] = 2.0,
    backward: Annotated[
        bool, typer.Option("--backward", help="Add the new frames before the clip.")
    ] = False,
    model: Model = None,
    reference: Reference = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Start = None,
    negative: Negative = "",
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Continue a clip forward (or --backward) by --seconds, at its own size.

    Window after window, of any length: its frames go from the file to the output one at a
    time."""
    from .checks import check_seconds
    from .io.media import is_still

    check_seconds(seconds)
    notes: list[str] = []
    opts = _opts(seed, steps, guidance, negative, start)
    inputs = {"video": video, **({"reference": reference} if reference else {})}
    ref = _image(reference, notes)
    full = None
    if is_still(video):  # one frame: read whole, the verb checks the rest
        clip, canvas, pipe = _media(video, notes), None, _prepare(out, inputs, model)
    else:
        pipe, clip, canvas, kept = _whole(video, notes, out, inputs, model, keep=True)
        if kept:
            full = _extension(video, clip.num_frames, backward)

    def sound_at(made: Any) -> tuple[float, str]:  # the clip's sound under its own frames
        new = (made.num_frames - clip.num_frames) / made.fps  # seconds added
        side = "before" if backward else "after"
        return (new if backward else 0.0), f"the {new:g} s added {side} it"

    _run(
        pipe,
        out,
        quiet,
        inputs,
        "extend",
        clip.frames,
        prompt,
        seconds=seconds,
        backward=backward,
        fps=clip.fps,
        reference=ref,
        **opts,
        canvas=canvas,
        complete=not as_written,
        notes=notes,
        full=full,
        sound=None if is_still(video) else video,
        sound_at=sound_at,
    )


def _streamed(
    path: Path, bring: Callable[[Any, Any], Any], line: Callable[..., str]
) -> Callable[[Any], Any]:
    """A verb's result at the working size (a Video) to the io.Stream of it at the size of
    the clip at path, made as it is written: bring(made, first) yields the full-size frames
    (first: the clip's first frame), line(hw, shape) is the notice that says so."""
    from .io import Stream

    def full(made: Any) -> Any:
        first = _media(path, [], "first").frames[0]
        notices = [*made.recipe["notices"], line(made.frames.shape[1:3], first.shape)]
        recipe = {**made.recipe, "notices": notices}
        frames = bring(made, first)
        return Stream(frames, made.num_frames, *first.shape[:2], made.fps, recipe)

    return full


def _extension(path: Path, t: int, backward: bool) -> Callable[[Any], Any]:
    """extend's result at the working size (its t frames of the clip at path, then the new
    ones) streamed at the clip's size: the clip's own frames read again as they are
    written, the new ones sharpened from its last (backward: first) frame."""
    from .fullsize import extended
    from .verbs import brought_line

    def bring(made: Any, first: Any) -> Any:
        count = made.num_frames - t
        new = made.frames[:count] if backward else made.frames[t:]  # (count, h, w, 3)
        return extended(_frames_of(path), new, backward, first)

    return _streamed(path, bring, brought_line)


@app.command("interpolate")
@user_errors
@load_options()
def interpolate(
    video: Media,
    out: VideoOut,
    factor: Annotated[
        int,
        typer.Option("--factor", help="Frame-rate multiplier: 2, 4, 8 or 16 (the shipped model)."),
    ] = 4,
    prompt: Annotated[str, typer.Option("--prompt", help="What the clip shows (optional).")] = "",
    fps: Fps = None,
    model: Model = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Start = None,
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Fill in frames: FACTOR times the input's frame rate, at its own size.

    Of any length: its frames go from the file to the output one at a time."""
    from .io.media import is_still, probe_media

    notes: list[str] = []
    opts = _opts(seed, steps, guidance, "", start)
    if is_still(video):  # before the model loads
        raise ValueError("interpolate needs a clip of 2 frames or more, got 1")
    seen = probe_media(video)  # a bad path or file fails before the model loads
    if seen.num_frames < 2:
        raise ValueError(f"interpolate needs a clip of 2 frames or more, got {seen.num_frames}")
    from .checks import check_factor, check_raised_rate
    from .io import check_output

    check_raised_rate(seen.fps if fps is None else fps, max(factor, 1))  # before the load
    check_output(out, (seen.fps if fps is None else fps) * factor)  # a GIF's rate at most

    inputs = {"video": video}
    pipe, clip, canvas, kept = _whole(
        video, notes, out, inputs, model, True, lambda m: check_factor(factor, m["frames"]), fps
    )
    _run(
        pipe,
        out,
        quiet,
        {"video": video},
        "interpolate",
        clip.frames,
        factor=factor,
        fps=clip.fps,
        prompt=prompt,
        **opts,
        canvas=canvas,
        complete=not as_written,
        notes=notes,
        full=_between(video, factor) if kept else None,
        sound=video if fps is None else None,  # a rate given is another timeline
    )


def _between(path: Path, factor: int) -> Callable[[Any], Any]:
    """interpolate's result at the working size streamed at the clip's size: the clip's
    own frames read again as they are written, the frames between each two made along
    their flow at full size, with the model's redraw put back (fullsize.between)."""
    from .fullsize import between
    from .verbs import brought_line

    def bring(made: Any, first: Any) -> Any:
        return between(_frames_of(path), made.frames, factor)

    return _streamed(path, bring, brought_line)


@app.command("morph")
@user_errors
@load_options()
def morph(
    a: Annotated[Path, typer.Argument(help="Where to start: an image or a clip (its last frame).")],
    b: Annotated[Path, typer.Argument(help="Where to end: an image or a clip (its first frame).")],
    out: VideoOut,
    seconds: Annotated[
        float | None, typer.Option("--seconds", help="Length of the transition.")
    ] = None,
    prompt: Annotated[str, typer.Option("--prompt", help="What happens in between.")] = "",
    even: Annotated[
        bool,
        typer.Option(
            "--even/--as-made",
            help="Replay the transition at an even pace of change, or as the model made it "
            "(a step every 4 frames).",
        ),
    ] = True,
    smooth: Annotated[
        float | None,
        typer.Option(
            "--smooth",
            help="Smooth the made frames over time with a Gaussian of this sigma in frames, "
            "so redrawn texture does not flicker (0: off; default 2).",
        ),
    ] = None,
    model: Model = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Start = None,
    quiet: Quiet = False,
) -> None:
    """A transition from A's last frame to B's first frame, both kept exactly, at A's size."""
    from .checks import check_seconds, check_smooth, transition_frames

    if seconds is not None:
        check_seconds(seconds)
    if smooth is not None:
        check_smooth(smooth)
    notes: list[str] = []
    opts = _opts(seed, steps, guidance, "", start)
    end_of_a = _media(a, notes, "last")
    start_of_b = _media(b, notes, "first")
    _run(
        _prepare(
            out,
            {"a": a, "b": b},
            model,
            check=None if seconds is None else lambda m: transition_frames(seconds, m["fps"]),
        ),
        out,
        quiet,
        {"a": a, "b": b},
        "morph",
        end_of_a.frames,
        start_of_b.frames,
        fps=end_of_a.fps,
        seconds=seconds,
        prompt=prompt,
        even=even,
        **({} if smooth is None else {"smooth": smooth}),
        **opts,
        notes=notes,
    )


@app.command("inpaint")
@user_errors
@load_options()
def inpaint(
    video: Media,
    prompt: Prompt,
    out: VideoOut,
    mask: Annotated[
        Path | None,
        typer.Option(
            "--mask",
            help="Mask image or clip: white (or a PNG's transparent part) = repaint; may move.",
        ),
    ] = None,
    box: Annotated[
        str | None, typer.Option("--box", help="X,Y,W,H in pixels of the video: repaint it.")
    ] = None,
    model: Model = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Start = None,
    negative: Negative = "",
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Repaint a region of a clip, given by --mask or --box; at its own size.

    Of any length: its frames go from the file to the output one at a time."""
    from .checks import EMPTY_MASK
    from .inputs import box_mask, fit_mask_each, parse_box, put_back_each
    from .io import iter_mask
    from .io.media import probe_media
    from .verbs import put_back_line

    notes: list[str] = []
    if (mask is None) == (box is None):
        raise ValueError("give the region to repaint with exactly one of --mask or --box")
    opts = _opts(seed, steps, guidance, negative, start)
    head = _media(video, [], "first")  # a bad path or file fails before the model loads
    h, w = head.height, head.width
    said: dict[str, Any] = {}
    if mask is not None:
        top = next(iter_mask(mask, notes))  # (H, W): a bad file or size fails before loading
        mh, mw = top.shape
        if (mh, mw) != (h, w):
            raise ValueError(f"the mask is {mw}x{mh} but the video is {w}x{h}; make them match")
        m, t = probe_media(mask).num_frames, probe_media(video).num_frames  # from the headers
        if m not in (1, t):
            raise ValueError(
                f"the mask has {m} frames but the video has {t}; make them match, or give "
                "one mask image for every frame"
            )
        if m == 1 and not top.any():
            raise ValueError(EMPTY_MASK)
        region: Any = None  # a mask clip is read again, a frame at a time, as it is put back
    else:
        x, y, bw, bh = parse_box(box)  # type: ignore[arg-type]
        said = {"box": [x, y, bw, bh]}
        region = box_mask(h, w, (x, y, bw, bh))  # (H, W)
        if x + bw > w or y + bh > h:
            cut = f"{x},{y},{min(bw, w - x)},{min(bh, h - y)}"
            notes.append(f"--box {box} reaches past the {w}x{h} video; cut to {cut}")
    inputs = {"video": video, **({"mask": mask} if mask else {})}
    pipe, clip, canvas, kept = _whole(video, notes, out, inputs, model, keep=True)
    crop = not kept and (h, w) != canvas
    masks = iter_mask(mask) if mask is not None else [region]
    small = fit_mask_each(masks, clip.num_frames, h, w, canvas, crop)  # (T, h, w) or (h, w)
    if mask is not None and small.ndim == 2:
        region = top  # a mask image: (H, W), held

    def bring(made: Any, first: Any) -> Any:
        regions = region if region is not None else iter_mask(mask)  # type: ignore[arg-type]
        return put_back_each(_frames_of(video), made.frames, regions)

    _run(
        pipe,
        out,
        quiet,
        inputs,
        "inpaint",
        clip.frames,
        prompt,
        mask=small,
        fps=clip.fps,
        canvas=canvas,
        **opts,
        complete=not as_written,
        notes=notes,
        said=said,
        full=_streamed(video, bring, put_back_line) if kept else None,
        sound=video,
    )


@app.command("outpaint")
@user_errors
@load_options()
def outpaint(
    video: Media,
    prompt: Prompt,
    out: VideoOut,
    to: Annotated[str, typer.Option("--to", help="The new canvas, WxH in pixels, e.g. 96x64.")],
    model: Model = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Start = None,
    negative: Negative = "",
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Grow the canvas around a clip to WxH; the clip stays in the middle.

    Of any length: its frames go from the file to the output one at a time."""
    from .inputs import fit_frames, parse_size, put_back_each
    from .io import Stream, read_media
    from .verbs import MAX_OUT_SIDE, put_back_line

    notes: list[str] = []
    w, h = parse_size(to)
    if max(w, h) > MAX_OUT_SIDE:  # before the load; the model's multiple is checked after
        raise ValueError(f"--to must be WxH with sides at most {MAX_OUT_SIDE}, got {w}x{h}")
    opts = _opts(seed, steps, guidance, negative, start)
    head = _media(video, [], "first").frames[0]  # a bad path or file fails before the load
    pipe = _prepare(out, {"video": video}, model)
    where = pipe.placement(head.shape[:2], w, h, notes)
    hw = pipe.outpaint_canvas(h, w)
    clip = read_media(video, notes, each=lambda f: fit_frames(where.place(f)[None], *hw, False)[0])

    def full(made: Any) -> Any:  # the border put back around the clip's own frames
        line = put_back_line(made.frames.shape[1:3], (h, w, 3))
        recipe = {**made.recipe, "notices": [*made.recipe["notices"], line]}
        frames = put_back_each(map(where.place, _frames_of(video)), made.frames, where.border())
        return Stream(frames, made.num_frames, h, w, made.fps, recipe)

    _run(
        pipe,
        out,
        quiet,
        {"video": video},
        "outpaint",
        clip.frames,
        prompt,
        width=w,
        height=h,
        placed=where,
        fps=clip.fps,
        **opts,
        complete=not as_written,
        notes=notes,
        full=full if hw != (h, w) else None,
        sound=video,
    )


@app.command("cinemagraph")
@user_errors
@load_options()
def cinemagraph(
    image: Annotated[Path, typer.Argument(help="The still image.")],
    prompt: Prompt,
    out: VideoOut,
    point: Annotated[
        str | None, typer.Option("--point", help="X,Y of the object that moves.")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="X,Y to drag the --point to: room for the object's path."),
    ] = None,
    mask: Annotated[
        Path | None,
        typer.Option("--mask", help="Mask image: white (or a PNG's transparent part) = may move."),
    ] = None,
    frames: Frames = None,
    model: Model = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    start: Annotated[
        float | None,
        typer.Option(
            "--start",
            help="Start from the still image noised to this level, 0..1 (default 1: from "
            "noise; lower keeps the region closer to the still, and it moves less).",
        ),
    ] = None,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep/--as-made",
            help="Move the image's own object as the model moves it, so it keeps its look, "
            "or keep the pixels as the model made them.",
        ),
    ] = True,
    negative: Negative = "",
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Bring one part of a still to life: only the clicked object (or masked region) moves."""
    from .checks import check_frames, check_what_moves
    from .inputs import region_at
    from .io import read_mask

    check_what_moves(mask is not None, point, to)  # what the verb refuses, before the load
    check_frames(frames)
    opts = _opts(seed, steps, guidance, negative, start)
    xy = {"point": None if point is None else _xy(point, "--point")}
    xy["to"] = None if to is None else _xy(to, "--to")
    notes: list[str] = []
    img = _image(image, notes, "image")
    region = None if mask is None else read_mask(mask, notes)  # a clip: the verb says so
    if xy["point"] is not None:  # a point off the image or on the background: before the load
        region_at(img, *xy["point"], to=xy["to"])
    inputs = {"image": image, **({"mask": mask} if mask else {})}
    _run(
        _prepare(out, inputs, model, frames),
        out,
        quiet,
        inputs,
        "cinemagraph",
        img,
        prompt,
        region=region,
        **xy,
        frames=frames,
        keep=keep,
        **opts,
        complete=not as_written,
        notes=notes,
    )


def _xy(text: str, name: str) -> tuple[int, int]:
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"{name} is X,Y in pixels, e.g. 20,30; got {text!r}") from None
    return x, y


@app.command("stylize")
@user_errors
@load_options()
def stylize(
    video: Media,
    prompt: Prompt,
    out: VideoOut,
    strength: Annotated[
        float, typer.Option("--strength", help="0..1: how much may change (1 = ignore input).")
    ] = 0.6,
    model: Model = None,
    seed: Seed = 0,
    steps: Steps = None,
    guidance: Guidance = None,
    negative: Negative = "",
    as_written: AsWritten = False,
    quiet: Quiet = False,
) -> None:
    """Video to video: keep the motion, change what the prompt changes; at its own size.

    Of any length: its frames go from the file to the output one at a time."""
    from .checks import check_strength
    from .fullsize import restyled
    from .verbs import restyled_line

    check_strength(strength)
    opts = _opts(seed, steps, guidance, negative)
    notes: list[str] = []
    pipe, clip, canvas, kept = _whole(video, notes, out, {"video": video}, model, keep=True)

    def bring(made: Any, first: Any) -> Any:
        return restyled(_frames_of(video), made.frames)

    _run(
        pipe,
        out,
        quiet,
        {"video": video},
        "stylize",
        clip.frames,
        prompt,
        strength=strength,
        fps=clip.fps,
        **opts,
        canvas=canvas,
        complete=not as_written,
        notes=notes,
        full=_streamed(video, bring, restyled_line) if kept else None,
        sound=video,
    )
