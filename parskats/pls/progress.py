"""The PLS commands' progress bar is the core one (the jobs command draws the same)."""

from parskats.core.progress import ProgressBar

__all__ = ["ProgressBar"]
