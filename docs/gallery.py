"""Render the world gallery in docs/: contact sheets of varied clips, analysed.

    python docs/gallery.py

Writes docs/img/world-*.png and prints each prompt with what the analyser read back.
"""

from __future__ import annotations

from pathlib import Path

from spacetime.io import Video, sheet_of_many
from spacetime.world.analyse import analyse
from spacetime.world.parse import prompt_to_scene
from spacetime.world.render import render

FRAMES, FPS, SIZE = 17, 8.0, 128
PAGES = {
    "world-characters": [
        "Momo waves hello on a checkered floor",
        "Kiko walks to the right in a grassy field, the camera pans right",
        "Tama jumps up and down against a starry night sky",
        "Pip walks to the left by the sea while a small red heart spins",
    ],
    "world-motions": [
        "a large blue star falling and bouncing on the floor at sunset",
        "a small yellow triangle bouncing off the walls on a grey background",
        "a medium purple crescent growing on cream",
        "a large cyan cross shrinking under a blue daytime sky",
        "a small white heart moving down and to the right against a starry night sky",
    ],
    "world-scenes": [
        "a red circle to the left of a blue square, on a checkered floor, the camera zooms out",
        "two green stars moving up in a grassy field, the camera tilts down",
        "a pink heart spinning above an orange square by the sea, the camera zooms in",
        "Momo stands still while a small cyan circle moves left"
        " and a large yellow star spins at sunset",
        "a small red star moving right on a checkered floor, the camera pans left",
    ],
}


def main() -> None:
    out = Path(__file__).parent / "img"
    out.mkdir(exist_ok=True)
    for page, prompts in PAGES.items():
        videos, captions = [], []
        for prompt in prompts:
            scene = prompt_to_scene(prompt, (FRAMES - 1) / FPS, seed=0)
            frames = render(scene, FRAMES, FPS, SIZE)
            read = analyse(frames, FPS)
            objs = ", ".join(
                f"{t.character or f'{t.size} {t.colour} {t.shape}'} {t.motion}" for t in read.tracks
            )
            note = f"analyser: {read.background}, camera {read.camera}; {objs}"
            print(f"{prompt}\n    {note}")
            videos.append(Video(frames, FPS, {"prompt": prompt}))
            captions.append(f"{prompt}\n{note}")
        sheet_of_many(videos, out / f"{page}.png", frames_per_row=6, captions=captions, scale=1.0)


if __name__ == "__main__":
    main()
