"""The one thing pyproject.toml cannot say: the optional C extensions, the reader's speedups
(nlp/_speedups.c) and the joins' writer's SQLite connection (bot/_sqlnative.c, which needs SQLite's
header, sqlite3.h, to build).

`optional=True`: without a C compiler (or the header) the install still succeeds, and the same work
runs in Python."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("bot._sqlnative", ["bot/_sqlnative.c"], optional=True, libraries=["sqlite3"],
                             extra_compile_args=["-O2"])])
