"""Heat-pump analytics: pure functions on per-bucket frames (see generator/sources/base.py for the frame).

Every energy is a time integral: a bucket's time-weighted mean power times the bucket's length. Every
ratio of a period is energy-weighted (Σheat ÷ Σelectricity), never a mean of instantaneous ratios.
"""
from __future__ import annotations
