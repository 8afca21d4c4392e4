"""`spacetime remake FILE -o OUT`: make a result again from the recipe in its file, then say
whether it came out the same, frame for frame.

The command line records itself in every result's recipe (`command`: the verb and all its
parameters, defaults included). Remake runs that command again with the same parameters,
finding each input by the hash the recipe holds, and checking the model's weights first. A
text-to-video recipe without a command (made in Python, or before 2026-12-04) is rebuilt
from its settings.
"""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from .cli import Quiet, _say, app, user_errors

NOT_SETTINGS = ("inputs", "command")  # recipe keys that name where things were, not what


def command_of(recipe: dict[str, Any], file: Path) -> tuple[str, dict[str, Any]]:
    """The command and parameters that made a file, from its recipe; ValueError when the
    recipe cannot say."""
    if not recipe:
        raise ValueError(f"{file} has no recipe: it was not made by spacetime")
    made = recipe.get("command")
    if made:
        return made["name"], dict(made["params"])
    task = recipe.get("task", "?")
    if task != "text" or "reference" in recipe or recipe.get("loras"):
        raise ValueError(
            f"{file} was made in Python ({task}) from arrays the file does not name, so only "
            f"that code can make it again; `spacetime info {file}` shows its settings"
        )
    from .models import SHIPPED

    params = {k: recipe.get(k) for k in ("prompt", "seed", "steps", "guidance", "frames", "fps")}
    params |= {
        "negative": recipe.get("negative", ""),
        "guidance_stop": recipe.get("guidance_stop", 1.0),
        "size": f"{recipe['width']}x{recipe['height']}",
        "model": None if recipe.get("model") == SHIPPED else recipe.get("model"),
        "device": recipe.get("device", "cpu"),
        "dtype": recipe.get("dtype", "float32"),
    }
    return "generate", params


def argv(name: str, params: dict[str, Any], defaults: bool = True) -> list[str]:
    """The command line of the command `name` with these parameters: options first, then
    the arguments (after `--` when one starts with '-', so such a prompt stays a prompt).
    defaults: False leaves out options at their default (for reading, not for running
    again). ValueError for a parameter the command does not have (a recipe of another
    version of spacetime)."""
    import typer.main

    cmd = typer.main.get_command(app).commands.get(name)  # type: ignore[attr-defined]
    unknown = sorted(params.keys() - {p.name for p in cmd.params}) if cmd else [name]
    if unknown:
        raise ValueError(f"the recipe's command has {unknown[0]!r}, which this spacetime lacks")
    args: list[str] = []
    opts: list[str] = []
    for p in cmd.params:
        if p.name not in params:
            continue
        v = params[p.name]
        if p.param_type_name == "argument":
            args.append(str(v))
            continue
        if v is None or (not defaults and v == p.default):
            continue
        flag = next(o for o in p.opts if o.startswith("--"))
        if p.is_flag:
            off = p.secondary_opts[0] if p.secondary_opts else None
            opts += [flag] if v else [off] if off else []
            continue
        for item in v if p.multiple else [v]:
            opts += [flag, str(item)]
    dashes = ["--"] if any(a.startswith("-") for a in args) else []
    return [name, *opts, *dashes, *args]


def find_input(name: str, recorded: dict[str, str], file: Path, given: Path | None) -> Path:
    """The input `name` whose hash the recipe holds: the path given (--input), or the path
    recorded, or that path (or its name) beside the file. ValueError when none matches."""
    from .io import digest

    want = recorded["sha256"]
    at = Path(recorded["path"])
    places = [given] if given else [at, file.parent / at, file.parent / at.name]
    found = [p for p in dict.fromkeys(places) if p.exists()]
    for p in found:
        if digest(p)["sha256"] == want:
            return p
    if found:
        raise ValueError(
            f"the {name} {found[0]} is not the one {file} was made from (its hash differs); "
            f"give the original with --input {name}=PATH"
        )
    raise ValueError(
        f"the {name} {at} is not found, nor beside {file}: give it with --input {name}=PATH"
    )


def check_model(model: str | None, recipe: dict[str, Any], file: Path) -> None:
    """A Spacetime model folder (None: the shipped one) must hold the weights whose hash the
    recipe names. Another family's folder is checked after the run, from its recipe."""
    from .external.families import detect
    from .models import shipped_folder
    from .models.folder import weights_hash

    folder = Path(model) if model else shipped_folder()
    if not folder.is_dir():
        raise ValueError(
            f"{file} was made with the model folder {folder}, which is not found: "
            "give it with --model FOLDER"
        )
    if detect(folder).key != "spacetime" or "model_hash" not in recipe:
        return
    if weights_hash(folder) != recipe["model_hash"]:
        raise ValueError(
            f"the model {folder} is not the one that made {file} (weights {weights_hash(folder)}, "
            f"the recipe's {recipe['model_hash']}); give that model with --model FOLDER"
        )


def compare(file: Path, out: Path) -> list[str]:
    """What differs between a file and its remake: settings of the recipe, frame count,
    frames. Empty when they are the same."""
    from .io.video import iter_video, probe

    a, b = probe(file).recipe, probe(out).recipe
    keys = sorted((a.keys() | b.keys()) - set(NOT_SETTINGS))
    said = [f"{k}: {a.get(k)!r} then, {b.get(k)!r} now" for k in keys if a.get(k) != b.get(k)]
    n = same = 0
    worst, sq = 0, 0.0
    for x, y in zip_longest(iter_video(file), iter_video(out)):
        if x is None or y is None or x.shape != y.shape:
            return [*said, "the frame count or size differs"]
        d = np.abs(x.astype(np.int16) - y)
        n, same = n + 1, same + int(not d.any())
        worst, sq = max(worst, int(d.max())), sq + float((d.astype(np.float64) ** 2).mean())
    if same < n:
        psnr = 10 * np.log10(255**2 / (sq / n)) if sq else float("inf")
        said.append(
            f"{n - same} of {n} frames differ (largest difference {worst} of 255, "
            f"PSNR {psnr:.1f} dB)"
        )
    return said


@app.command("remake")
@user_errors
def remake(
    file: Annotated[Path, typer.Argument(help="A result of spacetime: a video or PNG folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write it again.")],
    model: Annotated[
        Path | None,
        typer.Option("--model", "-m", help="The model folder, when not where it was."),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", help="NAME=PATH of an input that moved; repeat for more."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Make a result again from the recipe in its file, and say whether it is the same.

    Exit code 0 when every frame and setting is the same, 1 when something differs (each
    difference is printed), 2 when it cannot be made again (an input or the model is missing
    or not the one the recipe names)."""
    from .io import check_output
    from .io.video import probe
    from .models import SHIPPED

    check_output(out)
    if out.resolve() == file.resolve():
        raise ValueError(f"-o is {file} itself: write the remake to another name")
    recipe = probe(file).recipe
    name, params = command_of(recipe, file)
    given = dict(_pair(s) for s in inputs or [])
    recorded = recipe.get("inputs", {})
    unknown = sorted(given.keys() - recorded.keys())
    if unknown:
        names = ", ".join(recorded) or "none"
        raise ValueError(f"--input {unknown[0]}: {file} has no input of that name ({names})")
    for k, rec in recorded.items():
        params[k] = str(find_input(k, rec, file, given.get(k)))
    if model is not None:
        params["model"] = str(model)
    elif params.get("model") is None and recipe.get("model") not in (None, SHIPPED):
        raise ValueError(
            f"{file} was made with the model {recipe['model']}: give it with --model FOLDER"
        )
    check_model(params.get("model"), recipe, file)
    params |= {"out": str(out), "quiet": quiet}
    import typer.main

    try:
        code = typer.main.get_command(app).main(
            args=argv(name, params), prog_name="spacetime", standalone_mode=False
        )
    except Exception as e:  # click's usage errors: a parameter this version does not have
        if not hasattr(e, "format_message"):
            raise
        msg = e.format_message()
        raise ValueError(f"the recipe's {name} command does not run here: {msg}") from None
    if isinstance(code, int) and code:
        raise typer.Exit(code)
    said = compare(file, out)
    if said:
        for line in said:
            typer.echo(f"differs: {line}")
        typer.echo(f"{out} is not the same as {file}")
        raise typer.Exit(1)
    _say(quiet, f"same: {out} has every frame and setting of {file}")


def _pair(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise ValueError(f"--input is NAME=PATH, e.g. video=clip.mp4; got {text!r}")
    return name, Path(path)
