"""The `Video` container and reading/writing clips through PyAV.

Formats, picked from the path:

* ``.mp4``  H.264 (libx264, yuv420p). Odd sizes are edge-padded to even and cropped back on read.
* ``.webm`` VP9 (libvpx-vp9, yuv420p), same padding rule.
* ``.gif``  PyAV's gif encoder on per-frame 256-colour palettes (lossy: quantised colours).
* a path without a suffix (or an existing directory): a folder of frames ``000000.png``,
  ``000001.png``, ... plus ``recipe.json``. Lossless.

Every file carries a small JSON *header*: ``{"spacetime": 1, "fps", "num_frames", "height",
"width", "recipe"}``. For mp4/webm it is the container's ``comment`` tag; for a frame folder it is
``recipe.json``; GIF has no metadata ffmpeg can write, so it goes to a sidecar
``<name>.gif.recipe.json`` next to the GIF (GIF delays are also centiseconds, so the sidecar is
what keeps fps exact). Files without a header still read, with ``recipe == {}``.

All writes are atomic: a temporary name in the target directory, then ``os.replace``.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import heapq
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from PIL import Image, ImageOps

__all__ = ["Stream", "Video", "VideoError", "iter_video", "read_video", "write_video"]

HEADER_VERSION = 1
RECIPE_FILE = "recipe.json"  # header file inside a frame folder
VIDEO_SUFFIXES = (".mp4", ".webm", ".gif")  # the files write_video writes
SIDECAR_SUFFIX = ".recipe.json"  # appended to a GIF's file name
MIN_FPS, MAX_FPS = 0.1, 1000.0  # the frame rates a clip may have
MAX_DECODED = 4 << 30  # bytes of decoded frames a read may hold: 23 s of 1080p at 30 fps
MAX_GIF_FPS = 50.0  # a GIF's delays are in 1/100 s, and browsers play 1/100 as 1/10
FOLDER_FPS = 24.0  # the frame rate of a folder of frames that does not say its own
DEFAULT_CRF = {".mp4": 15, ".webm": 20}


Each = Callable[[np.ndarray], np.ndarray]  # a change made to every frame as it is read


class VideoError(ValueError):
    """A clip cannot be read or written; the message names the path and what to do."""


def missing(src: Path) -> str:
    """Why src, which does not exist, cannot be read: a web address (Path has made
    https://x of it https:/x) or a path that is wrong."""
    if re.match(r"^[a-z][a-z0-9+.-]+:/", str(src), re.IGNORECASE):  # not C:/
        return (
            f"cannot read {src}: spacetime reads files on this machine, not web addresses; "
            "download it first"
        )
    return f"cannot read {src}: no such file or folder; check the path"


@dataclass(eq=False)
class Video:
    """A clip in memory: RGB frames, a frame rate and the recipe that made it."""

    frames: np.ndarray  # (T, H, W, 3) uint8 RGB
    fps: float
    recipe: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable: prompt, seed, ...

    def __post_init__(self) -> None:
        f = self.frames
        if not isinstance(f, np.ndarray):
            raise ValueError(f"Video.frames must be a numpy array, got {type(f).__name__}")
        if f.dtype != np.uint8:
            raise ValueError(f"Video.frames must have dtype uint8, got {f.dtype}")
        if f.ndim != 4 or f.shape[-1] != 3 or min(f.shape) < 1:
            raise ValueError(
                f"Video.frames must have shape (T, H, W, 3) with T, H, W >= 1, got {f.shape}"
            )
        _check_rate_and_recipe(self)

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def height(self) -> int:
        return int(self.frames.shape[1])

    @property
    def width(self) -> int:
        return int(self.frames.shape[2])

    @property
    def seconds(self) -> float:
        """Duration in seconds (``num_frames / fps``)."""
        return self.num_frames / self.fps

    def __repr__(self) -> str:  # a notebook's view: not a dump of every pixel
        prompt = self.recipe.get("prompt") if isinstance(self.recipe, dict) else None
        what = f", prompt={prompt!r}" if prompt else ""
        return (
            f"Video({self.num_frames} frames, {self.width}x{self.height}, {self.fps:g} fps, "
            f"{self.seconds:.2f} s{what})"
        )


@dataclass(eq=False)
class Stream:
    """A clip written as it is made: frames (H, W, 3) uint8 given one at a time, so a result
    longer than memory holds goes from its input file to its output file a frame at a time.
    write_video checks each frame's size and that there are num_frames of them."""

    frames: Iterable[np.ndarray]  # num_frames frames (height, width, 3) uint8 RGB
    num_frames: int
    height: int
    width: int
    fps: float
    recipe: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if min(self.num_frames, self.height, self.width) < 1:
            raise ValueError(f"a Stream needs frames of some size, got {self}")
        _check_rate_and_recipe(self)


def given_a_video(video: Any, name: str) -> None:
    """TypeError for what users pass where a Video goes: its frames alone, or a path."""
    if not isinstance(video, Video | Stream):
        raise TypeError(
            f"{name} takes a Video, got {type(video).__name__}: wrap frames as "
            "Video(frames, fps), or read a file with read_video(path)"
        )


def _check_rate_and_recipe(video: Video | Stream) -> None:
    try:
        video.fps = float(video.fps)
    except (TypeError, ValueError):
        raise ValueError(f"fps must be a number of frames a second, got {video.fps!r}") from None
    if not MIN_FPS <= video.fps <= MAX_FPS:  # also false for nan
        raise ValueError(f"fps must be from {MIN_FPS:g} to {MAX_FPS:g}, got {video.fps}")
    if not isinstance(video.recipe, dict):
        raise ValueError(f"Video.recipe must be a dict, got {type(video.recipe).__name__}")
    video.recipe = _plain(video.recipe)
    try:
        json.dumps(video.recipe)
    except (TypeError, ValueError) as e:
        raise ValueError(f"Video.recipe must be JSON-serialisable: {e}") from None


def _plain(x: Any) -> Any:
    """x with numpy scalars (a caller's np.int64 factor) made Python numbers, so it is JSON."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return type(x)(_plain(v) for v in x)
    return x


# ----------------------------------------------------------------------------- helpers


def _is_folder(path: Path, raw: str | os.PathLike[str]) -> bool:
    """An output path names a folder of PNG frames: no suffix, a trailing slash, or a folder
    that exists, unless its name ends in a video's suffix (check_output refuses that one)."""
    if path.suffix == "" or str(raw).endswith(("/", os.sep)):
        return True
    return path.is_dir() and path.suffix.lower() not in VIDEO_SUFFIXES


def slash_video(raw: str | os.PathLike[str]) -> str | None:
    """Why raw cannot be an output, when it ends in a slash (a folder of frames) yet is
    named like a video (clip.mp4/); None otherwise."""
    suffix = Path(raw).suffix.lower()
    if not str(raw).endswith(("/", os.sep)) or suffix not in VIDEO_SUFFIXES:
        return None
    return (
        f"{str(raw)!r} ends in / (a folder of frames) but {suffix} names a video; "
        f"drop the / for a {suffix} file, or the {suffix} for a folder"
    )


def _ours(entry: Path) -> bool:
    """Whether entry of a frame folder is one write_video writes: a frame or the recipe."""
    return entry.name == RECIPE_FILE or re.fullmatch(r"\d{6,}\.png", entry.name) is not None


def _header(video: Video | Stream) -> dict[str, Any]:
    return {
        "spacetime": HEADER_VERSION,
        "fps": video.fps,
        "num_frames": video.num_frames,
        "height": video.height,
        "width": video.width,
        "recipe": video.recipe,
    }


def _parse_header(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        head = json.loads(text)
    except ValueError:
        return None
    return head if isinstance(head, dict) and "spacetime" in head else None


def _unpadded(head: dict[str, Any] | None, h: int, w: int) -> tuple[int, int]:
    """The size of a decoded h x w frame without the writer's even padding: the header's
    size when h x w is exactly that size padded to even, else h x w (a file re-encoded at
    another size keeps its old header, and is not cut to it)."""
    size = [head.get(k) for k in ("height", "width")] if head is not None else []
    if not size or not all(isinstance(v, int) and not isinstance(v, bool) for v in size):
        return h, w
    sh, sw = size
    return (sh, sw) if (h, w) == (sh + sh % 2, sw + sw % 2) else (h, w)


def _sidecar(src: Path, frames: int | None) -> dict[str, Any] | None:
    """A GIF's sidecar header (GIF has no metadata ffmpeg writes), unless it is stale: it
    counts other than frames (None: not checked)."""
    sidecar = src.with_name(src.name + SIDECAR_SUFFIX)
    if src.suffix.lower() != ".gif" or not sidecar.is_file():
        return None
    head = _parse_header(sidecar.read_text())
    if head is not None and frames is not None and head.get("num_frames") != frames:
        return None  # stale sidecar from an earlier GIF
    return head


def _unreadable(src: Path, e: Exception) -> VideoError:
    """What to tell a user whose file could not be decoded (e: the decoder's error)."""
    if src.is_file() and src.stat().st_size == 0:
        return VideoError(f"cannot read {src}: the file is empty")
    why = getattr(e, "strerror", None) or str(e)  # without FFmpeg's error number
    return VideoError(
        f"cannot read {src}: it is corrupt or not a video ({why}); re-encode it or pass an "
        ".mp4, .webm, .gif or PNG folder"
    )


def temp_name(path: Path, directory: bool = False) -> Path:
    """A fresh hidden name beside ``path`` that keeps its suffix (so muxers pick the format),
    with the permissions a new file gets under the umask (mkstemp's are owner-only)."""
    stem = path.stem[:64]  # the name stays short of the 255 bytes a name may have
    kw = {"prefix": f".{stem}.tmp-", "suffix": path.suffix, "dir": path.parent}
    umask = os.umask(0)
    os.umask(umask)
    if directory:
        name = tempfile.mkdtemp(**kw)
        os.chmod(name, 0o777 & ~umask)
        return Path(name)
    fd, name = tempfile.mkstemp(**kw)
    os.close(fd)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


GREY = 128  # what a transparent image is flattened onto: the world's plain grey backdrop


@contextlib.contextmanager
def open_image(path: Path) -> Iterator[Image.Image]:
    """Image.open for a file a user gave. Pillow's warning on an image over 89 million
    pixels (a decompression bomb, it fears) is kept quiet: a 108 MP photo is read. Its
    refusal of one over twice that is said as a user error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(path)
        except Image.DecompressionBombError:
            most = 2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6
            raise VideoError(
                f"cannot read {path}: more than {most:.0f} million pixels, which spacetime "
                "does not read; shrink it first"
            ) from None
        with img:
            yield img


def image_rgb(img: Image.Image) -> tuple[np.ndarray, bool]:
    """An opened image as uint8 (H, W, 3) RGB, the way it is meant to be seen: turned as
    its EXIF orientation says, 16-bit grey scaled (not clipped) to 8 bits, transparency
    flattened onto grey; an array of its own, which a caller may write into. Also whether it
    had transparent pixels."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        grey = np.asarray(img, np.float64)
        top = 65535.0 if grey.max() > 255 else 255.0
        img = Image.fromarray(np.clip(grey * 255 / top + 0.5, 0, 255).astype(np.uint8))
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return flattened(np.asarray(img.convert("RGBA")))
    return np.array(img.convert("RGB")), False  # asarray: a read-only view


def flattened(rgba: np.ndarray) -> tuple[np.ndarray, bool]:
    """uint8 RGBA pixels (..., 4) as RGB, transparent ones flattened onto grey; also
    whether any was transparent."""
    a = rgba[..., 3:].astype(np.float32) / 255
    if not (a < 1).any():
        return np.array(rgba[..., :3]), False
    rgb = rgba[..., :3] * a + GREY * (1 - a)
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8), True


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp file path beside ``path``; on success move it over ``path``, else delete it."""
    path = Path(path)
    if path.is_dir():
        raise VideoError(
            f"cannot write {path}: a folder with that name exists; choose another name"
        )
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_name(path)
        yield tmp
        os.replace(tmp, path)
    except OSError as e:  # the disk is full, or the place takes no files: say so, as the user's
        if not _about(e, path, tmp):  # path (the temporary name means nothing to them)
            raise
        raise VideoError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


# the sound codecs each container takes as they are (copied, not encoded again)
SOUND_IN = {
    ".mp4": ("aac", "mp3", "alac", "opus", "ac3", "eac3", "flac"),
    ".webm": ("opus", "vorbis"),
}


def sound_note(src: Path, kept: bool, added: str = "") -> str:
    """The notice on a clip's sound: kept (inpaint, outpaint, stylize, interpolate into .mp4
    or .webm; extend, under the clip's own frames: added says where the new ones are), or
    not (every other result: made pictures only)."""
    if kept and added:
        return f"{src.name}: its sound is kept under its own frames; {added} are silent"
    if kept:
        return f"{src.name}: its sound is kept as it was"
    return f"{src.name}: its sound is not kept (spacetime makes pictures only)"


def sound_fits(src: Path, out: Path) -> bool:
    """Whether src (a video file) has a sound track that out's container takes as it is."""
    codecs = SOUND_IN.get(out.suffix.lower())
    if codecs is None or not src.is_file():
        return False
    try:
        with av.open(str(src)) as box:
            return any(a.codec_context.name in codecs for a in box.streams.audio)
    except (av.FFmpegError, OSError, ValueError):
        return False


def add_sound(
    video: Path, src: Path, at: float = 0.0, notes: tuple[str, str] | None = None
) -> None:
    """Copy src's sound track (one sound_fits found) into video, a file write_video wrote,
    packet for packet, starting at seconds at, and interleaved in time with its pictures;
    video is replaced whole, its recipe kept, with notes = (said, now) its notice said
    replaced by now (the recipe says the sound is kept only once it is)."""
    codecs = SOUND_IN[video.suffix.lower()]
    # the readers close before the copy replaces video
    with atomic_path(video) as tmp, av.open(str(video)) as pictures, av.open(str(src)) as sound:
        take = next(a for a in sound.streams.audio if a.codec_context.name in codecs)
        late = round(at / take.time_base) if at else 0  # in the sound's ticks
        with av.open(str(tmp), "w") as box:
            head = _parse_header(pictures.metadata.get("comment"))
            recipe = head.get("recipe") if head is not None else None
            if isinstance(recipe, dict) and notes is not None:
                said = recipe.get("notices", [])
                recipe["notices"] = [notes[1] if n == notes[0] else n for n in said]
            if head is not None:
                box.metadata["comment"] = json.dumps(head)
            into = {
                "v": box.add_stream_from_template(pictures.streams.video[0]),
                "a": box.add_stream_from_template(take),
            }
            ours = ((p, "v") for p in pictures.demux(pictures.streams.video[0]))
            theirs = ((_later(p, late), "a") for p in sound.demux(take))
            for packet, kind in heapq.merge(ours, theirs, key=_when):
                if packet.dts is None:  # a demuxer's flush packet
                    continue
                packet.stream = into[kind]
                box.mux(packet)


def _later(packet: av.Packet, ticks: int) -> av.Packet:
    """packet, ticks of its time base later (a flush packet as it is)."""
    if ticks and packet.dts is not None:
        packet.dts += ticks
        packet.pts = None if packet.pts is None else packet.pts + ticks
    return packet


def _when(item: tuple[Any, str]) -> float:
    """A demuxed packet's time in seconds (a flush packet has none: 0)."""
    packet = item[0]
    return float(packet.dts * packet.time_base) if packet.dts is not None else 0.0


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield a fresh temp folder beside ``path``; on success it replaces ``path`` whole (an
    older folder there goes, none of its files left over), else it is deleted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, old = temp_name(path, directory=True), None
    try:
        yield tmp
        if path.exists():
            old = temp_name(path, directory=True)
            os.replace(path, old)  # a full folder cannot be renamed over: moved aside
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


def _about(e: OSError, path: Path, tmp: Path | None) -> bool:
    """Whether an error while writing path (through tmp) is the output's own: the disk, or
    a file or folder on its way (not, say, an input read while the frames are written)."""
    if e.errno in WRITE_ERRNOS:
        return True
    if e.filename is None:
        return False
    f = Path(e.filename)
    return f in (path, path.parent) or (
        f.parent == path.parent and f.name.startswith(f".{path.stem}.tmp-")
    )


def _even_pad(frame: np.ndarray) -> np.ndarray:
    """Edge-replicate (H, W, 3) to even H and W (needed by yuv420p)."""
    ph, pw = frame.shape[0] % 2, frame.shape[1] % 2
    if not (ph or pw):
        return frame
    return np.pad(frame, ((0, ph), (0, pw), (0, 0)), mode="edge")


def _checked(video: Video | Stream) -> Iterator[np.ndarray]:
    """The frames of a clip being written, each checked to be (height, width, 3) uint8, and
    num_frames of them (a Stream's frames are only seen as they come)."""
    shape, n = (video.height, video.width, 3), 0
    for n, frame in enumerate(video.frames, 1):
        if frame.shape != shape or frame.dtype != np.uint8:
            raise VideoError(f"frame {n - 1} is {frame.dtype} {frame.shape}, not uint8 {shape}")
        yield frame
    if n != video.num_frames:
        raise VideoError(f"the clip has {n} frames where it said {video.num_frames}")


def _rate(fps: float) -> Fraction:
    return Fraction(fps).limit_denominator(1001)


# BT.601 limited range, done in numpy: swscale's rgb24<->yuv420p point-samples the chroma and
# costs ~3 grey levels of mean error on smooth colour; box-down / bilinear-up keeps it below 1.
_KR, _KB = 0.299, 0.114
_KG = 1.0 - _KR - _KB
_BT601 = 6  # AVCOL_SPC / AVCOL_PRI / AVCOL_TRC "smpte170m"
_MPEG_RANGE, _JPEG_RANGE = 1, 2


def _rgb_to_i420(frame: np.ndarray) -> av.VideoFrame:
    """(H, W, 3) uint8 RGB, H and W even -> a yuv420p frame (chroma = 2x2 box average)."""
    h, w = frame.shape[:2]
    r, g, b = np.moveaxis(frame.astype(np.float32), -1, 0)  # each (H, W)
    y = _KR * r + _KG * g + _KB * b
    u = ((b - y) / (2 * (1 - _KB))).reshape(h // 2, 2, w // 2, 2).mean((1, 3))  # (H/2, W/2)
    v = ((r - y) / (2 * (1 - _KR))).reshape(h // 2, 2, w // 2, 2).mean((1, 3))
    planes = [16 + y * (219 / 255), 128 + u * (224 / 255), 128 + v * (224 / 255)]
    flat = np.concatenate([np.rint(p).clip(0, 255).astype(np.uint8).ravel() for p in planes])
    out = av.VideoFrame.from_ndarray(flat.reshape(h * 3 // 2, w), format="yuv420p")
    out.color_range, out.colorspace = _MPEG_RANGE, _BT601
    return out


def _to_rgb(frame: av.VideoFrame) -> np.ndarray:
    """Decoded frame -> (H, W, 3) uint8 RGB; the inverse of `_rgb_to_i420` for 8-bit 4:2:0."""
    h, w = frame.height, frame.width
    if frame.format.name != "yuv420p" or frame.color_range == _JPEG_RANGE or h % 2 or w % 2:
        return frame.to_ndarray(format="rgb24")
    flat = frame.to_ndarray().ravel()
    n, q = h * w, h * w // 4
    y = (flat[:n].reshape(h, w).astype(np.float32) - 16) * (255 / 219)
    u, v = (
        (cv2.resize(c.reshape(h // 2, w // 2).astype(np.float32), (w, h)) - 128) * (255 / 224)
        for c in (flat[n : n + q], flat[n + q : n + 2 * q])
    )
    r = y + 2 * (1 - _KR) * v
    b = y + 2 * (1 - _KB) * u
    g = (y - _KR * r - _KB * b) / _KG
    return np.rint(np.stack([r, g, b], -1)).clip(0, 255).astype(np.uint8)


def _pal8(frame: np.ndarray) -> av.VideoFrame:
    """(H, W, 3) uint8 -> a pal8 frame with its own 256-colour median-cut palette."""
    img = Image.fromarray(frame).quantize(
        256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    rgb = np.asarray(img.getpalette()[:768], np.uint8).reshape(-1, 3)
    argb = np.zeros((256, 4), np.uint8)  # (256, 4) ARGB, fully opaque
    argb[:, 0] = 255
    argb[: len(rgb), 1:] = rgb
    return av.VideoFrame.from_ndarray((np.asarray(img), argb), format="pal8")


# ----------------------------------------------------------------------------- writing


# x264's instruction sets by the names numpy's CPU detection gives them (all but AVX-512)
_X264_ISA = {
    "MMX2": "SSE", "SSE": "SSE", "SSE2": "SSE2", "SSE3": "SSE3", "SSSE3": "SSSE3",
    "SSE4.1": "SSE41", "SSE4.2": "SSE42", "LZCNT": "LZCNT", "AVX": "AVX", "XOP": "XOP",
    "FMA4": "FMA4", "FMA3": "FMA3", "BMI1": "BMI", "BMI2": "BMI2", "AVX2": "AVX2",
}  # fmt: skip


@functools.cache
def _x264_params() -> dict[str, str]:
    """x264 options that keep an encode repeatable: on an x86 CPU with AVX-512, x264 limited
    to the instruction sets below it. With its AVX-512 code the same 17 frames of 64x64
    came out as 3 different files in 12 writes on an AMD EPYC (decoded frames up to 15 of
    255 apart); limited to AVX2, as 1, at the same speed. Elsewhere x264 chooses."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as has
    except ImportError:  # another numpy layout: x264's own choice
        return {}
    if not has.get("AVX512F"):
        return {}
    return {"x264-params": "asm=" + ",".join(k for k, v in _X264_ISA.items() if has.get(v))}


def _encode(
    video: Video | Stream,
    tmp: Path,
    suffix: str,
    crf: int | None,
    bitrate: int | None,
    preset: str,
) -> None:
    rate = _rate(video.fps)
    with av.open(str(tmp), "w") as box:
        if suffix == ".gif":
            stream = box.add_stream("gif", rate=rate)
            stream.pix_fmt = "pal8"
        else:
            box.metadata["comment"] = json.dumps(_header(video))
            if suffix == ".mp4":
                codec, opts = "libx264", {"preset": preset, **_x264_params()}
            else:  # .webm
                codec, opts = "libvpx-vp9", {"deadline": "good", "cpu-used": "4", "row-mt": "1"}
            if bitrate is None:
                opts["crf"] = str(DEFAULT_CRF[suffix] if crf is None else crf)
            stream = box.add_stream(codec, rate=rate, options=opts)
            stream.pix_fmt = "yuv420p"
            cc = stream.codec_context
            cc.color_range, cc.colorspace = _MPEG_RANGE, _BT601
            cc.color_primaries = cc.color_trc = _BT601
            if bitrate is not None:
                stream.bit_rate = int(bitrate)
            elif suffix == ".webm":
                stream.bit_rate = 0  # constant-quality mode for VP9
        pad = suffix != ".gif"  # yuv420p needs an even size
        stream.height, stream.width = (v + v % 2 * pad for v in (video.height, video.width))
        for i, frame in enumerate(_checked(video)):
            vf = _pal8(frame) if suffix == ".gif" else _rgb_to_i420(_even_pad(frame))
            vf.pts = i
            vf.time_base = 1 / rate
            box.mux(stream.encode(vf))
        box.mux(stream.encode(None))


def _write_folder(video: Video | Stream, path: Path) -> None:
    with atomic_folder(path) as tmp:
        for i, frame in enumerate(_checked(video)):
            Image.fromarray(frame).save(tmp / f"{i:06d}.png", compress_level=4)
        (tmp / RECIPE_FILE).write_text(json.dumps(_header(video), indent=2))


def check_output(path: str | os.PathLike[str], fps: float | None = None) -> Path:
    """Fail early, before any work, on an output path write_video could not write (fps:
    the rate it will be written at, where it is known)."""
    out = Path(path)
    if not str(path).strip() or out.name in ("", ".", ".."):
        raise VideoError(f"cannot write {str(path)!r}: give the output a name, e.g. clip.mp4")
    if out.name.lower() in VIDEO_SUFFIXES:  # ".mp4" alone is a hidden folder's name
        raise VideoError(f"cannot write {out}: give it a name before {out.name}, e.g. clip.mp4")
    if (why := slash_video(path)) is not None:
        raise VideoError(why)
    if str(path) == "-":
        raise VideoError("cannot write to standard output (-o -): give a name, e.g. clip.mp4")
    if out.name.endswith("."):  # clip.mp4. would be a folder of frames named so
        raise VideoError(f"cannot write {out}: the name ends in a dot; drop it, e.g. clip.mp4")
    suffix = out.suffix.lower()
    folder = _is_folder(out, path)
    if suffix == ".gif" and not folder and len(os.fsencode(out.name + SIDECAR_SUFFIX)) > 255:
        raise VideoError(
            f"cannot write {out}: its recipe goes beside it, named the same plus "
            f"{SIDECAR_SUFFIX}, over the 255 bytes a file name may have; give a shorter name"
        )
    if not folder and suffix not in VIDEO_SUFFIXES:
        raise VideoError(
            f"cannot write {out}: unsupported suffix {suffix!r}; use .mp4, .webm, "
            f".gif, or a path without a suffix for a folder of PNG frames"
        )
    if suffix == ".gif" and not folder and fps is not None and fps > MAX_GIF_FPS:
        raise VideoError(
            f"cannot write {out} at {fps:g} fps: a GIF plays at {MAX_GIF_FPS:g} fps at most "
            "(browsers slow faster ones to 10); write an .mp4 or .webm instead"
        )
    if not folder and out.is_dir():
        raise VideoError(
            f"cannot write {out}: a folder with that name exists; remove it or choose another name"
        )
    if out.exists() and not out.is_dir() and not out.is_file():  # /dev/null, a pipe
        raise VideoError(f"cannot write {out}: it is a device or pipe; give a name, e.g. clip.mp4")
    if folder and out.exists() and not out.is_dir():
        raise VideoError(
            f"cannot write frames to {out}: a file with that name exists; remove it "
            f"or add a suffix such as .mp4"
        )
    if folder and out.is_dir() and not (out / RECIPE_FILE).is_file() and any(out.iterdir()):
        raise VideoError(
            f"refusing to overwrite {out}: it is a non-empty directory that is not "
            f"a spacetime frame folder; choose a new path"
        )
    if folder and out.is_dir() and (out / RECIPE_FILE).is_file():
        other = sorted(f.name for f in out.iterdir() if not _ours(f))
        if other:  # a frame folder is replaced whole: the user's own files would go with it
            raise VideoError(
                f"refusing to overwrite {out}: it holds files spacetime did not write "
                f"({', '.join(other[:3])}{', ...' if len(other) > 3 else ''}); choose a new path"
            )
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise VideoError(f"cannot write {out}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise VideoError(f"cannot write {out}: no permission to write in {parent}")
    check_writable(out, parent)
    return out


def check_writable(out: Path, parent: Path | None = None) -> None:
    """Fail early when the folder out goes in (parent: the nearest one that exists) takes no
    new files. os.access says yes to root everywhere, so this tries (/proc, a read-only disk)."""
    parent = parent or out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".spacetime-probe-", dir=parent))
    except OSError as e:
        msg = f"cannot write {out}: {parent} takes no new files ({e.strerror})"
        raise VideoError(msg) from None


def write_video(
    video: Video | Stream,
    path: str | os.PathLike[str],
    *,
    crf: int | None = None,
    bitrate: int | None = None,
    preset: str = "medium",
) -> Path:
    """Write ``video`` to ``path`` (.mp4, .webm, .gif, or a suffix-less folder of PNGs); a
    Stream is written as its frames come, and nothing is left at ``path`` if they fail.

    ``crf`` (default 15 for mp4, 20 for webm) sets constant quality; ``bitrate`` (bits/s) switches
    to a target bitrate instead, e.g. ``bitrate=50_000`` to degrade a clip. Both are ignored for
    gif and png. ``preset`` is the x264 preset. Returns the written path.
    """
    given_a_video(video, "write_video")
    out = check_output(path, video.fps)
    if _is_folder(out, path):
        _write_folder(video, out)
        return out
    suffix = out.suffix.lower()  # one of check_output's
    sidecar = out.with_name(out.name + SIDECAR_SUFFIX)
    with atomic_path(out) as tmp:
        if suffix == ".gif":
            with atomic_path(sidecar) as tmp_side:
                tmp_side.write_text(json.dumps(_header(video), indent=2))
                _encode(video, tmp, suffix, crf, bitrate, preset)
        else:
            _encode(video, tmp, suffix, crf, bitrate, preset)
    return out


# ----------------------------------------------------------------------------- reading


def frame_order(path: Path) -> tuple:
    """Sort key for a folder's frames: numbers by value, so frame_2.png comes before
    frame_10.png as it does in 000002.png and 000010.png."""
    return tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", path.name)
    )


def frame_files(path: Path) -> list[Path]:
    """A folder's frames: its .png files (.PNG too, as cameras and editors name them) in
    frame_order."""
    pngs = (f for f in path.iterdir() if f.suffix.lower() == ".png" and f.is_file())
    return sorted(pngs, key=frame_order)


def _folder_files(path: Path) -> list[Path]:
    files = frame_files(path)
    if not files:
        raise VideoError(
            f"cannot read {path}: the folder holds no .png frames; give a folder of PNG "
            f"frames (as spacetime writes with -o DIR) or a video file"
        )
    return files


def _check_sizes(path: Path, files: list[Path], hw: tuple[int, int]) -> None:
    """Every frame of a folder shows hw (height, width), as read from its header (turned as
    its EXIF says); VideoError naming the first that does not. A frame whose header cannot
    be read is left to the reader, which says so."""
    for f in files:
        try:
            with open_image(f) as img:
                w, h = img.size
                if img.getexif().get(0x0112) in (5, 6, 7, 8):  # shown a quarter turned
                    w, h = h, w
        except OSError:
            continue
        if (h, w) != hw:
            raise VideoError(
                f"cannot read {path}: its frames differ in size ({hw[1]}x{hw[0]}, then "
                f"{w}x{h} at {f.name}); re-export the folder at one size"
            )


def _read_folder(path: Path, only: str | None = None, each: Each | None = None) -> Video:
    """A folder of PNG frames (only "first" or "last": that file alone), each frame passed
    through each as it is read."""
    files = _folder_files(path)
    files = {"first": files[:1], "last": files[-1:], None: files}[only]
    frames: list[np.ndarray] = []
    held = 0
    try:
        for f in files:
            with open_image(f) as img:
                frame = image_rgb(img)[0]
            frames.append(frame if each is None else each(frame))
            held += frames[-1].nbytes
            if held > MAX_DECODED:
                raise VideoError(_too_big(path, len(frames), frame))
        stacked = np.stack(frames)
    except (OSError, ValueError) as e:
        if isinstance(e, VideoError):
            raise
        raise VideoError(
            f"cannot read {path}: its PNG frames are unreadable or differ in size "
            f"({e}); re-export the folder"
        ) from None
    head = None
    if (path / RECIPE_FILE).is_file():
        head = _parse_header((path / RECIPE_FILE).read_text())
    if head is None:
        return Video(stacked, FOLDER_FPS, {})
    return Video(stacked, head.get("fps", FOLDER_FPS), head.get("recipe", {}))


def _too_big(path: Path, count: int, frame: np.ndarray) -> str:
    h, w = frame.shape[:2]
    return (
        f"cannot read {path}: over {MAX_DECODED >> 30} GiB of frames decoded ({count} frames "
        f"of {w}x{h}); cut it shorter or scale it down first"
    )


def _decode(
    path: Path, only: str | None = None, each: Each | None = None, notices: list[str] | None = None
) -> tuple[np.ndarray, float, dict[str, Any] | None]:
    """Decode every frame (only "first" or "last": that one alone, in the memory of one),
    cropped to the header's size (a writer's even padding), replayed at one rate if they
    last unevenly (a note in notices; all but "first" read the packets first) and passed
    through each: returns ((T, H, W, 3) uint8, stream fps, header or None)."""
    with av.open(str(path)) as box:
        if not box.streams.video:
            raise VideoError(
                f"cannot read {path}: it has no video stream; pass a video file "
                f"(.mp4, .webm, .gif) or a folder of PNG frames"
            )
        stream = box.streams.video[0]
        if box.streams.audio and notices is not None:
            notices.append(sound_note(path, False))
        meta = {k.lower(): v for k, v in box.metadata.items()}
        head = _parse_header(meta.get("comment"))
        rate = _stream_rate(stream)
        if only != "first":
            _, replay, timed = _packets(path, box, stream, head)
            rate = _stream_rate(stream, timed)
        else:
            replay = None
        if replay is not None and notices is not None:
            notices.append(replay.note(path))
        frames = _Frames(stream.frames if only is None else 1)
        held = 0
        for frame in _rgb_frames(box, stream, head, replay):
            if each is not None:
                frame = each(frame)
            if only == "last":
                frames = _Frames(1)
                frames.add(frame)
                continue
            frames.add(frame)
            if only == "first":
                break
            held += frame.nbytes
            if held > MAX_DECODED:
                raise VideoError(_too_big(path, frames.count, frame))
    if not frames.count:
        raise VideoError(
            f"cannot read {path}: the video stream holds no decodable frames; re-encode the file"
        )
    return frames.stacked(), float(rate), head


def _rgb_frames(
    box: av.container.InputContainer,
    stream: av.VideoStream,
    head: dict[str, Any] | None,
    replay: _Replay | None = None,
) -> Iterator[np.ndarray]:
    """Each decoded frame of stream as (H, W, 3) RGB, cropped to the header's size and
    turned upright as its display matrix says (a phone's portrait clip is stored on its
    side), as a JPEG is turned by its EXIF orientation. With replay, each frame comes as
    many times as it spans ticks of the replay's rate."""
    last: tuple[np.ndarray, float] | None = None  # a frame, and when it shows
    for f in box.decode(stream):
        h, w = _unpadded(head, f.height, f.width)
        rgb = _to_rgb(f)[:h, :w]
        turns = round(f.rotation / 90) % 4  # counter-clockwise quarter turns
        rgb = np.ascontiguousarray(np.rot90(rgb, turns) if turns else rgb)
        if replay is None:
            yield rgb
            continue
        if last is not None:
            yield from itertools.repeat(last[0], replay.at(f.time) - replay.at(last[1]))
        last = (rgb, f.time)
    if last is not None and replay is not None:
        yield from itertools.repeat(last[0], replay.at(replay.end) - replay.at(last[1]))


@dataclass
class _Replay:
    """A clip whose frames last unevenly (a GIF that holds some frames longer, a phone clip
    whose rate drops in the dark), replayed at one rate, its shortest frame's: a frame
    shown for 3 such ticks comes 3 times, as ffmpeg makes a constant-rate file of it."""

    rate: float  # fps
    start: float  # seconds: when the first frame shows
    end: float  # seconds: when the last one ends
    shortest: float  # seconds
    longest: float

    def at(self, t: float) -> int:
        """The replayed frame that shows at time t (seconds)."""
        return round((t - self.start) * self.rate)

    def note(self, path: Path) -> str:
        return (
            f"{path.name}: its frames last from {self.shortest * 1000:.0f} to "
            f"{self.longest * 1000:.0f} ms; replayed at {self.rate:g} fps, each as long as it lasts"
        )


def _stream_rate(stream: av.VideoStream, timed: float | None = None) -> float:
    """A stream's frame rate: ffmpeg's guess, unless its packets' timing (timed) says
    otherwise by over 1% (a GIF of 140 ms frames is guessed 50 fps; its packets say 7.14)."""
    rate = float(stream.guessed_rate or stream.average_rate or stream.base_rate or 24)
    return timed if timed is not None and abs(timed / rate - 1) > 0.01 else rate


def _packets(
    path: Path, box: av.container.InputContainer, stream: av.VideoStream, head: Any
) -> tuple[int, _Replay | None, float | None]:
    """(the frames stream shows, how to replay them if they last unevenly, the rate their
    timing gives), read from its packets, not its frames, from the start; rewinds. The
    last two are None for our own files (their header says the rate) and untimed packets.
    Raises VideoError if the file holds fewer packets than its index lists (an mp4 cut
    short)."""
    box.seek(0, stream=stream)
    packets = [(p.pts, p.duration, p.is_discard) for p in box.demux(stream) if p.size]
    box.seek(0, stream=stream)
    if len(packets) < stream.frames:
        raise VideoError(
            f"cannot read {path}: it is cut short: its index lists {stream.frames} frames "
            f"and the file holds {len(packets)}; copy or download it again"
        )
    shown = [(pts, d) for pts, d, discard in packets if not discard]
    timed = stream.time_base is not None and all(pts is not None for pts, _ in shown)
    ours = head is not None or _sidecar(path, None) is not None
    if not timed or ours or not shown:
        return len(shown), None, None
    replay = _replay(sorted(shown), stream.time_base)
    if replay is not None:
        return replay.at(replay.end), replay, replay.rate
    return len(shown), None, _even_rate(sorted(shown), stream.time_base)


def _even_rate(times: list[tuple[int, int]], time_base: Fraction) -> float | None:
    """The rate of frames shown at times [(pts, duration)], sorted, that last evenly: one
    over their mean span (the last one's is its duration); None if it is not a clip's."""
    spans = [b[0] - a[0] for a, b in itertools.pairwise(times)] + [times[-1][1]]
    spans = [d for d in spans if d > 0]
    if not spans:
        return None
    rate = len(spans) / (sum(spans) * float(time_base))
    return rate if MIN_FPS <= rate <= MAX_FPS else None


def _replay(times: list[tuple[int, int]], time_base: Fraction) -> _Replay | None:
    """How to replay frames shown at times [(pts, duration)] in time_base ticks, sorted,
    if they last unevenly: the longest more than 1.5 times the shortest (and over a tick).
    None for even frames."""
    if len(times) < 2:
        return None
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(times)]
    gaps = [g for g in [*gaps, times[-1][1]] if g]  # the last frame lasts its duration
    if not gaps or max(gaps) <= max(1.5 * min(gaps), min(gaps) + 1):
        return None
    tick = float(time_base)
    rate = 1 / (min(gaps) * tick)
    if not MIN_FPS <= rate <= MAX_FPS:
        return None
    end = times[-1][0] + (times[-1][1] or min(gaps))
    return _Replay(rate, times[0][0] * tick, end * tick, min(gaps) * tick, max(gaps) * tick)


def iter_video(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    """Every frame of a clip (a file or a folder of frames), (H, W, 3) uint8 RGB, decoded one
    at a time as they are asked for, so a clip of any length holds one frame in memory."""
    src = Path(path)
    if not src.exists():
        raise VideoError(missing(src))
    try:
        if src.is_dir():
            for f in _folder_files(src):
                with open_image(f) as img:
                    yield image_rgb(img)[0]
            return
        with av.open(str(src)) as box:
            if not box.streams.video:
                raise VideoError(f"cannot read {src}: it has no video stream")
            head = _parse_header({k.lower(): v for k, v in box.metadata.items()}.get("comment"))
            stream = box.streams.video[0]
            yield from _rgb_frames(box, stream, head, _packets(src, box, stream, head)[1])
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as e:
        raise _unreadable(src, e) from None


class _Frames:
    """Decoded frames gathered into one (T, H, W, 3) array. With the stream's frame count
    from its header (expect) the array is made once and filled, so a long clip is held once,
    not twice (a list of frames, then their stack); past that count, or without it, the
    rest is stacked on at the end."""

    def __init__(self, expect: int) -> None:
        self.expect, self.count = max(0, int(expect or 0)), 0
        self.head: np.ndarray | None = None  # (expect, H, W, 3), filled to count
        self.rest: list[np.ndarray] = []

    def add(self, frame: np.ndarray) -> None:
        if self.head is None and self.expect:  # a header's count past the read limit: not trusted
            n = min(self.expect, MAX_DECODED // frame.nbytes + 1)
            self.head = np.empty((n, *frame.shape), frame.dtype)
        if self.head is not None and self.count < len(self.head):
            self.head[self.count] = frame
        else:
            self.rest.append(frame)
        self.count += 1

    def stacked(self) -> np.ndarray:
        filled = [] if self.head is None else [self.head[: self.count]]
        if not self.rest:
            return filled[0]
        return np.concatenate([*filled, np.stack(self.rest)])


@dataclass
class Probe:
    """What a clip is, read without decoding it."""

    num_frames: int
    height: int
    width: int
    fps: float
    recipe: dict[str, Any]


def probe(path: str | os.PathLike[str]) -> Probe:
    """A clip's length, size, rate and recipe from its header and packets, without decoding
    its frames (a frame folder: its first frame), so `info` on an hour of 4K is instant."""
    src = Path(path)
    if not src.exists():
        raise VideoError(missing(src))
    if src.is_dir():
        first = _read_folder(src, "first")
        files = _folder_files(src)
        _check_sizes(src, files, (first.height, first.width))
        return Probe(len(files), first.height, first.width, first.fps, first.recipe)
    try:
        with av.open(str(src)) as box:
            if not box.streams.video:
                raise VideoError(f"cannot read {src}: it has no video stream; pass a video file")
            stream = box.streams.video[0]
            head = _parse_header({k.lower(): v for k, v in box.metadata.items()}.get("comment"))
            h, w = _unpadded(head, stream.codec_context.height, stream.codec_context.width)
            n, _, timed = _packets(src, box, stream, head)
            rate = _stream_rate(stream, timed)
            if _on_its_side(box, stream):
                h, w = w, h
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as e:
        raise _unreadable(src, e) from None
    if n == 0:
        raise VideoError(f"cannot read {src}: the video stream holds no frames")
    head = head or _sidecar(src, n)
    fps = (head or {}).get("fps", rate)
    try:
        fps = float(fps)
    except (TypeError, ValueError):
        fps = math.nan
    if not MIN_FPS <= fps <= MAX_FPS:  # also false for nan
        raise VideoError(f"cannot read {src}: its frame rate {fps} is not a clip's; re-encode it")
    return Probe(n, h, w, fps, (head or {}).get("recipe", {}))


def _on_its_side(box: av.container.InputContainer, stream: av.VideoStream) -> bool:
    """Whether the first frame's display matrix turns it a quarter (a phone's portrait clip);
    False where it cannot be decoded (the reading verbs say so)."""
    try:
        box.seek(0, stream=stream)
        first = next(box.decode(stream), None)
    except av.FFmpegError:
        return False
    return first is not None and round(first.rotation / 90) % 2 == 1


def read_video(
    path: str | os.PathLike[str],
    only: str | None = None,
    each: Each | None = None,
    notices: list[str] | None = None,
) -> Video:
    """Read a clip written by `write_video` (or any video ffmpeg can decode) as RGB uint8.
    only "first" or "last": that frame alone, without holding the others in memory.
    each: applied to every frame (H, W, 3) as it is decoded (a resize to the working size,
    so a long 4K clip never sits in memory at full size). notices: gets a line if the
    clip's frames last unevenly, as it is replayed at one rate, and if it has sound, which
    is not read."""
    src = Path(path)
    if not src.exists():
        raise VideoError(missing(src))
    if src.is_dir():
        return _read_folder(src, only, each)
    try:
        frames, fps, head = _decode(src, only, each, notices)
    except VideoError:
        raise
    except (av.FFmpegError, OSError, ValueError) as e:
        raise _unreadable(src, e) from None
    head = head or _sidecar(src, len(frames) if only is None else None)  # GIFs: unpadded
    if head is None:
        return Video(frames, fps, {})
    return Video(frames, head.get("fps", fps), head.get("recipe", {}))
