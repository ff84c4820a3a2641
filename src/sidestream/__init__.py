"""Sidestream: an open-source digital industrial-symbiosis platform."""

__version__ = "0.1.0"
