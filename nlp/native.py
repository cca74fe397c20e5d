"""The message reader's inner loops in C (nlp/_speedups.c) when the install built them, else None.

nlp/segment.py and nlp/model.py do the same in Python without them, with the same results; set
MINHU_PURE_PYTHON=1 to run on the Python code alone (to compare, or to rule the C code out)."""
import os

speedups = None
if not os.environ.get("MINHU_PURE_PYTHON"):
    try:
        from . import _speedups as speedups
    except ImportError:  # built without a C compiler
        speedups = None
