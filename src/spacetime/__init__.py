"""Spacetime: generative video on spacetime patches, CPU first."""

__version__ = "0.1.0"
