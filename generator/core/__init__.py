"""The bottom layer: what every other part of the project speaks, importing nothing of ours above it.

- metrics.py — the canonical metric vocabulary: names, kinds, how a source reads each kind;
- ranges.py — the ranges, their buckets and windows;
- errors.py — the one exceptions tree (retryable I/O apart from logic errors) and the exit codes;
- public_format.py — the public/ format: file names, format version, the hash in a data file's name;
- clock.py — the run's clock.
"""
