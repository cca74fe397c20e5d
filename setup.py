"""The one thing pyproject.toml cannot say: the reader's optional C speedups (nlp/_speedups.c).

`optional=True`: without a C compiler the install still succeeds and the reader runs in Python."""
from setuptools import Extension, setup

setup(ext_modules=[Extension("nlp._speedups", ["nlp/_speedups.c"], optional=True,
                             extra_compile_args=["-O2"])])
