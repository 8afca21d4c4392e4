"""`spacetime eval`: suites are fixed, the held-out rule holds, and the bounds come out right."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spacetime.eval import generators
from spacetime.eval.report import REPORT_FILES, write_report
from spacetime.eval.run import confusion, run, summarise
from spacetime.eval.suites import SUITES, build, build_all
from spacetime.world.caption import CAPTION_WORDS
from spacetime.world.parse import parse
from spacetime.world.sample import ClipSettings, is_held_out, random_names, write_dataset
from spacetime.world.spec import COLOURS, MOTIONS, SHAPES


def held_out_objects(scene) -> list:
    return [
        o for o in scene.objects if not o.is_character and is_held_out(o.colour, o.shape, o.motion)
    ]


def test_held_out_rule_is_a_seventh_and_spares_every_single_name() -> None:
    triples = [(c, s, m) for c in COLOURS for s in SHAPES for m in MOTIONS]
    out = [t for t in triples if is_held_out(*t)]
    assert 0.12 < len(out) / len(triples) < 0.16
    for i in range(3):
        seen = {t[i] for t in triples if not is_held_out(*t)}
        assert len(seen) == len((COLOURS, SHAPES, MOTIONS)[i])


def test_no_held_out_combination_comes_out_of_the_training_stream(tmp_path) -> None:
    for k in range(3000):
        assert not held_out_objects(random_names(np.random.default_rng([5, k])))
    path = write_dataset(tmp_path, 30, ClipSettings(frames=2, fps=8, size=16), ext="")
    for line in path.read_text().splitlines():
        scene = json.loads(line)["scene"]
        for o in scene["objects"]:
            assert o["character"] or not is_held_out(o["colour"], o["shape"], o["motion"])


def test_suites_are_deterministic_and_parse_to_their_truth() -> None:
    a, b = build_all("quick", 2.0), build_all("quick", 2.0)
    assert [(x.id, x.prompt) for x in a] == [(x.id, x.prompt) for x in b]
    assert {x.suite for x in a} == set(SUITES)
    for item in a:
        names = parse(item.prompt)
        assert [(o.shape, o.colour, o.motion) for o in names.objects] == [
            (o.shape, o.colour, o.motion) for o in item.truth.objects
        ]


def test_held_out_suite_is_all_held_out_and_rephrased_uses_unseen_words() -> None:
    for item in build("heldout", 10, 2.0):
        assert held_out_objects(item.truth) == item.truth.objects
    for item in build("rephrased", 10, 2.0):
        words = set(item.prompt.lower().split())
        assert words - CAPTION_WORDS, item.prompt


@pytest.fixture(scope="module")
def bounds() -> dict[str, dict]:
    items = [x for s in SUITES for x in build(s, 2, 2.0)]
    return {  # 9 frames: the same verdicts as the default 17 (2026-12-07), in half the time
        name: summarise(run(generators.get(name), items, frames=9), 9 / 8)
        for name in ("renderer", "static", "noise")
    }


def test_renderer_is_the_upper_bound_and_noise_the_lower(bounds) -> None:
    assert bounds["renderer"]["all"]["all_right"] >= 0.9
    assert bounds["noise"]["all"]["all_right"] == 0.0
    assert bounds["noise"]["all"]["shape"] < 0.3


def test_static_generator_gets_names_right_and_motion_wrong(bounds) -> None:
    s = bounds["static"]["all"]
    assert s["colour"] >= 0.9 and s["shape"] >= 0.9
    assert s["motion"] < 0.3 and s["dynamic"] == 0.0 and s["flicker"] == 1.0


def test_report_files(tmp_path) -> None:
    items = build("trained", 2, 2.0)
    results = run(generators.renderer, items)
    (tmp_path / "tasks.png").write_bytes(b"an earlier report's, with task suites")
    path = write_report(tmp_path, "renderer", results, summarise(results, 2.0), {"seed": 0})
    names = {p.name for p in tmp_path.iterdir()}  # replaced whole: no stale sheet of tasks
    assert "tasks.png" not in names and names <= REPORT_FILES
    assert "| trained | 2 |" in path.read_text()
    truths = [o for r in results for o in items[int(r.id[-3:])].truth.objects]
    asked = [o.shape for o in truths if not o.is_character]
    shapes = confusion(results, "shape")  # the renderer draws what is asked
    assert sum(n for row in shapes.values() for n in row.values()) == len(asked)
    assert all(set(row) <= {shape, "missing"} for shape, row in shapes.items())
    assert "| shape asked |" in path.read_text()
    data = json.loads((tmp_path / "report.json").read_text())
    assert len(data["results"]) == 2 and data["settings"] == {"seed": 0}
    for png in ("faithfulness.png", "best.png", "worst.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"


def test_unknown_generator_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="renderer"):
        generators.get("sora")


def test_task_suites_bound_and_baselines() -> None:
    from spacetime.eval.tasks import TASKS, build, run_tasks, summarise_tasks

    items = [it for t in TASKS for it in build(t, 1, frames=9, size=48)]
    assert [it.task for it in items] == list(TASKS)
    for it in items:
        assert it.mask.any() and it.known[it.mask].max() == 0
    s = summarise_tasks(run_tasks(items))
    for task in TASKS:
        assert s[task]["oracle"]["psnr_known"] == 99.0
        if task != "morph":
            assert s[task]["oracle"]["psnr_hidden"] == 99.0
            for m in set(s[task]) - {"oracle", "noise", "constant-velocity"}:
                assert s[task][m]["psnr_hidden"] > s[task]["noise"]["psnr_hidden"], (task, m)
    assert s["morph"]["noise"]["max_jump"] > 3 * s["morph"]["blend"]["max_jump"]
