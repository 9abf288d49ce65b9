"""modelduel: duel frontier LLMs side by side in the terminal."""

__version__ = "0.1.0"
