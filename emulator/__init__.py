"""front-emulator: a local, offline emulator of Front custom channels."""

__version__ = "0.2.0"
