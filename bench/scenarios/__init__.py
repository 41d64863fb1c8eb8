"""Scripted reliability scenarios (docs/reliability.md R1, R3), run with `make bench ARGS="r1"` / `"r3"`."""
