"""Task suites: the world makes a true clip, hides part of it, and a method restores it.

Every task is known pixels plus a mask (True = hidden, to be made), the same form the model
takes. Each is scored against the truth (PSNR and SSIM on the hidden pixels, the error of the
objects' tracks) and on how well the known pixels are kept, and every run includes the
classical baselines, so a model must beat them in the same table:

- animate (image-to-video): frame 0 known; baseline: hold it.
- extend: the first half known; baselines: hold the last frame, continue the optical flow of
  the last known frames (pixels, known.extrapolate), and constant-velocity extrapolation of
  the analysed tracks (positions only, for the track error).
- interpolate: every fourth frame known; baselines: linear blend, Farneback flow, DIS flow
  (metrics.dis_flow, which the model's own guess follows).
- morph: the last frame of clip A and the first of an unrelated clip B known; there is no
  truth in between, so it is scored on the end frames and the largest frame-to-frame jump.
- inpaint: a box hidden in every frame; baseline: OpenCV inpainting (Telea).
- outpaint: a border hidden in every frame; baseline: OpenCV inpainting.
- cinemagraph: a region around one object hidden after frame 0, everything else held still;
  baseline: hold frame 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..known import start_guess
from ..world.analyse import analyse
from ..world.caption import caption
from ..world.motion import layout, object_state
from ..world.render import render
from ..world.sample import random_names, sample_scene
from ..world.spec import ObjectSpec, SceneSpec
from . import metrics

TASKS = ("animate", "extend", "interpolate", "morph", "inpaint", "outpaint", "cinemagraph")
SIZES = {"quick": 2, "full": 12}  # items per task


@dataclass
class TaskItem:
    id: str
    task: str
    prompt: str
    truth: np.ndarray | None  # uint8 (T, H, W, 3), None for morph (no single truth)
    known: np.ndarray  # uint8 (T, H, W, 3), hidden pixels zeroed
    mask: np.ndarray  # bool (T, H, W), True = hidden
    fps: float
    mover: tuple[str, str, str] | None = None  # cinemagraph: (colour, shape, motion) expected


Method = Callable[[TaskItem], np.ndarray]  # -> uint8 (T, H, W, 3)


def _clip(rng: np.random.Generator, frames: int, fps: float, size: int, **kw) -> tuple:
    scene = sample_scene(rng, (frames - 1) / fps, **kw)
    return scene, render(scene, frames, fps, size)


def _cinemagraph_scene(rng: np.random.Generator, seconds: float) -> SceneSpec:
    """Two objects, a static camera, and only the first object moves."""
    while True:
        names = random_names(rng, objects=2, characters=False)
        names.camera, names.objects[1].motion = "static", "still"
        if names.objects[0].motion == "still":
            names.objects[0].motion = "right"
        try:
            return layout(names, seconds, seed=int(rng.integers(2**31)), strict=True)
        except ValueError:
            continue


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR (dB) of two arrays of pixels of any matching shape; 99 when identical."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def _box_around(o: ObjectSpec, scene: SceneSpec, t_max: float, size: int) -> tuple[int, ...]:
    """Pixel box (x0, y0, x1, y1) that holds o's whole path (static camera)."""
    pts = [object_state(o, t) for t in np.linspace(0, t_max, 12)]
    r = max(p.scale for p in pts) * o.radius * 1.4
    xs, ys = [p.x for p in pts], [p.y for p in pts]
    x0, x1 = int((min(xs) - r) * size), int(np.ceil((max(xs) + r) * size))
    y0, y1 = int((min(ys) - r) * size), int(np.ceil((max(ys) + r) * size))
    return max(0, x0), max(0, y0), min(size, x1), min(size, y1)


def build(task: str, n: int, frames: int = 17, fps: float = 8.0, size: int = 64) -> list[TaskItem]:
    """n items of a task, deterministic: item k depends only on (task, k)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; known: {TASKS}")
    items = []
    for k in range(n):
        rng = np.random.default_rng([100 + TASKS.index(task), k])
        mask = np.zeros((frames, size, size), bool)
        if task == "cinemagraph":
            scene = _cinemagraph_scene(rng, (frames - 1) / fps)
            mover = scene.objects[0]
            truth = render(scene, frames, fps, size)
            x0, y0, x1, y1 = _box_around(mover, scene, (frames - 1) / fps, size)
            mask[1:, y0:y1, x0:x1] = True
            prompt = caption(scene, np.random.default_rng([7, k]))
            expect = (mover.colour, mover.shape, mover.motion)
        else:
            scene, truth = _clip(rng, frames, fps, size, max_objects=2)
            prompt = "" if task == "morph" else caption(scene, np.random.default_rng([7, k]))
            expect = None
            if task == "animate":
                mask[1:] = True
            elif task == "extend":
                mask[frames // 2 + 1 :] = True
            elif task == "interpolate":  # raise the frame rate 4x: 3 of every 4 frames made
                mask[np.arange(frames) % 4 != 0] = True
                mask[-1] = False
            elif task == "morph":
                _, other = _clip(rng, frames, fps, size, max_objects=2)
                truth = np.concatenate([truth[-1:], np.zeros_like(truth[1:-1]), other[:1]])
                mask[1:-1] = True
            elif task == "inpaint":
                b = size // 3
                x0, y0 = (int(v) for v in rng.integers(size // 8, size - b - size // 8, 2))
                mask[:, y0 : y0 + b, x0 : x0 + b] = True
            elif task == "outpaint":
                m = size // 6
                mask[:, :m] = mask[:, -m:] = mask[:, :, :m] = mask[:, :, -m:] = True
        known = np.where(mask[..., None], 0, truth).astype(np.uint8)
        items.append(
            TaskItem(
                f"{task}-{k:02d}",
                task,
                prompt,
                None if task == "morph" else truth,
                known,
                mask,
                fps,
                expect,
            )
        )
    return items


# ------------------------------------------------------------------------------ methods


def oracle(item: TaskItem) -> np.ndarray:
    """The true clip (upper bound; for morph, a linear blend stands in: there is no truth)."""
    return item.truth if item.truth is not None else blend(item)


def hold(item: TaskItem) -> np.ndarray:
    """Each hidden pixel takes the value of the nearest earlier known frame (else later)."""
    out = item.known.copy()
    t_count = len(out)
    for t in range(t_count):
        hidden = item.mask[t]
        if not hidden.any():
            continue
        order = [*range(t - 1, -1, -1), *range(t + 1, t_count)]
        for s in order:
            src = hidden & ~item.mask[s]
            out[t][src] = item.known[s][src]
            hidden = hidden & ~src
            if not hidden.any():
                break
    return out


def noise(item: TaskItem) -> np.ndarray:
    rng = np.random.default_rng(0)
    fill = rng.integers(0, 256, item.known.shape, dtype=np.uint8)
    return np.where(item.mask[..., None], fill, item.known).astype(np.uint8)


def _between(
    item: TaskItem, fill: Callable[[np.ndarray, np.ndarray, int], np.ndarray]
) -> np.ndarray:
    """Fill runs of fully hidden frames from the known frames on either side."""
    out = item.known.copy()
    full = item.mask.all(axis=(1, 2))
    t = 0
    while t < len(out):
        if not full[t]:
            t += 1
            continue
        end = t
        while end < len(out) and full[end]:
            end += 1
        if t == 0 or end == len(out):  # nothing on one side: hold
            src = out[end] if t == 0 else out[t - 1]
            out[t:end] = src
        else:
            out[t:end] = fill(out[t - 1], out[end], end - t)
        t = end
    return out


def blend(item: TaskItem) -> np.ndarray:
    return _between(item, metrics.blend_interpolate)


def flow(item: TaskItem) -> np.ndarray:
    return _between(item, metrics.flow_interpolate)


def dis_flow(item: TaskItem) -> np.ndarray:
    """Interpolation along DIS flow: the guess the model's sampling starts from."""
    return _between(item, lambda a, b, n: metrics.flow_interpolate(a, b, n, metrics.dis_flow))


def flow_extrapolate(item: TaskItem) -> np.ndarray:
    """Extension: the motion of the last known frames continued (known.extrapolate);
    this is also the guess the model's sampling starts from."""
    return start_guess(item.known, ~item.mask)


def opencv_inpaint(item: TaskItem) -> np.ndarray:
    return metrics.opencv_inpaint(item.known, item.mask)


BASELINES: dict[str, dict[str, Method]] = {
    "animate": {"hold": hold},
    "extend": {"hold": hold, "flow-extrapolate": flow_extrapolate},
    "interpolate": {"blend": blend, "flow": flow, "dis-flow": dis_flow},
    "morph": {"blend": blend},
    "inpaint": {"opencv-inpaint": opencv_inpaint},
    "outpaint": {"opencv-inpaint": opencv_inpaint},
    "cinemagraph": {"hold": hold},
}
BOUNDS: dict[str, Method] = {"oracle": oracle, "noise": noise}


# ------------------------------------------------------------------------------ scoring


def _track_error(out: np.ndarray, truth: np.ndarray, fps: float, frames: list[int]) -> float | None:
    """Mean distance (world units) between matched objects of out and truth in the given
    frames; objects matched by colour and shape, a missing object costs 0.5."""
    a, b = analyse(out, fps), analyse(truth, fps)
    errs = []
    for t in b.tracks:
        cands = [u for u in a.tracks if (u.colour, u.shape) == (t.colour, t.shape)]
        for f in frames:
            if f not in t.frames:
                continue
            ref = (t.x[t.frames.index(f)], t.y[t.frames.index(f)])
            seen = [
                (u.x[u.frames.index(f)], u.y[u.frames.index(f)]) for u in cands if f in u.frames
            ]
            errs.append(
                min((float(np.hypot(p[0] - ref[0], p[1] - ref[1])) for p in seen), default=0.5)
            )
    return float(np.mean(errs)) if errs else None


def _extrapolated_track_error(item: TaskItem) -> float | None:
    """The constant-velocity baseline for extension: extrapolate the analysed tracks of the
    known frames and compare the positions with the truth's tracks."""
    n_known = int((~item.mask.all(axis=(1, 2))).sum())
    known = analyse(item.truth[:n_known], item.fps)
    truth = analyse(item.truth, item.fps)
    errs = []
    for t in truth.tracks:
        cands = [u for u in known.tracks if (u.colour, u.shape) == (t.colour, t.shape)]
        for f in range(n_known, len(item.truth)):
            if f not in t.frames:
                continue
            ref = (t.x[t.frames.index(f)], t.y[t.frames.index(f)])
            best = 0.5
            for u in cands:
                xs, ys = metrics.extrapolate_track(u.x, u.y, f - u.frames[-1])
                best = min(best, float(np.hypot(xs[-1] - ref[0], ys[-1] - ref[1])))
            errs.append(best)
    return float(np.mean(errs)) if errs else None


def _max_jump(frames: np.ndarray) -> float:
    d = np.abs(np.diff(frames.astype(np.float32), axis=0)).mean(axis=(1, 2, 3))
    return float(d.max()) if len(d) else 0.0


def judge(item: TaskItem, out: np.ndarray) -> dict[str, Any]:
    """PSNR / SSIM on hidden pixels against the truth, PSNR on known pixels against the input,
    the track error on frames with hidden pixels, and the largest frame-to-frame jump."""
    hidden, kept = item.mask, ~item.mask
    row: dict[str, Any] = {"max_jump": _max_jump(out), "motion_right": None}
    if item.mover is not None:
        colour, shape, motion = item.mover
        seen = analyse(out, item.fps).tracks
        hits = [u for u in seen if (u.colour, u.shape, u.motion) == (colour, shape, motion)]
        row["motion_right"] = float(bool(hits))
    row["psnr_known"] = _psnr(out[kept], item.known[kept]) if kept.any() else None
    if item.truth is None:
        row.update(psnr_hidden=None, ssim_hidden=None, track_error=None)
        return row
    row["psnr_hidden"] = _psnr(out[hidden], item.truth[hidden])
    frames = [t for t in range(len(out)) if hidden[t].any()]
    # SSIM over the hidden frames, with known pixels copied from the truth so only the
    # hidden part can lower it.
    filled = np.where(hidden[..., None], out, item.truth)
    row["ssim_hidden"] = metrics.ssim(filled[frames], item.truth[frames])
    row["track_error"] = _track_error(out, item.truth, item.fps, frames)
    return row


def model_method(pipe: Any, **opts: Any) -> Method:
    """A Spacetime Pipeline as a task method: each task through its verb, with the item's
    caption as the prompt (opts: steps, guidance, seed)."""

    def run(item: TaskItem) -> np.ndarray:
        k, m, p = item.known, item.mask, item.prompt
        t = item.task
        if t == "animate":
            v = pipe.animate(k[0], p, frames=len(k), **opts)
        elif t == "extend":
            n = int((~m.all(axis=(1, 2))).sum())
            v = pipe.extend(k[:n], p, seconds=(len(k) - n) / item.fps, fps=item.fps, **opts)
        elif t == "interpolate":
            v = pipe.interpolate(k[::4], factor=4, fps=item.fps / 4, prompt=p, **opts)
        elif t == "morph":
            v = pipe.morph(k[:1], k[-1:], seconds=(len(k) - 1) / item.fps, prompt=p, **opts)
        elif t == "cinemagraph":
            v = pipe.cinemagraph(k[0], p, region=m[1], frames=len(k), **opts)
        else:  # inpaint, outpaint: the hidden pixels are the mask
            v = pipe.inpaint(k, p, mask=m, **opts)
        return v.frames

    return run


def run_tasks(
    items: list[TaskItem],
    methods: dict[str, Method] | None = None,
    progress: Callable[[int], None] | None = None,
    outputs: dict[tuple[str, str], np.ndarray] | None = None,
) -> list[dict[str, Any]]:
    """Every item through the bounds, its task's baselines and any extra methods. outputs,
    when given, receives the first item's result of each (task, extra method)."""
    rows = []
    for k, item in enumerate(items):
        chosen = {**BOUNDS, **BASELINES[item.task], **(methods or {})}
        for name, method in chosen.items():
            out = method(item)
            if outputs is not None and name in (methods or {}):
                outputs.setdefault((item.task, name), out)
            rows.append({"id": item.id, "task": item.task, "method": name, **judge(item, out)})
        if item.task == "extend":
            rows.append(
                {
                    "id": item.id,
                    "task": "extend",
                    "method": "constant-velocity",
                    "track_error": _extrapolated_track_error(item),
                    "psnr_hidden": None,
                    "ssim_hidden": None,
                    "psnr_known": None,
                    "max_jump": None,
                    "motion_right": None,
                }
            )
        if progress:
            progress(k + 1)
    return rows


def summarise_tasks(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, float | None]]]:
    """task -> method -> mean of each number over the items."""
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    keys = ("psnr_hidden", "ssim_hidden", "psnr_known", "track_error", "max_jump", "motion_right")
    for r in rows:
        out.setdefault(r["task"], {}).setdefault(r["method"], {})
    for task, methods in out.items():
        for m in methods:
            rs = [r for r in rows if r["task"] == task and r["method"] == m]
            for key in keys:
                vals = [r[key] for r in rs if r.get(key) is not None]
                methods[m][key] = float(np.mean(vals)) if vals else None
    return out
