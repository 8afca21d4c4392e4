"""Write an eval's results: report.json (every number and setting), report.md (tables),
a plot of faithfulness per suite and contact sheets of the best and worst clips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..io import Video, sheet_of_many
from ..io.video import atomic_folder
from .run import ATTRIBUTES, CONFUSED, Result, as_records, confusion
from .tasks import TaskItem

QUALITY = ("flicker", "warping_error", "dynamic", "permanence")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.0f}%"


REPORT_FILES = frozenset(
    {"report.json", "report.md", "faithfulness.png", "best.png", "worst.png", "tasks.png"}
)  # what write_report writes: a folder holding anything else is not a report's


def _plot(summary: dict[str, Any], title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    suites = [s for s in summary if s != "all"]
    attrs = [*ATTRIBUTES, "all_right"]
    fig, ax = plt.subplots(figsize=(11, 3.6), dpi=100)
    width = 0.8 / max(len(suites), 1)
    for i, s in enumerate(suites):
        vals = [100 * (summary[s][a] or 0) if summary[s][a] is not None else 0 for a in attrs]
        ax.bar([k + i * width for k in range(len(attrs))], vals, width, label=s)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(attrs))], attrs, fontsize=8)
    ax.set_ylabel("% right")
    ax.set_ylim(0, 105)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=len(suites), loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(
    out: Path,
    name: str,
    results: list[Result],
    summary: dict[str, Any],
    settings: dict[str, Any],
    tasks: tuple[list[dict[str, Any]], dict[str, Any], list[TaskItem], dict] | None = None,
) -> Path:
    """Write the report folder; returns the path of report.md. tasks: the task suites' rows,
    their summary, items and {(task, method): frames} of the methods' first results (for a
    sheet of each task's first item), when they were run. The folder is written whole under
    a temporary name and replaces an earlier report there, none of whose files stay."""
    with atomic_folder(out) as folder:
        payload = {
            "generator": name,
            "settings": settings,
            "summary": summary,
            "results": as_records(results),
            "tasks": {"summary": tasks[1], "rows": tasks[0]} if tasks else None,
        }
        (folder / "report.json").write_text(json.dumps(payload, indent=1))
        title = f"{name}: share of clips right, per attribute and suite"
        _plot(summary, title, folder / "faithfulness.png")
        _best_and_worst(results, folder)
        if tasks:
            task_sheet(tasks[2], folder / "tasks.png", tasks[3])
        text = _markdown(name, results, summary, settings, tasks[1] if tasks else None)
        (folder / "report.md").write_text(text)
    return out / "report.md"


def _best_and_worst(results: list[Result], folder: Path) -> None:
    """Contact sheets of the 6 clips with the most attributes right and the 6 with the least."""
    ranked = sorted(
        results,
        key=lambda r: (
            sum(v is True for v in r.right.values()) - sum(v is False for v in r.right.values())
        ),
    )
    for label, pick in (("worst", ranked[:6]), ("best", ranked[::-1][:6])):
        videos = [r.video for r in pick if r.video is not None]
        if videos:
            captions = [f"[{r.id}] {r.prompt}\nseen: {r.found}" for r in pick]
            sheet_of_many(videos, folder / f"{label}.png", frames_per_row=6, captions=captions)


def _markdown(
    name: str,
    results: list[Result],
    summary: dict[str, Any],
    settings: dict[str, Any],
    task_summary: dict[str, Any] | None,
) -> str:
    """report.md: the tables, with the plot and the sheets linked."""
    lines = [
        f"# `spacetime eval`: {name}",
        "",
        f"Settings: {json.dumps(settings)}",
        "",
        "## Text faithfulness (share of clips with the attribute right)",
        "",
        "| suite | n | " + " | ".join(ATTRIBUTES) + " | all |",
        "|---|---|" + "---|" * (len(ATTRIBUTES) + 1),
    ]
    for s, row in summary.items():
        cells = " | ".join(_pct(row[a]) for a in ATTRIBUTES)
        lines.append(f"| {s} | {row['n']} | {cells} | {_pct(row['all_right'])} |")
    lines += [
        "",
        "A dash: no item of that suite tests the attribute. `all`: every tested attribute right.",
        "",
        "## Video quality and cost",
        "",
        "| suite | flicker (1 = steady) | warping error | dynamic | permanence | s / clip | RTF |",
        "|---|---|---|---|---|---|---|",
    ]
    for s, row in summary.items():
        lines.append(
            f"| {s} | {row['flicker']:.3f} | {row['warping_error']:.1f} | {_pct(row['dynamic'])} "
            f"| {_pct(row['permanence'])} | {row['seconds_per_clip']:.3f} "
            f"| {row['real_time_factor']:.3f} |"
        )
    lines += [
        "",
        "Flicker: VBench's temporal flickering score. Warping error: mean absolute error (0-255)",
        "of each frame against its predecessor warped by Farneback flow, occluded pixels left out.",
        "Dynamic: share of clips VBench's dynamic-degree rule calls dynamic (Farneback for RAFT).",
        "Permanence: share of clips in which no object vanishes or appears mid-clip. RTF: seconds",
        "of generation per second of video.",
        "",
        "![faithfulness](faithfulness.png)",
        "",
        *_confusion_section(results),
        "Best clips: ![best](best.png)",
        "",
        "Worst clips: ![worst](worst.png)",
        "",
    ]
    if task_summary is not None:
        lines += _task_section(task_summary)
    return "\n".join(lines)


def _confusion_section(results: list[Result]) -> list[str]:
    """Tables of what the analyser saw against what the prompt asked, per CONFUSED attribute."""
    lines = [
        "## Asked against seen (plain objects of every suite)",
        "",
        "Rows: what the prompt asked; columns: what the analyser saw (`missing`: no track).",
        "",
    ]
    for attr in CONFUSED:
        table = confusion(results, attr)
        seen = sorted({s for row in table.values() for s in row})
        lines += [
            f"| {attr} asked | " + " | ".join(seen) + " | correct |",
            "|---|" + "---|" * (len(seen) + 1),
        ]
        for asked in sorted(table):
            row = table[asked]
            cells = " | ".join(str(row.get(s, "")) for s in seen)
            lines.append(f"| {asked} | {cells} | {_pct(row.get(asked, 0) / sum(row.values()))} |")
        lines.append("")
    return lines


def _num(v: float | None, fmt: str) -> str:
    return "—" if v is None else format(v, fmt)


def task_table(summary: dict[str, Any]) -> list[str]:
    """The task suites' summary (summarise_tasks) as Markdown table lines, a row per method."""
    lines = [
        "| task | method | PSNR hidden dB | SSIM hidden | PSNR known dB | track error | max jump "
        "| motion right |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for task, methods in summary.items():
        for m, v in methods.items():
            cells = [
                _num(v["psnr_hidden"], ".1f"),
                _num(v["ssim_hidden"], ".3f"),
                _num(v["psnr_known"], ".1f"),
                _num(v["track_error"], ".3f"),
                _num(v["max_jump"], ".1f"),
                _pct(v.get("motion_right")),
            ]
            lines.append(f"| {task} | {m} | " + " | ".join(cells) + " |")
    return lines


def _task_section(summary: dict[str, Any]) -> list[str]:
    lines = ["## Task suites (hidden content restored, against the truth)", ""]
    lines += task_table(summary)
    lines += [
        "",
        "PSNR hidden: the made pixels against the truth (99 = identical). SSIM hidden: frames",
        "with hidden pixels, known pixels taken from the truth. PSNR known: how well the given",
        "pixels were kept. Track error: mean distance (world units, 1 = frame height) between",
        "the objects the analyser sees in the result and in the truth, on frames with hidden",
        "pixels. Max jump: the largest mean absolute change between consecutive frames (0-255).",
        "Morph has no truth between its ends: only the ends and the jumps are scored. oracle is",
        "the truth itself (for morph, a blend); noise fills hidden pixels with noise. Motion",
        "right (cinemagraph): the analyser sees the region's object move as the prompt says.",
        "The generators renderer, static and noise make videos from text only and have no row;",
        "a model (`-g model`, `-m FOLDER`) does each task through its verb, prompted with the",
        "clip's caption (morph: no prompt).",
        "",
        "![tasks](tasks.png)",
        "",
    ]
    return lines


def task_sheet(items: list[TaskItem], path: Path, outputs: dict | None = None) -> None:
    """For the first item of each task: the known input (hidden pixels black), the truth and
    what each extra method (the model) made."""
    firsts = {}
    for it in items:
        firsts.setdefault(it.task, it)
    videos, captions = [], []
    for task, it in firsts.items():
        videos.append(Video(it.known, it.fps))
        captions.append(f"{task}: what the method is given (hidden pixels black)")
        if it.truth is not None:
            videos.append(Video(it.truth, it.fps))
            captions.append(f"{task}: the truth")
        for (t, method), frames in (outputs or {}).items():
            if t == task:
                videos.append(Video(frames, it.fps))
                captions.append(f"{task}: {method}")
    sheet_of_many(videos, path, frames_per_row=9, captions=captions)
