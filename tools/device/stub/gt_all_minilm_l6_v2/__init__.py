"""Stand-in for the PyPI package on the device: MiniLM rebuilt from .gpu/minilm."""


def get_model_path() -> str:
    return "/tmp/minilm"
