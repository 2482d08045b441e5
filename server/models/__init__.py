"""Model packages: which exist (declared by each engine's ``files.py``), where they live, and
the explicit ``pull``/``verify`` steps. Nothing here runs unless the user asks: engines only
read from the model folder and never download."""

from foleyline.server.models.catalog import ModelFile, ModelPackage

__all__ = ["ModelFile", "ModelPackage"]
