"""Example integrations, run as tests (the README quotes them)."""
