"""Contact sheets: clips laid out as labelled frame grids in one PNG, for eyes and for docs."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .video import Video, atomic_path, given_a_video

__all__ = ["contact_sheet", "sheet_of_many"]

PAD = 8
BG, INK, DIM = (255, 255, 255), (20, 20, 20), (110, 110, 110)
TARGET_CELL = 160  # small frames are upscaled to roughly this many pixels on their long side
MAX_CELL = 256  # large frames are downscaled to this
MAX_SHEET_FRAMES = 256  # a 16 x 16 grid: at most about 4k x 4k pixels


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where the system has it (accents, Greek, Cyrillic: a caption in French
    showed boxes for é in Pillow's own font), else Pillow's."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _auto_scale(h: int, w: int) -> float:
    side = max(h, w)
    return float(max(1, round(TARGET_CELL / side))) if side <= MAX_CELL else MAX_CELL / side


def cell_frame(frame: np.ndarray) -> np.ndarray:
    """A frame (H, W, 3) shrunk to the largest cell side, for `read_video(each=...)`: a sheet
    of a long 4K clip then never holds the clip at full size."""
    h, w = frame.shape[:2]
    if max(h, w) <= MAX_CELL:
        return frame
    size = (max(1, round(w * MAX_CELL / max(h, w))), max(1, round(h * MAX_CELL / max(h, w))))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def _resize(frame: np.ndarray, scale: float) -> Image.Image:
    """(H, W, 3) uint8 -> PIL image scaled by ``scale`` (nearest for integer factors)."""
    img = Image.fromarray(frame)
    if scale == 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    exact = float(scale).is_integer()
    return img.resize(size, Image.Resampling.NEAREST if exact else Image.Resampling.BICUBIC)


def _wrap(text: str, font: ImageFont.ImageFont, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; over-long words are split by characters."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for word in para.split(" "):
            cand = f"{line} {word}" if line else word
            if font.getlength(cand) <= width:
                line = cand
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:  # hard-break a word wider than the line
                if line and font.getlength(line + ch) > width:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def _text_block(text: str, width: int, size: int) -> Image.Image:
    """A white strip, ``width`` wide, holding ``text`` wrapped (empty text -> zero height)."""
    font = _font(size)
    lines = _wrap(text, font, width - 2 * PAD) if text else []
    line_h = size + size // 3
    img = Image.new("RGB", (width, len(lines) * line_h + (PAD if lines else 0)), BG)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((PAD, PAD // 2 + i * line_h), line, fill=INK, font=font)
    return img


def _sample(num_frames: int, count: int) -> list[int]:
    """``count`` evenly spaced frame indices including first and last."""
    return sorted({int(i) for i in np.linspace(0, num_frames - 1, min(count, num_frames)).round()})


def _cell(frame: np.ndarray, scale: float, label: str, label_size: int) -> Image.Image:
    """One scaled frame with a small label underneath."""
    img = _resize(frame, scale)
    cell = Image.new("RGB", (img.width, img.height + label_size + 6), BG)
    cell.paste(img, (0, 0))
    ImageDraw.Draw(cell).text((2, img.height + 2), label, fill=DIM, font=_font(label_size))
    return cell


def _label(video: Video, i: int) -> str:
    return f"#{i}  {i / video.fps:.2f}s"


def _save(img: Image.Image, path: str | os.PathLike[str] | None) -> Image.Image:
    if path is not None:
        with atomic_path(path) as tmp:
            img.save(tmp, format="PNG")
    return img


def contact_sheet(
    video: Video,
    path: str | os.PathLike[str] | None = None,
    *,
    columns: int | None = None,
    max_frames: int = 16,
    caption: str | None = None,
    scale: float | None = None,
) -> Image.Image:
    """A grid of up to ``max_frames`` evenly sampled frames, labelled ``#index time``.

    A caption strip on top shows ``caption`` (default: the recipe's prompt). Frames are upscaled
    (nearest, integer factor) to ~160 px or downscaled to 256 px unless ``scale`` is given.
    ``columns`` defaults to ~sqrt(count). Saved as PNG (atomically) when ``path`` is given.
    """
    given_a_video(video, "contact_sheet")
    if not 1 <= max_frames <= MAX_SHEET_FRAMES:
        raise ValueError(f"--max-frames must be from 1 to {MAX_SHEET_FRAMES}, got {max_frames}")
    idx = _sample(video.num_frames, max_frames)
    scale = _auto_scale(video.height, video.width) if scale is None else scale
    cells = [_cell(video.frames[i], scale, _label(video, i), 13) for i in idx]
    cols = columns or math.ceil(math.sqrt(len(cells)))
    rows = math.ceil(len(cells) / cols)
    cw, ch = cells[0].size
    width = max(cols * (cw + PAD) + PAD, 240)
    text = str(video.recipe.get("prompt", "")) if caption is None else caption
    head = _text_block(text, width, 16)
    sheet = Image.new("RGB", (width, head.height + rows * (ch + PAD) + PAD), BG)
    sheet.paste(head, (0, 0))
    for k, cell in enumerate(cells):
        r, c = divmod(k, cols)
        sheet.paste(cell, (PAD + c * (cw + PAD), head.height + PAD + r * (ch + PAD)))
    return _save(sheet, path)


def sheet_of_many(
    videos: Sequence[Video],
    path: str | os.PathLike[str] | None = None,
    *,
    frames_per_row: int = 8,
    captions: Sequence[str] | None = None,
    scale: float | None = None,
) -> Image.Image:
    """One row per clip (``frames_per_row`` evenly sampled frames), each under its caption.

    Captions default to each recipe's prompt. Frames are fitted to a common cell size (that of
    the largest clip after scaling). Saved as PNG (atomically) when ``path`` is given.
    """
    if not videos:
        raise ValueError("sheet_of_many needs at least one video")
    if captions is not None and len(captions) != len(videos):
        raise ValueError(f"got {len(captions)} captions for {len(videos)} videos")
    big_h, big_w = max(v.height for v in videos), max(v.width for v in videos)
    scale = _auto_scale(big_h, big_w) if scale is None else scale
    box_h, box_w = round(big_h * scale), round(big_w * scale)
    width = PAD + frames_per_row * (box_w + PAD)
    rows: list[Image.Image] = []
    for n, video in enumerate(videos):
        text = captions[n] if captions is not None else str(video.recipe.get("prompt", ""))
        head = _text_block(f"{n + 1}. {text}" if text else f"{n + 1}.", width, 15)
        fit = min(box_h / video.height, box_w / video.width)  # same scale when sizes match
        cells = [
            _cell(video.frames[i], fit, _label(video, i), 12)
            for i in _sample(video.num_frames, frames_per_row)
        ]
        row = Image.new("RGB", (width, head.height + max(c.height for c in cells) + PAD), BG)
        row.paste(head, (0, 0))
        for k, cell in enumerate(cells):
            row.paste(cell, (PAD + k * (box_w + PAD), head.height))
        rows.append(row)
    sheet = Image.new("RGB", (width, sum(r.height for r in rows) + PAD), BG)
    y = PAD // 2
    for row in rows:
        sheet.paste(row, (0, y))
        y += row.height
    return _save(sheet, path)
