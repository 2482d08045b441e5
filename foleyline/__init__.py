"""Foleyline: a Foley department beside the editor's timeline."""

__version__ = "0.1.0"
