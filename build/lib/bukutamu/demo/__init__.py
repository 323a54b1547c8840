"""Synthetic office activity for the demo and benchmarks. No real person's data."""
