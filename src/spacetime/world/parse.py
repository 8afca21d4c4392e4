"""Prompt -> SceneSpec with names only (shapes, colours, sizes, motions, background, camera).

The parser reads every caption `spacetime.world.caption` can write, plus the extra synonyms in
`EXTRA_SYNONYMS` that the captioner never uses. It works in two steps: a lexer turns words
into tokens by longest phrase match (articles dropped, filler words skipped, unknown words
rejected with suggestions), then a single pass attaches modifiers, motions and relations to
objects. Numbers in the spec stay at their defaults: run `layout` (or `prompt_to_scene`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .caption import (
    ACTION_PHRASES,
    BACKGROUND_PHRASES,
    CAMERA_PHRASES,
    COUNT_WORDS,
    DIRECTION_PHRASES,
    MOTION_PHRASES,
    MOVE_VERBS,
    ORDINALS,
    PLURALS,
    PRE_MOTION,
    RELATION_IT_PHRASES,
    RELATION_PHRASES,
    STATIC_CAMERA_NPS,
    WALK_VERBS,
)
from .motion import layout
from .spec import (
    ACTIONS,
    BACKGROUNDS,
    CAMERAS,
    CHARACTERS,
    COLOURS,
    DIRECTIONS,
    MAX_OBJECTS,
    MOTIONS,
    RELATIONS,
    SHAPES,
    ObjectSpec,
    SceneSpec,
)


class ParseError(ValueError):
    """A prompt the parser cannot turn into a scene; the message says why."""


# Synonyms the captioner never writes: word -> (field, target).  Fields: colour, shape, size,
# motion, action, background, relation; "move" / "walk" / "camera_move" are verbs that take a
# direction ("glides left", "marches right", "the camera sweeps left").
EXTRA_SYNONYMS: dict[str, tuple[str, str]] = {
    **{w: ("colour", "red") for w in ("crimson", "scarlet", "ruby", "cherry")},
    **{w: ("colour", "blue") for w in ("azure", "navy", "cobalt", "sapphire")},
    **{w: ("colour", "purple") for w in ("violet", "lilac", "lavender", "plum")},
    **{w: ("colour", "pink") for w in ("magenta", "rose", "fuchsia")},
    **{w: ("colour", "orange") for w in ("amber", "tangerine", "apricot")},
    **{w: ("colour", "yellow") for w in ("golden", "gold", "lemon", "mustard")},
    **{w: ("colour", "green") for w in ("lime", "emerald", "jade")},
    **{w: ("colour", "cyan") for w in ("turquoise", "aqua", "teal")},
    **{w: ("colour", "white") for w in ("snowy", "ivory", "pearl")},
    **{w: ("shape", "circle") for w in ("ball", "disc", "disk", "dot", "orb")},
    **{w: ("shape", "square") for w in ("box", "block", "cube")},
    **{w: ("shape", "triangle") for w in ("pyramid", "wedge")},
    **{w: ("shape", "cross") for w in ("plus", "x")},
    "starburst": ("shape", "star"),
    "valentine": ("shape", "heart"),
    "moon": ("shape", "crescent"),
    **{w: ("size", "small") for w in ("tiny", "little", "mini", "wee")},
    "regular": ("size", "medium"),
    **{w: ("size", "large") for w in ("big", "huge", "giant", "enormous", "massive")},
    **{w: ("motion", "still") for w in ("stationary", "immobile", "frozen", "idle")},
    **{w: ("motion", "spin") for w in ("whirls", "whirling", "twirls", "twirling", "pirouettes")},
    **{
        w: ("motion", "grow")
        for w in ("expands", "expanding", "swells", "swelling", "enlarges", "inflates", "inflating")
    },
    **{
        w: ("motion", "shrink")
        for w in (
            "dwindles",
            "dwindling",
            "contracts",
            "contracting",
            "deflates",
            "deflating",
            "shrivels",
        )
    },
    **{
        w: ("motion", "fall")
        for w in ("plummets", "plummeting", "plunges", "plunging", "drops", "tumbles", "tumbling")
    },
    **{w: ("motion", "bounce") for w in ("ricochets", "ricocheting", "rebounds", "rebounding")},
    **{w: ("motion", "spin") for w in ("clockwise", "anticlockwise", "counterclockwise")},
    **{w: ("motion", "up") for w in ("rises", "rising", "ascends", "ascending")},
    **{w: ("motion", "down") for w in ("sinks", "sinking", "descends", "descending")},
    "leftwards": ("motion", "left"),
    "rightwards": ("motion", "right"),
    "upwards": ("motion", "up"),
    "skyward": ("motion", "up"),
    "downwards": ("motion", "down"),
    **{
        w: ("move", "move")
        for w in (
            "glides",
            "gliding",
            "scoots",
            "scooting",
            "zips",
            "zipping",
            "floats",
            "floating",
            "cruises",
            "cruising",
            "rolls",
            "rolling",
            "goes",
            "going",
            "flies",
            "flying",
            "races",
            "racing",
            "speeds",
            "speeding",
        )
    },
    **{
        w: ("walk", "walk")
        for w in (
            "marches",
            "marching",
            "strides",
            "striding",
            "ambles",
            "ambling",
            "wanders",
            "wandering",
            "struts",
            "strutting",
        )
    },
    **{w: ("action", "jump") for w in ("leaps", "leaping", "bounds")},
    **{w: ("action", "wave") for w in ("greets", "greeting", "salutes", "saluting")},
    **{w: ("action", "stand") for w in ("idles", "idling", "lingers", "lingering", "loiters")},
    "gray": ("background", "grey"),
    **{w: ("background", "cream") for w in ("beige", "vanilla", "parchment")},
    **{w: ("background", "day") for w in ("noon", "midday", "daylight", "sunny")},
    **{w: ("background", "sunset") for w in ("dusk", "evening", "twilight", "sundown")},
    **{w: ("background", "night") for w in ("midnight", "nighttime", "moonlit", "starlit")},
    **{w: ("background", "grass") for w in ("meadow", "lawn", "pasture", "prairie")},
    **{w: ("background", "sea") for w in ("ocean", "beach", "seaside", "shore", "coast")},
    **{
        w: ("background", "checker")
        for w in ("chessboard", "checkerboard", "chequered", "checked", "tiles", "tiled")
    },
    **{w: ("camera_move", "move") for w in ("sweeps", "sweeping", "swings", "swinging")},
    "beneath": ("relation", "below"),
    "atop": ("relation", "above"),
}

# Words that carry no meaning here; skipped wherever they stand alone.
_FILLER_TEXT = """
    of is are be being was were there here that which who whom this these those video clip
    scene animation movie footage film we see can you shows showing show depicts depicting
    in on at by against into onto from across around about through for to towards
    toward just also too very slowly quickly gently steadily smoothly happily
    patiently quietly plain bright coloured colored floor ground wall walls sides
    edges frame screen sky pattern place spot front behind another other together has have
    having looks appears seen shown object objects shape shapes thing things its getting
    keeps keep continuously constantly repeatedly again well along off away diagonally
    straight please make create generate render some they their them he she his her
    hello viewer gravity joy sized glow set whole entire every middle centre center
"""
FILLERS: frozenset[str] = frozenset(_FILLER_TEXT.split())
SEPARATOR_WORDS: frozenset[str] = frozenset(
    {"and", "while", "whilst", "as", "with", "then", "meanwhile", "as well as", "along with"}
)
_PUNCT_HARD = frozenset(".;:!?")
_ARTICLES = frozenset({"a", "an", "the"})
_WORD_RE = re.compile(r"[^\W_]+|[.,;:!?]")  # words in any script: "réd" is one unknown word
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def _words(text: str) -> list[str]:
    """Lower-case words and punctuation marks, contractions expanded, articles dropped."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"\bcan't\b", "can not", t)
    t = re.sub(r"\bwon't\b", "will not", t)
    t = re.sub(r"n't\b", " not", t)
    t = re.sub(r"'s\b", " is", t)
    t = re.sub(r"'re\b", " are", t)
    t = t.replace("'", "")
    return [w for w in _WORD_RE.findall(t) if w not in _ARTICLES]


@dataclass(frozen=True)
class _Tok:
    kind: str  # colour size count shape char camhead camverb motion camera bg bgword rel relit
    #            ord pron sep filler
    value: Any = None
    plural: bool = False
    text: str = ""


_MODS = frozenset({"colour", "size", "count"})
_NOT_PRENOMINAL = frozenset({*DIRECTIONS, "move", "walk"})  # "moving left" follows its noun
_HEADS = frozenset({"shape", "char"})
_LEX: dict[tuple[str, ...], _Tok] = {}
_SHOWN: dict[str, str] = {}  # word known only inside phrases -> one such phrase


def _add(phrase: str, kind: str, value: Any = None, plural: bool = False) -> None:
    key = tuple(w for w in _words(phrase) if w not in _PUNCT_HARD and w != ",")
    tok = _Tok(kind, value, plural)
    old = _LEX.get(key)
    if old is not None and old != tok:
        raise AssertionError(f"lexicon clash for {phrase!r}: {old} vs {tok}")
    _LEX[key] = tok
    for w in key:
        _SHOWN.setdefault(w, phrase)


def _build_lexicon() -> None:
    for c in COLOURS:
        _add(c, "colour", c)
    for s in SHAPES:
        _add(s, "shape", s)
        _add(PLURALS[s], "shape", s, plural=True)
    for size, words in (
        ("small", ("small",)),
        ("medium", ("medium", "medium-sized")),
        ("large", ("large",)),
    ):
        for w in words:
            _add(w, "size", size)
    for w, n in _NUMBERS.items():
        _add(w, "count", n)
    for n, words in COUNT_WORDS.items():
        for w in words:
            _add(w, "count", n)
    for name in CHARACTERS:
        _add(name, "char", name)
    for forms in MOVE_VERBS:
        for w in forms:
            _add(w, "motion", "move")
    for d, phrases in DIRECTION_PHRASES.items():
        for p in phrases:
            _add(p, "motion", d)
    for d in ("up_left", "up_right", "down_left", "down_right"):
        v, h = d.split("_")
        for p in (
            f"{v} {h}",
            f"{'top' if v == 'up' else 'bottom'} {h}",
            f"{'upper' if v == 'up' else 'lower'} {h}",
        ):
            _add(p, "motion", d)
    for m, forms_list in MOTION_PHRASES.items():
        for forms in forms_list:
            for p in forms:
                _add(p, "motion", m)
    for m, adjs in PRE_MOTION.items():
        for a in adjs:
            _add(a, "motion", m)
    for w in (
        "still",
        "static",
        "sitting",
        "sits",
        "staying",
        "stays",
        "dropping",
        "turning",
        "turns",
        "bigger",
        "larger",
        "smaller",
        "round and round",
        "up and down",
    ):
        _add(
            w,
            "motion",
            {
                "bigger": "grow",
                "larger": "grow",
                "smaller": "shrink",
                "dropping": "fall",
                "turning": "spin",
                "turns": "spin",
                "round and round": "spin",
                "up and down": "jump",
            }.get(w, "still"),
        )
    for forms in WALK_VERBS:
        for w in forms:
            _add(w, "motion", "walk")
    for w in ("walk", "walks", "walking"):
        _add(w, "motion", "walk")
    for a, pairs in ACTION_PHRASES.items():
        for pair in pairs:
            for p in pair:
                _add(p, "motion", a)
    for w, a in (
        ("stand", "stand"),
        ("wait", "stand"),
        ("waits", "stand"),
        ("waiting", "stand"),
        ("jump", "jump"),
        ("hop", "jump"),
        ("wave", "wave"),
    ):
        _add(w, "motion", a)
    for bg in BACKGROUNDS:
        _add(bg, "bg", bg)
    for bg, phrases in BACKGROUND_PHRASES.items():
        for p in phrases:
            _add(p, "bg", bg)
    for w, bg in (
        ("daytime", "day"),
        ("starry", "night"),
        ("grassy", "grass"),
        ("field", "grass"),
        ("checkered", "checker"),
        ("blue sky", "day"),
        ("daytime sky", "day"),
        ("blue daytime sky", "day"),
        ("orange sunset", "sunset"),
        ("green grass", "grass"),
    ):
        _add(w, "bg", bg)
    for w in ("background", "backdrop"):
        _add(w, "bgword")
    for w in ("camera", "view", "shot", "camera view"):
        _add(w, "camhead")
    for w in ("pans", "pan", "panning", "tilts", "tilt", "tilting", "zooms", "zoom", "zooming"):
        _add(w, "camverb")
    for cam, pairs in CAMERA_PHRASES.items():
        if cam == "static":
            continue
        for pair in pairs:
            for p in pair:
                _add(p, "camera", cam)
    for cam, more in (
        ("zoom_in", ("zoom in", "push in", "pushes in closer")),
        ("zoom_out", ("zoom out", "pull back", "pull out")),
    ):
        for p in more:
            _add(p, "camera", cam)
    for p in (*STATIC_CAMERA_NPS, "still camera", "stationary camera"):
        _add(p, "camera", "static")
    for rel, phrases in RELATION_PHRASES.items():
        for p in phrases:
            _add(p, "rel", rel)
    for p, rel in (
        ("on top of", "above"),
        ("to left side of", "left_of"),
        ("to right side of", "right_of"),
    ):
        _add(p, "rel", rel)
    for rel, phrases in RELATION_IT_PHRASES.items():
        for p in phrases:
            _add(p, "relit", rel)
    for n, w in enumerate(ORDINALS, start=1):
        for p in (w, f"{w} one", f"{w} object", f"{w} shape"):
            _add(p, "ord", n)
    _add("last one", "ord", -1)
    _add("it", "pron")
    for p in ("next to", "beside", "near", "close to", "side by side", "nearby"):
        _add(p, "vague")
    for p, d in (
        ("from left to right", "right"),
        ("from right to left", "left"),
        ("from top to bottom", "down"),
        ("from bottom to top", "up"),
    ):
        _add(p, "motion", d)
    for p in (
        "video of",
        "there is",
        "there are",
        "under gravity",
        "in place",
        "on spot",
        "for joy",
        "wall to wall",
        "at viewer",
        "we see",
    ):
        _add(p, "filler")
    for w in SEPARATOR_WORDS:
        _add(w, "sep", "soft")
    for w in ("both", "each", "all"):  # "Momo and Kiko both walk left": each one walks
        _add(w, "every")
    for w, (fld, target) in EXTRA_SYNONYMS.items():
        kind = {
            "background": "bg",
            "relation": "rel",
            "action": "motion",
            "move": "motion",
            "walk": "motion",
            "camera_move": "camverb",
        }.get(fld, fld)
        value = {"move": "move", "walk": "walk"}.get(fld, target)
        _add(w, kind, None if kind == "camverb" else value)


_build_lexicon()
_MAXLEN = max(len(k) for k in _LEX)
_SHAPE_WORDS = {k[0]: t.value for k, t in _LEX.items() if t.kind == "shape" and len(k) == 1}
# Words that mean something on their own (suggestions for misspellings come from these).
VOCABULARY: frozenset[str] = frozenset(
    {k[0] for k in _LEX if len(k) == 1}
    | FILLERS
    | {s + "s" for s in _SHAPE_WORDS if not s.endswith("s")}
)


_PHRASE_WORDS = frozenset(w for k in _LEX for w in k)  # every word of a known phrase


def _either(words: list[str]) -> str:
    """'a', 'a' or 'b', 'a', 'b' or 'c': quoted."""
    quoted = [repr(w) for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _unknown(word: str) -> ParseError:
    if word in _SHOWN:
        return ParseError(f"the word {word!r} is known only in phrases such as {_SHOWN[word]!r}")
    close = difflib.get_close_matches(word, sorted(VOCABULARY), n=3, cutoff=0.6)
    if not close:
        return ParseError(f"unknown word {word!r}; see the vocabulary (spacetime world vocab)")
    return ParseError(f"unknown word {word!r}; did you mean {_either(close)}?")


def misspelt(prompt: str, is_word: Callable[[str], bool]) -> list[str]:
    """A note for each word of the prompt that looks like a world word mistyped: not a word
    of the world, not a word to is_word (the text encoder's whole words: "crimson" and
    "disc" are, "sqaure" is not), and within a letter or two of a world word. Any text may
    be asked; this only says what the model will likely not read."""
    notes = []
    for w in dict.fromkeys(_words(prompt)):
        if w in VOCABULARY or w in _PHRASE_WORDS or not w.isalpha() or is_word(w):
            continue
        close = difflib.get_close_matches(w, sorted(VOCABULARY), n=3, cutoff=0.75)
        if close:
            notes.append(f"{w!r} is not a word the model knows; did you mean {_either(close)}?")
    return notes


def _lex(prompt: str) -> list[_Tok]:
    words = _words(prompt)
    toks: list[_Tok] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _PUNCT_HARD or w == ",":
            toks.append(_Tok("sep", "hard" if w in _PUNCT_HARD else "soft", text=w))
            i += 1
            continue
        match: tuple[_Tok, int] | None = None
        fallback: tuple[_Tok, int] | None = None
        for n in range(min(_MAXLEN, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            tok = _LEX.get(key)
            if tok is None:
                continue
            # "moving up and to the left of X": a direction right before "of" is a relation.
            if tok.kind == "motion" and i + n < len(words) and words[i + n] == "of":
                fallback = fallback or (tok, n)
                continue
            match = (tok, n)
            break
        match = match or fallback
        if match is not None:
            tok, n = match
            if tok.kind != "filler":
                toks.append(replace(tok, text=" ".join(words[i : i + n])))
            i += n
            continue
        i += 1
        if w in FILLERS:
            continue
        if w.isdigit():
            toks.append(_Tok("count", int(w), text=w))
            continue
        stem = next((s for s in (w[:-1], w[:-2]) if w.endswith("s") and s in _SHAPE_WORDS), None)
        if stem is not None:
            toks.append(_Tok("shape", _SHAPE_WORDS[stem], plural=True, text=w))
            continue
        raise _unknown(w)
    return toks


@dataclass
class _Obj:
    shape: str
    character: str | None
    text: str
    colour: str | None = None
    size: str | None = None
    motions: list[str] = field(default_factory=list)

    def name(self) -> str:
        if self.character:
            return self.character.capitalize()
        return " ".join(w for w in (self.colour, self.shape) if w)


Ref = tuple[str, int]  # ("grp", group index) | ("obj", object index) | ("ord", 1-based ordinal)


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.objs: list[_Obj] = []
        self.groups: list[list[int]] = []
        self.pending_mods: list[_Tok] = []
        self.pending_motions: list[_Tok] = []
        self.subject: Any = None  # list[int] (a group) | "camera" | Ref ("ord", n) | None
        self.refs: list[Ref] = []  # referents in the current sentence
        self.rel: dict[str, Any] | None = None
        self.cam_motions: list[str] = []
        self.ord_motions: dict[int, list[str]] = {}
        self.bgs: list[tuple[str, str]] = []

    def next_kind(self, k: int, skip_motion: bool = True) -> str | None:
        k += 1
        while k < len(self.toks) and skip_motion and self.toks[k].kind == "motion":
            k += 1
        return self.toks[k].kind if k < len(self.toks) else None

    # -- objects and modifiers -----------------------------------------------------------
    def apply_mods(self, idx: list[int], mods: list[_Tok]) -> None:
        for m in mods:
            for k in idx:
                o = self.objs[k]
                if m.kind == "count":
                    raise ParseError(f"put the number {m.text!r} before the {o.shape}")
                if m.kind == "colour":
                    if o.character:
                        body = CHARACTERS[o.character]["body"]
                        if m.value != body:
                            raise ParseError(f"{o.name()} is always {body}, not {m.text!r}")
                    elif o.colour not in (None, m.value):
                        raise ParseError(
                            f"two colours for one {o.shape}: {o.colour!r} and {m.value!r}"
                        )
                    o.colour = m.value
                else:
                    if o.character and m.value != "medium":
                        raise ParseError(f"characters come in one size; drop {m.text!r}")
                    if o.size not in (None, m.value):
                        raise ParseError(
                            f"two sizes for one {o.name()}: {o.size!r} and {m.value!r}"
                        )
                    o.size = m.value

    def flush_mods(self, strict: bool) -> None:
        if not self.pending_mods:
            return
        if isinstance(self.subject, list):
            mods, self.pending_mods = self.pending_mods, []
            self.apply_mods(self.subject, mods)
        elif strict:
            word = self.pending_mods[0].text
            raise ParseError(
                f"{word!r} does not describe any object; put it before a shape, e.g. 'a red circle'"
            )

    def new_head(self, tok: _Tok) -> None:
        mods, self.pending_mods = self.pending_mods, []
        counts = {m.value for m in mods if m.kind == "count"}
        if len(counts) > 1:
            raise ParseError(f"two numbers for one {tok.text!r}")
        n = next(iter(counts)) if counts else 1
        if tok.kind == "char":
            if n != 1:
                raise ParseError(f"there is only one {tok.value.capitalize()}")
            known = [k for k, o in enumerate(self.objs) if o.character == tok.value]
            if known:  # a second mention refers back: "Momo and Kiko. Kiko is left of Momo."
                self.apply_mods(known, [m for m in mods if m.kind != "count"])
                self.subject = known
                self.motions_to(known)
                self.add_ref(("obj", known[0]))
                return
            new = [_Obj("character", tok.value, tok.text)]
        else:
            if tok.plural and not counts:
                raise ParseError(f"how many {tok.text}? say e.g. 'two {tok.text}'")
            if n < 1:
                raise ParseError(f"need at least one {tok.value}")
            new = [_Obj(tok.value, None, tok.text) for _ in range(n)]
        if len(self.objs) + len(new) > MAX_OBJECTS:
            raise ParseError(f"at most {MAX_OBJECTS} objects per scene")
        start = len(self.objs)
        self.objs.extend(new)
        group = list(range(start, start + len(new)))
        self.groups.append(group)
        self.apply_mods(group, [m for m in mods if m.kind != "count"])
        self.subject = group
        self.motions_to(group)
        self.add_ref(("grp", len(self.groups) - 1))

    def motions_to(self, idx: list[int]) -> None:
        for m in self.pending_motions:
            for k in idx:
                self.objs[k].motions.append(m.value)
        self.pending_motions = []

    # -- relations -----------------------------------------------------------------------
    def add_ref(self, ref: Ref) -> None:
        self.refs.append(ref)
        rel = self.rel
        if rel is None or rel["need"] is None:
            return
        if rel["need"] == "anchor_then_subject":
            rel["anchor"], rel["need"] = ref, "subject"
        else:
            rel[rel["need"]], rel["need"] = ref, None

    def start_relation(self, tok: _Tok, k: int) -> None:
        if self.rel is not None:
            raise ParseError("only one spatial relation per scene")
        rel: dict[str, Any] = {
            "rel": tok.value,
            "text": tok.text,
            "subject": None,
            "anchor": None,
            "need": None,
        }
        last = ("grp", len(self.groups) - 1)
        if tok.kind == "rel":
            if self.refs:  # "X to the left of Y"
                rel["subject"], rel["need"] = self.refs[-1], "anchor"
            else:  # "To the left of Y, X"
                rel["need"] = "anchor_then_subject"
        else:
            if not self.groups:
                raise ParseError(f"{tok.text!r} needs an object before it")
            if not self.refs or self.next_kind(k) in _MODS | _HEADS:
                rel["anchor"], rel["need"] = last, "subject"  # "Y, and to its left X"
            else:  # "Y with X to its left"
                before = self.groups[-1][0] - 1
                if before < 0:
                    raise ParseError(f"{tok.text!r} needs two objects")
                rel["subject"], rel["anchor"] = last, ("obj", before)
        self.rel = rel

    def resolve_ref(self, ref: Ref, as_subject: bool) -> int:
        kind, v = ref
        if kind == "grp":
            g = self.groups[v]
            return g[-1] if as_subject else g[0]
        if kind == "ord":
            idx = len(self.objs) - 1 if v == -1 else v - 1
            if not 0 <= idx < len(self.objs):
                nth = "last" if v == -1 else ORDINALS[v - 1] if v <= len(ORDINALS) else str(v)
                raise ParseError(f"there is no {nth} object")
            return idx
        return v

    def named(self) -> list[int]:
        """The objects the current sentence has named so far, in order."""
        idx: list[int] = []
        for kind, v in self.refs:
            idx += self.groups[v] if kind == "grp" else [v] if kind == "obj" else []
        return list(dict.fromkeys(idx))

    # -- main pass -----------------------------------------------------------------------
    def attach_motion(self, tok: _Tok) -> None:
        s = self.subject
        if s is None:
            self.pending_motions.append(tok)
        elif s == "camera":
            self.cam_motions.append(tok.value)
        elif isinstance(s, tuple):
            self.ord_motions.setdefault(s[1], []).append(tok.value)
        else:
            for k in s:
                self.objs[k].motions.append(tok.value)

    def run(self) -> SceneSpec:
        toks = self.toks
        for k, tok in enumerate(toks):
            kind = tok.kind
            if kind in _MODS:
                self.pending_mods.append(tok)
            elif kind in _HEADS:
                self.new_head(tok)
            elif kind in ("camhead", "camverb"):
                if self.pending_mods:
                    raise ParseError(f"{self.pending_mods[0].text!r} cannot describe the camera")
                self.subject = "camera"
                self.cam_motions += [m.value for m in self.pending_motions]
                self.pending_motions = []
                if kind == "camverb":
                    self.cam_motions.append("move")
            elif kind == "motion":
                if tok.value not in _NOT_PRENOMINAL and (
                    self.subject is None or self.next_kind(k) in _MODS | _HEADS | {"camhead"}
                ):
                    self.pending_motions.append(tok)  # "a spinning red star"
                else:
                    self.flush_mods(strict=False)
                    self.attach_motion(tok)
            elif kind == "camera":
                self.cam_motions.append(tok.value)
            elif kind == "vague":
                raise ParseError(
                    f"{tok.text!r} is too vague; say 'to the left of', "
                    "'to the right of', 'above' or 'below'"
                )
            elif kind == "bg":
                self.flush_mods(strict=False)
                self.bgs.append((tok.value, tok.text))
            elif kind == "bgword":
                colours = [m.text for m in self.pending_mods if m.kind == "colour"]
                if colours:
                    raise ParseError(
                        f"{colours[0]!r} is not a background; backgrounds: "
                        + ", ".join(BACKGROUNDS)
                    )
                self.flush_mods(strict=False)
            elif kind in ("rel", "relit"):
                self.flush_mods(strict=False)
                if kind == "rel" and self.next_kind(k, skip_motion=False) == "bg":
                    continue  # "over the sea", "under a starry sky": not a relation
                self.start_relation(tok, k)
            elif kind == "ord":
                if self.next_kind(k) in _MODS | _HEADS:
                    continue  # "first a red circle ..."
                self.flush_mods(strict=False)
                self.subject = ("ord", tok.value)
                self.add_ref(("ord", tok.value))
            elif kind == "every":
                if self.next_kind(k, skip_motion=False) != "motion":
                    continue  # "..., all on a grey background"
                self.flush_mods(strict=False)
                self.subject = self.named() or self.subject
            elif kind == "pron":
                if not self.groups:
                    raise ParseError("'it' does not refer to any object")
                self.flush_mods(strict=False)
                self.subject = self.groups[-1]
                self.add_ref(("grp", len(self.groups) - 1))
            elif kind == "sep":
                self.flush_mods(strict=tok.value == "hard")
                if tok.value == "hard":
                    self.refs = []
        return self.finish()

    def finish(self) -> SceneSpec:
        self.flush_mods(strict=True)
        if self.pending_motions:
            raise ParseError(f"{self.pending_motions[0].text!r} does not say what moves")
        if not self.objs:
            raise ParseError("name at least one object, e.g. 'a red circle moving left'")
        for n, motions in self.ord_motions.items():
            self.objs[self.resolve_ref(("ord", n), True)].motions += motions
        relation = None
        if self.rel is not None:
            if self.rel["need"] is not None:
                raise ParseError(f"{self.rel['text']!r} needs an object on each side")
            i = self.resolve_ref(self.rel["subject"], True)
            j = self.resolve_ref(self.rel["anchor"], False)
            if i == j:
                raise ParseError(f"an object cannot be {self.rel['text']!r} itself")
            relation = (i, self.rel["rel"], j)
        bgs = sorted({b for b, _ in self.bgs})
        if len(bgs) > 1:
            raise ParseError(f"two backgrounds: {bgs[0]!r} and {bgs[1]!r}")
        objects = []
        for o in self.objs:
            if o.character:
                motion = _resolve_motion(o.motions, "character", o.name())
                objects.append(
                    ObjectSpec(
                        shape="character",
                        colour=CHARACTERS[o.character]["body"],
                        size="medium",
                        motion=motion,
                        character=o.character,
                    )
                )
            else:
                if o.colour is None:
                    raise ParseError(
                        f"what colour is the {o.shape}? e.g. 'a red {o.shape}'; "
                        "colours: " + ", ".join(COLOURS)
                    )
                motion = _resolve_motion(o.motions, "object", o.name())
                objects.append(
                    ObjectSpec(
                        shape=o.shape, colour=o.colour, size=o.size or "medium", motion=motion
                    )
                )
        camera = _resolve_motion(self.cam_motions, "camera", "camera")
        scene = SceneSpec(
            objects=objects, background=bgs[0] if bgs else "grey", camera=camera, relation=relation
        )
        try:
            scene.validate()
        except ValueError as e:  # pragma: no cover - the parser should never build these
            raise ParseError(str(e)) from e
        return scene


_CHAR_MAP = {"still": "stand", "left": "walk_left", "right": "walk_right", "bounce": "jump"}
_OBJ_MAP = {"stand": "still", "jump": "bounce"}
_CAM_MAP = {
    "still": "static",
    "left": "pan_left",
    "right": "pan_right",
    "up": "pan_up",
    "down": "pan_down",
    "grow": "zoom_in",
    "shrink": "zoom_out",
}


def _resolve_motion(values: list[str], what: str, name: str) -> str:
    """Merge the motion words said about one thing into one motion name."""
    vals = set(values)
    partial = vals & {"move", "walk"}
    vals -= partial
    h, v = vals & {"left", "right"}, vals & {"up", "down"}
    if len(h) == 1 and len(v) == 1 and what != "character":
        vals -= h | v
        vals.add(f"{v.pop()}_{h.pop()}")
    if "fall" in vals and "down" in vals:
        vals.discard("down")
    if what == "character":
        vals = {_CHAR_MAP.get(m, m) for m in vals}
        allowed, default = set(ACTIONS), "stand"
        can = "stand, walk left or right, jump or wave"
    elif what == "camera":
        vals = {_CAM_MAP.get(m, m) for m in vals}
        allowed, default = set(CAMERAS), "static"
        can = "stay still, pan left/right/up/down or zoom in/out"
    else:
        vals = {_OBJ_MAP.get(m, m) for m in vals}
        allowed, default = set(MOTIONS), "still"
        can = "stay still, move in one of 8 directions, bounce, fall, spin, grow or shrink"
    name = name if what == "character" else f"the {name}"
    if not vals and partial:
        ways = "left or right" if what == "character" else "left, right, up or down"
        raise ParseError(f"which way does {name} move? say {ways}")
    bad = sorted(vals - allowed)
    if bad:
        raise ParseError(f"{name} cannot {bad[0].replace('_', ' ')}; it can {can}")
    if len(vals) > 1:
        a, b = sorted(vals)[:2]
        raise ParseError(f"conflicting motions for {name}: {a!r} and {b!r}")
    return vals.pop() if vals else default


_PLACE = frozenset(
    {
        "on",
        "in",
        "at",
        "under",
        "against",
        "over",
        "by",
        "across",
        "through",
        "into",
        "onto",
        "above",
        "before",
        "behind",
        "of",
        "front",
        "all",
    }
)  # a word before a background that makes it the place, not a colour ("a grey cat")


def names_background(prompt: str) -> bool:
    """Whether a prompt names where it happens: a background phrase of the world of more
    than one word ("a blue sky", "in a grassy field"), two background words of the same
    background side by side ("a grass field", "a starry night"), or a background word or
    the word background / backdrop after a place word ("at sea", "on a brick backdrop"),
    not as a colour or a thing ("a grey cat", "a sea turtle"). Words it does not know are
    skipped, so any text may be asked."""
    words = [w for w in _words(prompt) if w not in _PUNCT_HARD and w != ","]
    last: tuple[int, str] | None = None  # (end, background) of the last background word
    for i in range(len(words)):
        for n in range(min(_MAXLEN, len(words) - i), 0, -1):
            tok = _LEX.get(tuple(words[i : i + n]))
            if tok is None or tok.kind not in ("bg", "bgword"):
                continue
            before = words[max(0, i - 3) : i]  # "on a brick backdrop": a word between
            if (tok.kind == "bg" and n > 1) or _PLACE & set(before):
                return True
            if tok.kind == "bg" and last == (i, tok.value):
                return True
            if tok.kind == "bg":
                last = (i + n, tok.value)
            break
    return False


def parse(prompt: str) -> SceneSpec:
    """Read a prompt into a SceneSpec with names only (numbers stay at their defaults)."""
    if not prompt or not prompt.strip():
        raise ParseError("empty prompt; describe a scene, e.g. 'a red circle moving left'")
    return _Parser(_lex(prompt)).run()


def prompt_to_scene(prompt: str, seconds: float, seed: int = 0) -> SceneSpec:
    """parse() then layout(): a scene ready to render."""
    return layout(parse(prompt), seconds, seed)


def describe_vocabulary() -> str:
    """A short listing of the words the parser knows, for CLI help."""

    def words(kind: str, value: str) -> list[str]:
        out = [
            " ".join(k)
            for k, t in _LEX.items()
            if t.kind == kind and t.value == value and k[0] not in EXTRA_SYNONYMS
        ]
        return sorted(out, key=lambda s: (len(s), s))[:4]

    dirs = ", ".join(d.replace("_", "-") for d in DIRECTIONS)
    lines = [
        "colours:     " + ", ".join(COLOURS),
        "shapes:      " + ", ".join(SHAPES) + "  (plurals with two/three: 'two red circles')",
        "sizes:       small, medium (default), large",
        "motions:     still (default), moving " + dirs + ", bouncing, falling, spinning, "
        "growing, shrinking",
        "characters:  "
        + ", ".join(n.capitalize() for n in CHARACTERS)
        + "  (stands, walks left/right, jumps, waves)",
        "backgrounds: " + "; ".join(f"{b} ({', '.join(words('bg', b)[:2])})" for b in BACKGROUNDS),
        "camera:      still (default), pans left/right, tilts up/down, zooms in/out",
        "relations:   "
        + ", ".join(RELATION_PHRASES[r][0] for r in RELATIONS)
        + "  (e.g. 'a red circle to the left of a blue square')",
        f"at most {MAX_OBJECTS} objects; each character at most once.",
    ]
    return "\n".join(lines)
