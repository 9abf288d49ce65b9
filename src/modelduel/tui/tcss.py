"""Widget styles live in `.tcss` files beside their modules; this reads them.

Each widget's file becomes its `DEFAULT_CSS`, not a `CSS_PATH`: only an App or a
Screen takes `CSS_PATH`, and there it ranks as the app's own stylesheet. As
`DEFAULT_CSS` the rules stay the widget's defaults (scoped to the widget, below
any app or user CSS), and `$variables` resolve against the active theme.
"""

from __future__ import annotations

from importlib.resources import files

__all__ = ["read_tcss"]


def read_tcss(name: str) -> str:
    """The text of `name`, a `.tcss` file of the `modelduel.tui` package.

    Read through `importlib.resources`, so it is found in a wheel as in a checkout.

    Args:
        name: The file name (`pane.tcss`).

    Returns:
        The stylesheet, for a widget's `DEFAULT_CSS`.
    """
    return files("modelduel.tui").joinpath(name).read_text(encoding="utf-8")
