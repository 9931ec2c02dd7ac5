"""Hypothesis strategies and a contract runner for integrations (see issue: test harness)."""
