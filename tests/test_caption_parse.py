"""Captioner <-> parser: round trips, phrasing variety, synonyms and error messages."""

from __future__ import annotations

import re

import numpy as np
import pytest

from spacetime.world.caption import (
    ACTION_PHRASES,
    BACKGROUND_PHRASES,
    CAMERA_PHRASES,
    CAPTION_WORDS,
    DIRECTION_PHRASES,
    MOTION_PHRASES,
    RELATION_IT_PHRASES,
    RELATION_PHRASES,
    caption,
    captions,
)
from spacetime.world.motion import layout
from spacetime.world.parse import (
    EXTRA_SYNONYMS,
    ParseError,
    describe_vocabulary,
    misspelt,
    names_background,
    parse,
    prompt_to_scene,
)
from spacetime.world.sample import random_names
from spacetime.world.spec import (
    ACTIONS,
    BACKGROUNDS,
    CAMERAS,
    CHARACTERS,
    MAX_OBJECTS,
    MOTIONS,
    RELATIONS,
    ObjectSpec,
    SceneSpec,
)


def names(scene: SceneSpec) -> tuple:
    objs = [(o.shape, o.colour, o.size, o.motion, o.character) for o in scene.objects]
    return objs, scene.background, scene.camera, scene.relation


def obj(
    shape: str = "circle", colour: str = "red", size: str = "medium", motion: str = "still"
) -> ObjectSpec:
    return ObjectSpec(shape=shape, colour=colour, size=size, motion=motion)


def char(name: str, action: str = "stand") -> ObjectSpec:
    return ObjectSpec(
        shape="character", colour=CHARACTERS[name]["body"], motion=action, character=name
    )


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


# -- round trips ---------------------------------------------------------------------------


def test_random_scenes_round_trip() -> None:
    rng = np.random.default_rng(0)
    for _ in range(1500):
        scene = random_names(rng)
        text = caption(scene, rng)
        assert words(text) <= CAPTION_WORDS, text
        assert names(parse(text)) == names(scene), text


def test_random_scene_is_valid_and_layouts() -> None:
    rng = np.random.default_rng(1)
    for k in range(12):
        scene = random_names(rng, max_objects=3, characters=k % 2 == 0)
        scene.validate()
        placed = layout(scene, 2.0, seed=k)
        assert names(placed) == names(scene)
    for _ in range(300):
        scene = random_names(rng)
        assert 1 <= len(scene.objects) <= MAX_OBJECTS
        chars = [o.character for o in scene.objects if o.is_character]
        assert len(chars) == len(set(chars))
        if scene.relation is not None:
            assert len(scene.objects) >= 2
    assert not any(
        o.is_character for _ in range(50) for o in random_names(rng, characters=False).objects
    )


@pytest.mark.parametrize("motion", MOTIONS)
def test_every_motion_round_trips(motion: str) -> None:
    scene = SceneSpec(objects=[obj("star", "blue", "small", motion)])
    texts = captions(scene, 12, seed=3)
    assert len(set(texts)) >= 3
    for t in texts:
        assert names(parse(t)) == names(scene), t


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_round_trips(action: str) -> None:
    for name in CHARACTERS:
        scene = SceneSpec(objects=[char(name, action)])
        texts = captions(scene, 6, seed=4)
        assert len(set(texts)) >= 3
        for t in texts:
            assert name.capitalize() in t and CHARACTERS[name]["body"] not in words(t), t
            assert names(parse(t)) == names(scene), t


@pytest.mark.parametrize("background", BACKGROUNDS)
def test_every_background_round_trips(background: str) -> None:
    scene = SceneSpec(objects=[obj()], background=background)
    for t in captions(scene, 10, seed=5):
        assert names(parse(t)) == names(scene), t


@pytest.mark.parametrize("camera", CAMERAS)
def test_every_camera_round_trips(camera: str) -> None:
    scene = SceneSpec(objects=[obj(motion="left")], camera=camera)
    for t in captions(scene, 10, seed=6):
        assert names(parse(t)) == names(scene), t


@pytest.mark.parametrize("rel", RELATIONS)
def test_every_relation_and_order_round_trips(rel: str) -> None:
    objs = [
        obj("circle", "red", "small", "spin"),
        char("kiko", "wave"),
        obj("square", "green", "large", "up_right"),
    ]
    for i in range(3):
        for j in range(3):
            if i != j:
                scene = SceneSpec(objects=objs, relation=(i, rel, j))
                for t in captions(scene, 8, seed=i * 3 + j):
                    assert names(parse(t)) == names(scene), t


def test_identical_objects_may_be_counted() -> None:
    scene = SceneSpec(objects=[obj(motion="bounce")] * 2 + [obj("heart", "pink")])
    texts = captions(scene, 30, seed=7)
    assert any("two red circles" in t.lower() or "pair of red circles" in t.lower() for t in texts)
    for t in texts:
        assert names(parse(t)) == names(scene), t
    three = SceneSpec(objects=[obj("star", "white", "large", "fall")] * 3)
    assert any("three" in t.lower() for t in captions(three, 20, seed=8))


def test_phrase_tables_have_variety() -> None:
    for table in (
        MOTION_PHRASES,
        ACTION_PHRASES,
        BACKGROUND_PHRASES,
        CAMERA_PHRASES,
        RELATION_PHRASES,
        RELATION_IT_PHRASES,
        DIRECTION_PHRASES,
    ):
        for key, phrases in table.items():
            assert len(set(phrases)) >= 3, key
    assert set(BACKGROUND_PHRASES) == set(BACKGROUNDS) and set(CAMERA_PHRASES) == set(CAMERAS)


def test_captions_returns_n() -> None:
    scene = SceneSpec(objects=[obj()])
    out = captions(scene, 5, seed=0)
    assert len(out) == 5 and len(set(out)) == 5
    assert captions(scene, 5, seed=0) == out  # deterministic


# -- synonyms ------------------------------------------------------------------------------


def test_extra_synonyms_are_never_captioned() -> None:
    assert not set(EXTRA_SYNONYMS) & CAPTION_WORDS


_TEMPLATES = {
    "colour": ("a {w} circle", lambda s, v: s.objects[0].colour == v),
    "shape": ("a red {w}", lambda s, v: s.objects[0].shape == v),
    "size": ("a {w} red circle", lambda s, v: s.objects[0].size == v),
    "motion": ("a red circle {w}", lambda s, v: s.objects[0].motion == v),
    "move": ("a red circle {w} left", lambda s, v: s.objects[0].motion == "left"),
    "walk": ("Momo {w} to the right", lambda s, v: s.objects[0].motion == "walk_right"),
    "action": ("Kiko {w}", lambda s, v: s.objects[0].motion == v),
    "background": ("a red circle in the {w}", lambda s, v: s.background == v),
    "camera_move": ("a red circle; the camera {w} left", lambda s, v: s.camera == "pan_left"),
    "relation": ("a red circle {w} a blue square", lambda s, v: s.relation == (0, v, 1)),
}


@pytest.mark.parametrize("word", sorted(EXTRA_SYNONYMS))
def test_extra_synonym_parses_to_target(word: str) -> None:
    field, target = EXTRA_SYNONYMS[word]
    template, check = _TEMPLATES[field]
    scene = parse(template.format(w=word))
    assert check(scene, target), (word, scene)


def test_rephrased_prompts() -> None:
    s = parse(
        "A video of a tiny crimson ball that glides leftwards at dusk, while the camera "
        "sweeps right"
    )
    assert names(s) == ([("circle", "red", "small", "left", None)], "sunset", "pan_right", None)
    s = parse("There's a huge golden moon whirling over the ocean")
    assert names(s) == ([("crescent", "yellow", "large", "spin", None)], "sea", "static", None)


# -- specific constructs -------------------------------------------------------------------


def test_both_gives_the_motion_to_every_object_named() -> None:
    def motions(prompt: str) -> list[str]:
        return [o.motion for o in parse(prompt).objects]

    assert motions("Momo and Kiko walk left") == ["stand", "walk_left"]  # as the captions say
    assert motions("Momo and Kiko both walk left") == ["walk_left", "walk_left"]
    assert motions("a red circle and a blue square each moving up") == ["up", "up"]
    assert motions("a red circle above a blue square, both moving right") == ["right", "right"]
    assert motions("a red circle. a blue square and a green star, all spinning") == [
        "still",  # the last sentence's objects only
        "spin",
        "spin",
    ]
    assert motions("a red circle and a blue square, all on grass") == ["still", "still"]


def test_relation_parse() -> None:
    s = parse("a red circle to the left of a blue square")
    assert s.relation == (0, "left_of", 1)
    assert [o.shape for o in s.objects] == ["circle", "square"]
    assert parse("a red circle left of a blue square").relation == (0, "left_of", 1)
    assert parse("a red circle on the right of a blue square").relation == (0, "right_of", 1)
    assert parse("a red circle above a blue square").relation == (0, "above", 1)
    assert parse("a red star under a green heart").relation == (0, "below", 1)
    assert parse("a blue square with a red circle to its left").relation == (1, "left_of", 0)
    assert parse("To the left of a blue square, a red circle spins").relation == (1, "left_of", 0)
    s = parse("a red circle, a green star and a blue square. The first is above the third.")
    assert s.relation == (0, "above", 2)


def test_motion_left_is_not_relation_left_of() -> None:
    s = parse("a red circle moving to the left")
    assert s.relation is None and s.objects[0].motion == "left"
    s = parse("a red circle moving to the left to the left of a blue square")
    assert s.relation == (0, "left_of", 1) and s.objects[0].motion == "left"
    s = parse("a red circle moving up and to the left, a blue square")
    assert s.objects[0].motion == "up_left" and s.relation is None
    s = parse("a red circle drifting up and to the left of a blue square")
    assert s.objects[0].motion == "up" and s.relation == (0, "left_of", 1)
    assert parse("a red circle over the sea").relation is None


def test_count_parse() -> None:
    s = parse("two red circles")
    assert names(s)[0] == [("circle", "red", "medium", "still", None)] * 2
    s = parse("three small green crosses spinning")
    assert len(s.objects) == 3
    assert all(o.motion == "spin" and o.size == "small" for o in s.objects)


def test_count_parse_unknown_tail_is_rejected() -> None:
    with pytest.raises(ParseError, match="nothing"):
        parse("two red circles and nothing else")


def test_character_parse() -> None:
    s = parse("momo waves on a checkered floor")
    assert names(s) == (
        [("character", "pink", "medium", "wave", "momo")],
        "checker",
        "static",
        None,
    )
    s = parse("Pip")
    assert s.objects[0].motion == "stand" and s.objects[0].colour == "green"
    s = parse("Tama walks to the right while Kiko jumps up and down")
    assert [(o.character, o.motion) for o in s.objects] == [
        ("tama", "walk_right"),
        ("kiko", "jump"),
    ]


def test_defaults() -> None:
    s = parse("a red circle")
    assert names(s) == ([("circle", "red", "medium", "still", None)], "grey", "static", None)


# -- errors --------------------------------------------------------------------------------


def test_unknown_word_suggests() -> None:
    with pytest.raises(ParseError) as e:
        parse("a red sqaure")
    assert "unknown word 'sqaure'" in str(e.value) and "'square'" in str(e.value)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize(
    "prompt, fragment",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a video of the camera panning left", "at least one object"),
        ("a red blue circle", "two colours"),
        ("four red circles", "at most"),
        ("two red circles and two blue squares", "at most"),
        ("red circles", "how many"),
        ("a circle", "colour"),
        ("a red circle on a white background", "not a background"),
        ("a red circle spinning and moving left", "conflicting"),
        ("Momo spins", "cannot spin"),
        ("a blue Momo", "always pink"),
        ("two Momos", "unknown word"),
        ("a red circle moves", "which way"),
        ("a red circle to the left of", "each side"),
        ("a red circle on a sunny beach", "two backgrounds"),
    ],
)
def test_parse_errors(prompt: str, fragment: str) -> None:
    with pytest.raises(ParseError, match=fragment):
        parse(prompt)


def test_prompt_to_scene_and_vocabulary() -> None:
    s = prompt_to_scene("a red circle moving left to the left of a blue square", 2.0, seed=1)
    assert s.relation == (0, "left_of", 1) and s.objects[0].vx < 0
    text = describe_vocabulary()
    for w in ("red", "circle", "momo", "checker", "zoom"):
        assert w in text.lower()


def test_caption_rejects_inconsistent_character() -> None:
    bad = SceneSpec(objects=[ObjectSpec(shape="character", colour="red", character="momo")])
    with pytest.raises(ValueError):
        caption(bad, np.random.default_rng(0))


def test_names_background_reads_any_text() -> None:
    """A free-text prompt names a background when a world background phrase or the word
    background / backdrop is in it; unknown words are skipped, never an error."""
    assert names_background("the star keeps drifting right, slowly and gracefully") is False
    assert names_background("") is False
    assert names_background("a red star on the grass") is True
    assert names_background("Zorblax dances at sunset!") is True
    assert names_background("a cat in front of a brick backdrop") is True
    assert names_background("a blue ball over the sea") is True
    assert names_background("a red ball under a blue sky") is True
    assert names_background("a grass field") is True  # the prompt is the place
    assert names_background("a starry night") is True
    for thing in (
        "a grey cat",
        "a sea turtle",
        "a night owl",
        "a sunny smile",
        "keep the background",
    ):
        assert names_background(thing) is False, thing  # a colour or a thing, not a place
    rng = np.random.default_rng(0)
    for _ in range(100):  # every caption that names its background is read so
        scene = random_names(rng)
        text = caption(layout(scene, 2.0, seed=0), rng)
        named = any(p.lower() in text.lower() for p in BACKGROUND_PHRASES[scene.background])
        assert names_background(text) == named, text


def test_no_caption_or_eval_prompt_is_taken_for_a_typo() -> None:
    """The typo note (misspelt) never fires on the world's own captions or the eval's
    prompts, rephrased ones included; it does on a world word mistyped."""
    from spacetime.eval.suites import build_all
    from spacetime.models.text import default_encoder

    is_word = default_encoder().is_word
    captions = []
    for k in range(500):
        rng = np.random.default_rng([7, k])
        captions.append(caption(random_names(rng), rng))
    prompts = [*captions, *(item.prompt for item in build_all("full", 2.0))]
    assert [p for p in prompts if misspelt(p, is_word)] == []
    assert misspelt("a blue circel", is_word) == [
        "'circel' is not a word the model knows; did you mean 'circle' or 'circles'?"
    ]
