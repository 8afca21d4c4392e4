"""Model components: the small Wan VAE and transformer, the MiniLM text encoder, model folders."""

from importlib import resources
from pathlib import Path

SHIPPED = "spacetime-tiny"  # the model folder inside the package


def shipped_folder() -> Path:
    """The model folder shipped in the package: spacetime/weights/spacetime-tiny."""
    return Path(str(resources.files("spacetime") / "weights" / SHIPPED))
