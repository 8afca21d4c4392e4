"""The `spacetime` command: thin verbs over the Python API.

A user mistake (bad prompt, unreadable file, impossible size) prints one line starting with
"error:" and exits with code 2; it never prints a traceback and never leaves a partial file.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from . import __version__, progress
from .provenance import made_by


def _kinds(e: BaseException) -> set[str]:
    """The names of e's classes: click's errors come from typer's own copy or from click."""
    return {c.__name__ for c in type(e).__mro__}


def _tidy_help(cmd: Any) -> None:
    """Tidy the help of cmd and its subcommands as typer 0.29 prints it: join the lines of
    each paragraph (it kept a docstring's line breaks, mid-sentence), show no type for a
    flag (`--quiet <bool>` reads as if it took a value), the type of one value for an option
    given again for each (`--lora <str>`, not `<list[str]>`), and name arguments in capitals."""
    if cmd.help:
        paragraphs = inspect.cleandoc(cmd.help).split("\n\n")
        cmd.help = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    for param in [*cmd.params, cmd.get_help_option(cmd.context_class(cmd))]:  # --help: cached
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
        elif getattr(param, "multiple", False) and param.metavar is None:
            param.metavar = "<str>"  # each of ours is a string: --lora, --input
        elif param is not None and param.param_type_name == "argument":
            param.metavar = param.metavar or param.name.upper()  # "CONFIG", not "{config}"
            # typer 0.29 draws a required argument as {CONFIG} on the usage line
            param._usage_display_name = functools.partial(_usage_name, param)
    for sub in getattr(cmd, "commands", {}).values():
        _tidy_help(sub)


def _usage_name(param: Any) -> str:
    """An argument on the usage line: CONFIG, [CONFIG] when optional, CONFIG... for many."""
    name = param.metavar if param.required else f"[{param.metavar}]"
    return name + ("..." if param.nargs != 1 else "")


class OneLineErrors(TyperGroup):
    """Say a command-line mistake (missing option, not a number, no such command) in one
    line, as every other user error is said, instead of click's usage box."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        _tidy_help(self)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except Exception as e:
            kinds = _kinds(e)
            if not standalone_mode or "UsageError" not in kinds:
                raise
            msg = e.format_message().strip()  # type: ignore[attr-defined]
            if "NoArgsIsHelpError" in kinds:  # `spacetime` alone: the help (rich has printed it)
                if msg:
                    typer.echo(msg, err=True)
            else:
                ctx = getattr(e, "ctx", None)
                where = ctx.command_path if ctx is not None else "spacetime"
                typer.echo(f"error: {msg.rstrip('.')}; see {where} --help", err=True)
            sys.exit(2)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)  # typer.Exit(n) comes back as n


app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    help="Spacetime: generative video.",
)
world_app = typer.Typer(
    no_args_is_help=True, help="The procedural world: render, dataset, analyse, vocab."
)
app.add_typer(world_app, name="world")

F = TypeVar("F", bound=Callable[..., Any])
USER_ERRORS = (ValueError, OSError, MemoryError)  # OSError: a missing file, a full disk, ...

Frames = Annotated[int, typer.Option("--frames", help="Number of frames.")]
Fps = Annotated[float, typer.Option("--fps", help="Frames per second.")]
Size = Annotated[int, typer.Option("--size", help="Width and height in pixels (16 to 1024).")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed: same seed, same video.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
GuidanceStop = Annotated[
    float | None,
    typer.Option(
        "--guidance-stop",
        help="Share of the sampling steps, the first ones, that use text guidance, 0..1 "
        "(default: the model's).",
    ),
]


def video_out(raw: str) -> Path:
    """-o as typed: Path() drops a final slash, so a clip.mp4/ is refused while it shows."""
    from .io.video import slash_video

    if (why := slash_video(raw)) is not None:
        raise typer.BadParameter(why)
    return Path(raw)


VideoOut = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        parser=video_out,
        metavar="<path>",  # as other paths show; with a parser typer shows "<Path>"
        help="Output video (.mp4 .webm .gif, or a folder).",
    ),
]


def user_errors(fn: F) -> F:
    """Turn a user's mistake into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:  # the reader stopped (| head): nothing more to say, to no one
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except USER_ERRORS as e:
            msg = str(e) or e.__class__.__name__
            if isinstance(e, FileNotFoundError) and e.filename:
                msg = f"no such file or folder: {e.filename}"
            elif isinstance(e, NotADirectoryError) and e.filename:
                msg = f"{e.filename}: a part of this path is a file, not a folder"
            elif isinstance(e, OSError) and e.strerror and e.filename:  # no "[Errno N]"
                msg = f"{e.strerror}: {e.filename2 or e.filename}"  # 2: a rename's target
            typer.echo(f"error: {msg}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


LOAD: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("load", default=None)
RUNNING: contextvars.ContextVar[Any] = contextvars.ContextVar("running", default=None)  # Context


def _option(name: str, default: Any, kind: Any, flag: str, text: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[kind, typer.Option(flag, help=text)],
    )


LOAD_OPTIONS = [
    _option("device", "auto", str, "--device", "auto, cuda, mps or cpu."),
    _option("dtype", "auto", str, "--dtype", "auto, float32, bfloat16 or float16."),
    _option("offload", "none", str, "--offload", "CPU offload: none, model, sequential, group."),
    _option("vae_tiling", False, bool, "--vae-tiling", "Decode the video in tiles."),
    _option("vae_slicing", False, bool, "--vae-slicing", "Decode one video at a time."),
    _option("low_memory", False, bool, "--low-memory", "A sensible set of the above."),
    _option("lora", None, list[str] | None, "--lora", "PATH[:SCALE] of a LoRA; repeat for more."),
]
SIZE_OPTION = _option("size", None, str | None, "--size", "Working size, N or WxH (a multiple).")


def load_options(size: bool = True) -> Callable[[F], F]:
    """Add the device, memory and LoRA options (and --size) to a command; `load_model` reads
    them. The command's context is kept for `invocation`."""
    extra = [*LOAD_OPTIONS, *([SIZE_OPTION] if size else [])]
    names = [p.name for p in extra]
    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)

    def deco(fn: F) -> F:
        sig = inspect.signature(fn, eval_str=True)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            running = RUNNING.set(kwargs.pop("ctx", None))
            token = LOAD.set({k: kwargs.pop(k) for k in names if k in kwargs})
            try:
                return fn(*args, **kwargs)
            finally:
                LOAD.reset(token)
                RUNNING.reset(running)

        wrapper.__signature__ = sig.replace(  # type: ignore[attr-defined]
            parameters=[*sig.parameters.values(), *extra, context]
        )
        wrapper.__annotations__ = {**fn.__annotations__, **{p.name: p.annotation for p in extra}}
        return wrapper  # type: ignore[return-value]

    return deco


def load_model(
    model: Path | None, frames: int | None = None, check: Callable[[dict], None] | None = None
) -> Any:
    """Pipeline.load(model) with the options `load_options` added to the running command.
    The option names, LoRA files and a Spacetime folder's --size (and frames, when given)
    are checked first, and check is given its {frames, fps}, so a mistake is one line at
    once rather than after the load (seconds to import torch, minutes for a large model)."""
    from .external.devices import Memory
    from .inputs import parse_size
    from .models.lora import parse

    o = dict(LOAD.get() or {})
    loras, size = o.pop("lora", None) or [], o.pop("size", None)
    Memory(**o).check()
    for spec in loras:
        parse(spec)
    defaults = {}
    if size:
        defaults["width"], defaults["height"] = parse_size(size)
    _check_before_load(model, frames, (defaults.get("height"), defaults.get("width")), check)
    from .pipeline import Pipeline  # torch and diffusers: seconds to import

    return Pipeline.load(model, Memory(**o), loras, **defaults)


def _check_before_load(
    model: Path | None, frames: int | None, sides: tuple, check: Callable[[dict], None] | None
) -> None:
    """check_shape with the frame step (the VAE's temporal factor) and size multiple (its
    spatial factor times the transformer's patch) read from a Spacetime folder's config
    files, then check({frames, fps} of its spacetime.json); nothing for another family's
    folder, or one the load will say is broken."""
    import json

    from .checks import check_shape
    from .models import shipped_folder

    folder = Path(model) if model else shipped_folder()
    try:
        if not (folder / "spacetime.json").is_file():
            return
        meta = json.loads((folder / "spacetime.json").read_text())
        vae = json.loads((folder / "vae" / "config.json").read_text())
        tr = json.loads((folder / "transformer" / "config.json").read_text())
        step = int(vae["scale_factor_temporal"])
        multiple = int(vae["scale_factor_spatial"]) * int(tr["patch_size"][1])
        made = {"frames": int(meta["frames"]), "fps": float(meta["fps"])}  # what a clip is
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return
    check_shape(frames, tuple(v for v in sides if v is not None), step, multiple)
    if check is not None:
        check(made)


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        typer.echo(text)


def check_world_size(size: int) -> None:
    """--size of world clips: the sides the renderer draws."""
    from .world.render import MAX_SIZE, MIN_SIZE

    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"--size must be from {MIN_SIZE} to {MAX_SIZE}, got {size}")


def check_fps(fps: float) -> None:
    """--fps within the frame rates a clip may have (nan is not)."""
    from .io.video import MAX_FPS, MIN_FPS

    if not MIN_FPS <= fps <= MAX_FPS:
        raise ValueError(f"--fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {fps}")


def n_frames(n: int) -> str:
    """'1 frame', '17 frames'."""
    return f"{n} frame" if n == 1 else f"{n} frames"


def wrote(out: Path, n: int, w: int, h: int, fps: float) -> str:
    """The line a command ends with: what it wrote, and the size an .mp4 or .webm stores
    when w or h is odd (yuv420p needs even sides; the edge is repeated, and spacetime
    reads the file back at w x h)."""
    count = n_frames(n)
    rate = f", {fps:g} fps"
    stored = ""
    if out.suffix.lower() in (".mp4", ".webm") and (w % 2 or h % 2):
        stored = f"; stored as {w + w % 2}x{h + h % 2}, the even size {out.suffix} needs"
    return f"wrote {out} ({count}, {w}x{h}{rate}{stored})"


def check_out(out: Path, inputs: dict[str, Path], fps: float | None = None) -> None:
    """The output path must be one a video can be written to at fps, where it is known
    (io.check_output), and not one of the command's inputs."""
    from .io import check_output

    check_output(out, fps)
    for name, path in inputs.items():
        inside = out.resolve() in path.resolve().parents  # a frame of a folder -o replaces
        if out.resolve() == path.resolve() or inside:
            raise ValueError(
                f"-o {out} would overwrite input {name} ({path}): write the result to another name"
            )


def invocation(ctx: Any = None) -> dict[str, Any]:
    """The running command (ctx, by default that of a command with `load_options`) and its
    parameters as given, defaults included (not --quiet), for the recipe: `spacetime
    remake` runs it again. No folder is recorded (a shared video would name the user's
    folders); remake infers it from where the output is and the -o it was given."""
    ctx = ctx or RUNNING.get()
    if ctx is None or ctx.info_name is None:
        return {}
    names, up = [], ctx  # the command's words after the program: extend; world render
    while up.parent is not None:
        names.append(up.info_name)
        up = up.parent
    params = {
        k: str(v) if isinstance(v, Path) else v for k, v in ctx.params.items() if k != "quiet"
    }
    return {"command": {"name": " ".join(reversed(names)), "params": params}}


def steps_bar(bar: Any, task: Any, name: str) -> Callable[[dict[str, Any]], None]:
    """A sampling callback that moves a rich progress bar through each window's steps and
    names the window once there is more than one (a long clip, a chained extension)."""
    window = [0]

    def step(info: dict[str, Any]) -> None:
        window[0] += info["i"] == 0
        what = name if window[0] == 1 else f"{name} (window {window[0]})"
        bar.update(task, total=info["steps"], completed=info["i"] + 1, description=what)

    return step


@app.callback(invoke_without_command=True)
def _main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@world_app.command("render")
@user_errors
def world_render(
    ctx: typer.Context,
    prompt: Annotated[str, typer.Argument(help="What to show, e.g. 'a red circle moving left'.")],
    out: VideoOut,
    frames: Frames = 17,
    fps: Fps = 8.0,
    size: Size = 128,
    seed: Seed = 0,
    quiet: Quiet = False,
) -> None:
    """Render the ground-truth video of a prompt."""
    from .io import Video, write_video
    from .world.parse import prompt_to_scene
    from .world.render import render

    if frames < 1:
        raise ValueError(f"--frames must be at least 1, got {frames}")
    if not 16 <= size <= 1024:
        raise ValueError(f"--size must be from 16 to 1024 pixels, got {size}")
    if not 0 <= seed < 2**63:
        raise ValueError(f"--seed must be from 0 to 2**63 - 1, got {seed}")
    check_fps(fps)
    scene = prompt_to_scene(prompt, max(frames - 1, 1) / fps, seed=seed)
    video = render(scene, frames, fps, size)
    recipe = {
        "prompt": prompt,
        "seed": seed,
        "model": "world-renderer",
        "frames": frames,
        "fps": fps,
        "size": size,
        "scene": scene.to_dict(),
        **made_by(),
        **invocation(ctx),
    }
    path = write_video(Video(video, fps, recipe), out)
    _say(quiet, wrote(path, frames, size, size, fps))


@world_app.command("dataset")
@user_errors
def world_dataset(
    n: Annotated[int, typer.Option("--n", help="Number of clips.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    frames: Frames = 17,
    fps: Fps = 8.0,
    size: Size = 64,
    seed: Seed = 0,
    fmt: Annotated[str, typer.Option("--format", help="mp4, webm, gif or png.")] = "mp4",
    max_objects: Annotated[int, typer.Option("--max-objects", help="1 to 3.")] = 3,
    quiet: Quiet = False,
) -> None:
    """Write N world clips and a captions.jsonl (clips/ and one caption a line)."""

    from .world.sample import ClipSettings, write_dataset

    if n < 1:
        raise ValueError(f"--n must be at least 1, got {n}")
    if fmt not in ("mp4", "webm", "gif", "png"):
        raise ValueError(f"--format must be mp4, webm, gif or png, got {fmt!r}")
    if not 1 <= max_objects <= 3:
        raise ValueError(f"--max-objects must be 1, 2 or 3, got {max_objects}")
    check_world_size(size)
    if frames < 2:
        raise ValueError(f"--frames must be at least 2, got {frames}")
    check_fps(fps)
    settings = ClipSettings(frames=frames, fps=fps, size=size)
    ext = "" if fmt == "png" else f".{fmt}"
    with progress.bar(quiet) as bar:
        task = bar.add_task("rendering clips", total=n)
        path = write_dataset(
            out,
            n,
            settings,
            seed=seed,
            ext=ext,
            max_objects=max_objects,
            progress=lambda i: bar.update(task, completed=i),
        )
    _say(quiet, f"wrote {n} {'clip' if n == 1 else 'clips'} and {path}")


@world_app.command("analyse")
@user_errors
def world_analyse(
    video: Annotated[Path, typer.Argument(help="A video file or PNG folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every track as JSON.")] = False,
) -> None:
    """Read a video back into background, camera and object tracks."""
    from .io import read_media
    from .world.analyse import analyse

    v = read_media(video)
    result = analyse(v.frames, v.fps)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=1))
    else:
        typer.echo(result.summary())


@world_app.command("vocab")
def world_vocab() -> None:
    """List the words the world understands."""
    from .world.parse import describe_vocabulary

    typer.echo(describe_vocabulary())


@app.command("eval")
@user_errors
def eval_(
    generator: Annotated[
        str,
        typer.Option(
            "--generator",
            "-g",
            help="model, vae (the truth through the model's VAE), renderer, static or noise.",
        ),
    ] = "renderer",
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="A model folder (implies -g model).")
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick/--full", help="Quick suite (minutes) or the full one.")
    ] = True,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("eval-report"),
    frames: Frames = 17,
    fps: Fps = 8.0,
    size: Size = 64,
    seed: Seed = 0,
    tasks: Annotated[
        bool, typer.Option("--tasks/--no-tasks", help="Also run the task suites.")
    ] = True,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Sampling steps (-g model; default: the model's).")
    ] = None,
    guidance: Annotated[
        float | None,
        typer.Option("--guidance", help="Text guidance (-g model; default: the model's)."),
    ] = None,
    guidance_stop: GuidanceStop = None,
    quiet: Quiet = False,
) -> None:
    """Score a generator on the prompt suites and the task suites.

    Prompt suites: faithfulness, quality, cost. Task suites: hidden content restored, against
    classical baselines. Writes JSON, Markdown and PNGs."""

    from .eval import generators
    from .eval.report import write_report
    from .eval.run import environment, run, summarise
    from .eval.suites import build_all

    if model is not None and generator != "vae":
        generator = "model"
    pipe = None
    given = (("steps", steps), ("guidance", guidance), ("guidance_stop", guidance_stop))
    sampling = {k: v for k, v in given if v is not None}
    if sampling and generator != "model":
        raise ValueError("--steps, --guidance and --guidance-stop apply to -g model only")
    if frames < 2:
        raise ValueError(f"--frames must be at least 2, got {frames}")
    check_fps(fps)
    check_world_size(size)
    if out.exists() and not out.is_dir():
        raise ValueError(f"-o {out} is a file; give a folder for the report")
    if out.is_dir():  # an earlier report there is replaced whole; anything else is kept
        from .eval.report import REPORT_FILES

        other = sorted(p.name for p in out.iterdir() if p.name not in REPORT_FILES)
        if other:
            shown = ", ".join(other[:3]) + (", ..." if len(other) > 3 else "")
            raise ValueError(f"-o {out} holds files a report does not ({shown}); give a new folder")
    if generator == "model":
        from .pipeline import Pipeline

        pipe = Pipeline.load(model)
        gen = generators.from_pipeline(pipe, **sampling)
    else:
        gen = generators.get(generator, str(model) if model else None)
    suite = "quick" if quick else "full"
    items = build_all(suite, (frames - 1) / fps)
    with progress.bar(quiet) as bar:
        task = bar.add_task(f"eval {generator}", total=len(items))
        results = run(
            gen, items, frames, fps, size, seed, progress=lambda i: bar.update(task, completed=i)
        )
    summary = summarise(results, (frames - 1) / fps)
    task_part = None
    if tasks:
        from .eval.tasks import SIZES as TASK_SIZES
        from .eval.tasks import TASKS, model_method, run_tasks, summarise_tasks
        from .eval.tasks import build as build_task

        task_items = [
            it for t in TASKS for it in build_task(t, TASK_SIZES[suite], frames, fps, size)
        ]
        methods = {} if pipe is None else {"model": model_method(pipe, seed=seed, **sampling)}
        outputs: dict[tuple[str, str], Any] = {}
        with progress.bar(quiet) as bar:
            task = bar.add_task("task suites", total=len(task_items))
            rows = run_tasks(task_items, methods, lambda i: bar.update(task, completed=i), outputs)
        task_part = (rows, summarise_tasks(rows), task_items, outputs)
    used: dict[str, Any] = {}
    if generator in ("model", "vae"):  # which weights, so the report can be traced
        from .models.folder import weights_hash
        from .pipeline import shipped_folder

        used["model_hash"] = weights_hash(model or shipped_folder())
    if pipe is not None:
        m = pipe.meta
        used.update(steps=m.get("steps"), guidance=m.get("guidance"))
        used["guidance_stop"] = m.get("guidance_stop", 1.0)
    settings = {
        "generator": generator,
        "model": str(model) if model else ("shipped" if "model_hash" in used else None),
        "suite": suite,
        "frames": frames,
        "fps": fps,
        "size": size,
        "seed": seed,
        **used,
        **sampling,
        **environment(),
    }
    path = write_report(out, generator, results, summary, settings, task_part)
    _say(
        quiet,
        f"all attributes right: {100 * summary['all']['all_right']:.1f}% "
        f"of {len(items)} clips; report: {path}",
    )


@app.command("generate")
@user_errors
@load_options()
def generate(
    prompt: Annotated[str, typer.Argument(help="What to show, e.g. 'a red circle moving left'.")],
    out: VideoOut,
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="A model folder (default: shipped).")
    ] = None,
    seed: Seed = 0,
    steps: Annotated[int | None, typer.Option("--steps", help="Sampling steps.")] = None,
    guidance: Annotated[
        float | None, typer.Option("--guidance", help="Text guidance scale (1 = off).")
    ] = None,
    guidance_stop: GuidanceStop = None,
    frames: Annotated[
        int | None,
        typer.Option("--frames", help="Frames, 4k+1 (with --reference one fewer come out)."),
    ] = None,
    fps: Annotated[float | None, typer.Option("--fps", help="Frames per second.")] = None,
    negative: Annotated[str, typer.Option("--negative", help="What not to show.")] = "",
    reference: Annotated[
        Path | None,
        typer.Option("--reference", help="An image of the character or style to keep."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Generate a video from a prompt with the shipped model (or --model FOLDER)."""

    from .checks import check_length, check_options
    from .io import read_media, write_video

    check_out(out, {"reference": reference} if reference is not None else {}, fps)
    sampling = {"steps": steps, "guidance": guidance, "guidance_stop": guidance_stop}
    check_options(prompt, frames=frames, fps=fps, seed=seed, **sampling)  # before the load
    said: list[str] = []  # what reading the reference assumed or changed
    ref = None if reference is None else read_media(reference, said, only="first").frames[0]
    # generate fits the reference to the canvas, with a note
    pipe = load_model(model, frames, lambda made: check_length(frames, made))
    pipe.settings(prompt, frames=frames, fps=fps, seed=seed, **sampling)  # before the bar
    with progress.bar(quiet, transient=False) as bar:
        task = bar.add_task("generate", total=None)
        step = steps_bar(bar, task, "generate")
        video = pipe.generate(
            prompt,
            negative=negative,
            seed=seed,
            frames=frames,
            fps=fps,
            reference=ref,
            **sampling,
            callback=step,
        )
    from .io import Video, digest

    given = {"inputs": {"reference": digest(reference)}} if reference is not None else {}
    video = Video(video.frames, video.fps, {**video.recipe, **given, **invocation()})
    if frames is not None and video.num_frames != frames:  # a reference is left out
        n = video.num_frames
        said.append(f"--reference: the model's frame 0, left out: {n} frames, not {frames}")
    if said:
        video.recipe["notices"] = [*said, *video.recipe.get("notices", [])]
    for line in video.recipe.get("notices", []):
        _say(quiet, f"note: {line}")
    write_video(video, out)
    _say(quiet, wrote(out, video.num_frames, video.width, video.height, video.fps))


@app.command("train")
@user_errors
def train(
    config: Annotated[Path, typer.Argument(help="A TOML training config, e.g. configs/vae.toml.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (overrides the config's).")
    ] = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Total steps (overrides the config's).")
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="key=value for any config key, TOML value (e.g. --set lr=2e-3).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Train (or resume) a stage: the VAE or the transformer. Works under `accelerate launch`.

    The same command resumes a run folder from its newest checkpoint (after a kill or a
    Ctrl-C, which saves the step it stops at), moved or not; on resume only --steps and
    the bookkeeping keys (log, save and preview intervals, keep, workers, compile) may
    change. The model is written to OUT/model."""
    from .train.config import TrainConfig, parse_setting
    from .train.loop import train as run_training

    overrides: dict[str, Any] = dict(parse_setting(s) for s in settings or [])
    if out is not None:
        overrides["out"] = str(out)
    if steps is not None:
        overrides["steps"] = steps
    cfg = TrainConfig.from_toml(config, **overrides)
    folder = run_training(cfg, quiet=quiet)
    _say(quiet, f"wrote {folder}")


@app.command("export")
@user_errors
def export(
    run: Annotated[
        Path,
        typer.Argument(help="A training run folder; with --vae, a model folder too."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")],
    vae: Annotated[
        Path | None,
        typer.Option("--vae", help="Ship this VAE (same encoder, a fine-tuned decoder)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Write a run's newest checkpoint as a model folder, or swap in a decoder.

    The folder holds the EMA weights, without training on; or it is a model folder with a
    fine-tuned decoder swapped in (--vae)."""
    from .models.folder import check_writable, is_model_folder
    from .train.loop import export as export_run

    if out.resolve() == run.resolve():
        raise ValueError(f"-o is {run} itself: write the model folder to another name")
    check_writable(out)
    replaced = "; the model folder there before is replaced" if is_model_folder(out) else ""
    step = export_run(run, out, quiet=quiet, vae=vae)
    _say(quiet, f"wrote {out} (step {step}{replaced})")


@app.command("sheet")
@user_errors
def sheet(
    video: Annotated[Path, typer.Argument(help="A video, an image or a PNG folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output PNG.")],
    max_frames: Annotated[
        int, typer.Option("--max-frames", help="Frames in the grid, 1 to 256.")
    ] = 16,
    quiet: Quiet = False,
) -> None:
    """Render a contact sheet: a PNG grid of a clip's frames with its prompt."""
    from .io import contact_sheet, read_media
    from .io.sheet import MAX_SHEET_FRAMES, cell_frame
    from .io.video import check_writable

    if out.suffix.lower() != ".png":
        raise ValueError(
            f"the contact sheet is a PNG: give -o a name ending in .png, not {out.name}"
        )
    if video.resolve() == out.resolve() or out.resolve().parent == video.resolve():
        raise ValueError(f"-o {out} would overwrite the input {video}: choose another name")
    if not 1 <= max_frames <= MAX_SHEET_FRAMES:  # before a long clip is read
        raise ValueError(f"--max-frames must be from 1 to {MAX_SHEET_FRAMES}, got {max_frames}")
    check_writable(out)
    contact_sheet(read_media(video, each=cell_frame), out, max_frames=max_frames)
    _say(quiet, f"wrote {out}")


@app.command("info")
@user_errors
def info(video: Annotated[Path, typer.Argument(help="A video, an image or a PNG folder.")]) -> None:
    """Print a video's size, the command and the recipe that made it."""
    from .io.media import probe_media

    v = probe_media(video)
    seconds = v.num_frames / v.fps
    typer.echo(f"{n_frames(v.num_frames)}, {v.width}x{v.height}, {v.fps:g} fps, {seconds:.2f} s")
    made = v.recipe.get("command")
    if made:  # the command line that made it, options at their default left out
        import shlex

        from .cli_remake import argv

        try:
            line = argv(made["name"], made["params"], defaults=False)
            typer.echo(f"made by: {shlex.join(['spacetime', *line])}")
        except (ValueError, KeyError, TypeError, AttributeError) as e:  # another version's
            typer.echo(f"made by: a command this spacetime cannot write out ({e})")
    text = json.dumps(v.recipe, indent=1, ensure_ascii=False)
    typer.echo(text if v.recipe else "no recipe in this file")


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds as Ctrl-C does: a half-written output is removed


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)  # a kill from `timeout` or a scheduler
    app(prog_name="spacetime")


from . import cli_remake, cli_verbs  # noqa: E402, F401  (register their commands on app)

if __name__ == "__main__":  # python -m spacetime.cli: run the package's own module, on whose
    from spacetime import cli  # app cli_verbs and cli_remake registered their commands

    sys.exit(cli.main())
