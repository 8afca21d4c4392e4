"""Progress bars: on stderr, and only on a terminal, so piped output and logs stay clean."""

from __future__ import annotations

from typing import Any


def bar(quiet: bool, *columns: Any, transient: bool = True) -> Any:
    """A rich progress bar on stderr, shown only when stderr is a terminal: output piped to a
    file or a log gets no bar, and no blank line where the bar stood. `columns`: rich's
    columns, or none for its default ones. `bar(...).disable` says whether it is hidden."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    disable = quiet or not console.is_terminal
    return Progress(*columns, console=console, disable=disable, transient=transient)
