"""Test configuration of the pharmacology tests.

The engine works on matrices of at most 7 x 7 (and vectors of a few thousand
points), which gain nothing from BLAS threads.  Under ``pytest -n 2`` on a
2-core machine, each worker's OpenBLAS threads compete with the other worker
and spin: the TCI tests took 50 s instead of 5 s (measured).  One BLAS thread
per worker, set before numpy is first imported (OpenBLAS reads it at load),
keeps the suite's time stable.  An explicit setting in the environment wins.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
