"""`spacetime remake FILE -o OUT`: make a result again from the recipe in its file, then say
whether it came out the same, frame for frame.

The command line records itself in every result's recipe (`command`: the verb and all its
parameters with defaults). Remake runs that command again with
the same parameters, after checking that each input, LoRA and (for a Spacetime folder) the
model's weights are the ones whose hashes the recipe holds. A text-to-video recipe of
`Pipeline.generate` without a command is rebuilt from its settings.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import zip_longest
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from .cli import Quiet, VideoOut, _say, app, user_errors
from .provenance import MADE_BY, changed

# recipe keys that are not settings: where things were, and what made the result
NOT_SETTINGS = ("inputs", "command", *MADE_BY)


# what a text-to-video recipe without a command may hold: the settings `generate` takes
# (and the memory options), and what only describes the result
REBUILT = {"prompt", "negative", "seed", "steps", "guidance", "guidance_stop", "frames", "fps"}
MEMORY = {"device", "dtype", "offload", "vae_tiling", "vae_slicing"}
DESCRIBED = {
    *("height", "width", "task", "model", "model_hash", "family", "notices", *MADE_BY),
    "windows",  # more frames than the model's clip: generate extends window by window
}
# the commands whose results carry their command: the only ones remake runs
MAKERS = (
    *("generate", "animate", "extend", "interpolate", "morph", "inpaint", "outpaint"),
    *("cinemagraph", "stylize", "world render"),
)


def command_of(recipe: dict[str, Any], file: Path) -> tuple[str, dict[str, Any], Path | None]:
    """The command, its parameters and the folder it ran in (`ran_in`), from a file's
    recipe; ValueError when the recipe cannot say."""
    if not recipe:
        raise ValueError(f"{file} has no recipe: it was not made by spacetime")
    made = recipe.get("command")
    if made is not None:
        if not (isinstance(made, dict) and isinstance(made.get("params"), dict)):
            raise ValueError(f"{file}: the recipe's command is not one spacetime wrote")
        if made.get("name") not in MAKERS:
            raise ValueError(
                f"{file}: the recipe's command {made.get('name')!r} does not make a video; "
                "the recipe is damaged or not one spacetime wrote"
            )
        params = dict(made["params"])
        return (
            str(made.get("name")),
            _as_then(str(made.get("name")), params),
            ran_in(file, params.get("out")),
        )
    if "inputs" in recipe:
        raise ValueError(
            f"{file} was made by a spacetime that did not record its command (before "
            f"2026-12-04); `spacetime info {file}` shows its settings"
        )
    extra = sorted(recipe.keys() - REBUILT - MEMORY - DESCRIBED)
    if recipe.get("task") != "text" or extra:
        task = str(recipe.get("task"))
        what = ", ".join([task, *extra]) if task == "text" else task
        raise ValueError(
            f"{file} was made in Python ({what}) from settings or arrays a command cannot "
            f"give, so only that code can make it again; `spacetime info {file}` shows them"
        )
    from .models import SHIPPED

    params = {k: recipe.get(k) for k in REBUILT} | {k: recipe[k] for k in MEMORY & recipe.keys()}
    params |= {
        "negative": recipe.get("negative", ""),
        "guidance_stop": recipe.get("guidance_stop", 1.0),
        "size": f"{recipe['width']}x{recipe['height']}",
        "model": None if recipe.get("model") == SHIPPED else recipe.get("model"),
    }
    return "generate", params, None


# settings a command leaves to the model folder's defaults when not given, and the recipe
# records as they were used: a folder whose defaults changed since still makes the same
PINNED = ("steps", "guidance", "guidance_stop")


def pinned(name: str, params: dict[str, Any], recipe: dict[str, Any]) -> dict[str, Any]:
    """params with each PINNED setting left to the model's default set to the value the
    recipe records."""
    has = {p.name for p in getattr(_command(name), "params", [])}
    used = {"guidance_stop": 1.0, **recipe}  # written only below 1
    told = {
        k: used[k]
        for k in PINNED
        if k in has and params.get(k) is None and isinstance(used.get(k), int | float)
    }
    return {**params, **told}


def argv(name: str, params: dict[str, Any], defaults: bool = True) -> list[str]:
    """The command line of the command `name` with these parameters: options first, then
    the arguments (after `--` when one starts with '-', so such a prompt stays a prompt).
    defaults: False leaves out options at their default (for reading, not for running
    again). ValueError for a parameter the command does not have (a recipe of another
    version of spacetime)."""
    cmd = _command(name)
    if cmd is None:
        raise ValueError(f"the recipe's command {name!r} is not one this spacetime has")
    unknown = sorted(params.keys() - {p.name for p in cmd.params})
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
    return [*name.split(), *opts, *dashes, *args]


def ran_in(file: Path, out: Any) -> Path | None:
    """The folder a command ran in, from where its output file is now and the relative -o
    it was given: the file's path with -o's parts taken off its end. None when -o was
    absolute or the file has moved or been renamed since."""
    if not isinstance(out, str) or not out:
        return None
    wrote = Path(out).parts
    here = file.absolute().parts
    if Path(out).is_absolute() or ".." in wrote or here[-len(wrote) :] != wrote:
        return None
    return Path(*here[: -len(wrote)])


def at(path: str, cwd: Path | None) -> Path:
    """A path as the recipe has it, taken in the folder the command ran in (cwd) when it is
    relative and there; else as it is (relative to here)."""
    p = Path(path)
    if cwd and not p.is_absolute() and (cwd / p).exists():
        return cwd / p
    return p


def recorded_inputs(recipe: dict[str, Any], file: Path) -> dict[str, dict[str, str]]:
    """The recipe's inputs, each {"path", "sha256"}: ValueError when a hand-edited recipe
    breaks that shape (remake would fail inside instead)."""
    inputs = recipe.get("inputs", {})
    ok = isinstance(inputs, dict) and all(
        isinstance(r, dict) and isinstance(r.get("path"), str) and isinstance(r.get("sha256"), str)
        for r in inputs.values()
    )
    if not ok:
        raise ValueError(
            f"{file}: the recipe's inputs are damaged (each needs a path and a sha256); "
            "it is not as spacetime wrote it"
        )
    return inputs


def find_input(
    name: str,
    recorded: dict[str, str],
    file: Path,
    cwd: Path | None,
    given: Path | None,
    hash_of: Callable[[Path], str] | None = None,
) -> Path:
    """The input `name` whose hash the recipe holds: the path given (--input), or the path
    recorded (in the folder the command ran in, then here), or its name beside the file.
    ValueError when none is there with that hash. hash_of: a path's hash (default: the
    file's or the PNG folder's, `io.digest`)."""
    from .io import digest

    hash_of = hash_of or (lambda p: digest(p)["sha256"])
    if given is not None and not given.exists():
        raise ValueError(f"--input {name}={given}: no such file")
    want, was = recorded["sha256"], Path(recorded["path"])
    places = [given] if given else [at(str(was), cwd), was, file.parent / was.name]
    found = [p for p in dict.fromkeys(places) if p.exists()]
    for p in found:
        if hash_of(p) == want:
            return p
    if found:
        raise ValueError(
            f"the {name} {found[0]} is not the one {file} was made from (its hash differs); "
            f"give the original with --input {name}=PATH"
        )
    raise ValueError(
        f"the {name} {was} is not found, nor beside {file}: give it with --input {name}=PATH"
    )


def find_loras(
    specs: list[str],
    recorded: list[dict[str, Any]],
    file: Path,
    cwd: Path | None,
    given: dict[str, Path],
) -> list[str]:
    """The --lora PATH[:SCALE] specs of the recipe's command, each LoRA found as an input
    is (`--input lora0=PATH` for the first), checked against the hash the recipe holds."""
    from .io import digest
    from .models.lora import parse

    out = []
    for i, (spec, rec) in enumerate(zip(specs, recorded, strict=False)):
        path, sep, scale = spec.rpartition(":")
        if not sep or not _number(scale):
            path, scale = spec, ""
        if "sha256" in rec:
            had = {"path": path, "sha256": rec["sha256"]}
            hash_of = lambda p: digest(parse(str(p))[0])["sha256"]  # noqa: E731  (a folder's file)
            found = find_input(f"lora{i}", had, file, cwd, given.get(f"lora{i}"), hash_of)
        else:
            found = given.get(f"lora{i}") or at(path, cwd)
            parse(str(found))  # missing or unsafe: one line
        out.append(f"{found}:{scale}" if scale else str(found))
    return out + specs[len(out) :]


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

    a, b = (_settings(probe(p).recipe) for p in (file, out))
    if a.get("model_hash") and a.get("model_hash") == b.get("model_hash"):
        a.pop("model", None), b.pop("model", None)  # the same weights in a renamed folder
    keys = sorted(a.keys() | b.keys())
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
        a_kind, b_kind = (p.suffix.lower() if not p.is_dir() else "PNG frames" for p in (file, out))
        why = f"; {a_kind} and {b_kind} encode frames differently" if a_kind != b_kind else ""
        said.append(
            f"{n - same} of {n} frames differ (largest difference {worst} of 255, "
            f"PSNR {psnr:.1f} dB{why})"
        )
    return said


def _settings(recipe: dict[str, Any]) -> dict[str, Any]:
    """A recipe's settings: without where things were (NOT_SETTINGS), and with each input's
    path in the notices (`clip.mp4: a clip; its first frame is the image`) said as the
    input's name, so an input moved or renamed (--input) reads the same."""
    out = {k: v for k, v in recipe.items() if k not in NOT_SETTINGS}
    inputs = recipe.get("inputs")
    if isinstance(out.get("notices"), list) and isinstance(inputs, dict):
        paths = {k: r["path"] for k, r in inputs.items() if isinstance(r, dict) and r.get("path")}
        said = []
        for line in out["notices"]:
            for k, path in paths.items():
                for form in dict.fromkeys([str(path), Path(str(path)).name]):
                    line = str(line).replace(form, f"<{k}>")
            said.append(line)
        out["notices"] = said
    return out


@app.command("remake")
@user_errors
def remake(
    file: Annotated[Path, typer.Argument(help="A result of spacetime: a video or PNG folder.")],
    out: VideoOut,
    model: Annotated[
        Path | None,
        typer.Option("--model", "-m", help="The model folder, when not where it was."),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input", help="NAME=PATH of an input (lora0: the first LoRA) that moved; repeat."
        ),
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
    name, params, cwd = command_of(recipe, file)
    cwd = cwd or file.absolute().parent  # -o was absolute, or the file moved: from beside it
    params = pinned(name, params, recipe)
    given = dict(_pair(s) for s in inputs or [])
    recorded = recorded_inputs(recipe, file)
    loras = [f"lora{i}" for i in range(len(params.get("lora") or []))]
    unknown = sorted(given.keys() - recorded.keys() - set(loras))
    if unknown:
        names = ", ".join([*recorded, *loras]) or "none"
        raise ValueError(f"--input {unknown[0]}: {file} has no input of that name ({names})")
    for k, rec in recorded.items():
        params[k] = str(find_input(k, rec, file, cwd, given.get(k)))
    if params.get("lora"):
        had = recipe.get("loras", [])
        had = had if isinstance(had, list) and all(isinstance(r, dict) for r in had) else []
        params["lora"] = find_loras(params["lora"], had, file, cwd, given)
    if "model" not in params:
        if model is not None:
            raise ValueError(f"{file} was made without a model ({name}): leave out --model")
    elif model is not None:
        params["model"] = str(model)
    elif params["model"] is None and recipe.get("model") not in (None, SHIPPED):
        raise ValueError(
            f"{file} was made with the model {recipe['model']}: give it with --model FOLDER"
        )
    elif params["model"] is not None:
        params["model"] = str(at(params["model"], cwd))
    if "model" in params:
        check_model(params["model"], recipe, file)
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
    if said:  # a failed remake: on stderr, as an error, with --quiet too
        for line in said:
            typer.echo(f"differs: {line}", err=True)
        why = changed(probe(file).recipe, probe(out).recipe)
        typer.echo(f"{out} is not the same as {file}" + (f"; {why}" if why else ""), err=True)
        raise typer.Exit(1)
    _say(quiet, f"same: {out} has every frame and setting of {file}")


def _pair(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise ValueError(f"--input is NAME=PATH, e.g. video=clip.mp4; got {text!r}")
    return name, Path(path)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _command(name: str) -> Any:
    """The click command of `spacetime` named by name's words (extend; world render), or
    None when there is none (a group is not a command)."""
    import typer.main

    cmd: Any = typer.main.get_command(app)
    for word in name.split():
        cmd = getattr(cmd, "commands", {}).get(word)
    return None if cmd is None or hasattr(cmd, "commands") else cmd


def _as_then(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """A command recorded before a parameter existed ran as that parameter's old behaviour:
    before --as-written (2026-12-04) a verb's prompt was taken as written."""
    has = {p.name for p in getattr(_command(name), "params", [])}
    return {**params, "as_written": True} if "as_written" in has - params.keys() else params
