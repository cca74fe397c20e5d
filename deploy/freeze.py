"""Write deploy/requirements.txt: every package minhu needs to run (not its test extras), pinned to the version
installed in this environment. Run it from a virtual environment made with `pip install -e .` after changing
pyproject.toml's dependencies:  python deploy/freeze.py"""
from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent


def needed(root: str = "minhu") -> dict[str, str]:
    """The installed distributions minhu's own dependencies reach, with their extras: name → version."""
    pinned: dict[str, str] = {}
    todo = [(root, frozenset())]
    seen = set()
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            sys.exit(f"{name} is needed but not installed here: pip install -e . first")
        if canonicalize_name(name) != canonicalize_name(root):
            pinned[dist.metadata["Name"]] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            wanted = [dict(default_environment(), extra=extra) for extra in extras or {""}]
            if requirement.marker is None or any(requirement.marker.evaluate(env) for env in wanted):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return pinned


def main() -> None:
    lines = [f"{name}=={version}" for name, version in sorted(needed().items(), key=lambda item: item[0].lower())]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    header = ("# minhu's run-time dependencies, pinned: `python deploy/freeze.py` in a venv with `pip install -e .`\n"
              f"# (Python {python}, Linux). deploy/install.sh installs exactly these.\n")
    (HERE / "requirements.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{HERE / 'requirements.txt'}: {len(lines)} packages")


if __name__ == "__main__":
    main()
