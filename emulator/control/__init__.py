"""The emulator's own API under /_emulator: health, workspace, reset."""
