"""Do deploy/Dockerfile's build steps on this machine, where no Docker engine runs, and check what they make works.

Each COPY of the build stage copies from the source tree into a folder standing for the image's root; its RUN of
deploy/install.sh runs there; the runtime stage's COPY and ENV are followed the same way. The steps that install
Debian packages or add the user are skipped (they would change this machine) and listed. Then, with the image's
environment and from its working folder: `minhu --help`, `minhu check`, `minhu db upgrade`, the app imports, no
compiled module of minhu's own is installed (minhu has no C extension) and the web command is in place.

    python deploy/check_image_steps.py [ROOT]    # ROOT: where to build (default: a temporary folder, removed after)
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "deploy" / "Dockerfile"
# The image's own folders: in the check each one is a folder under ROOT.
IMAGE_PATHS = ("/opt/minhu", "/etc/minhu", "/var/lib/minhu", "/src")


def instructions(dockerfile: Path = DOCKERFILE) -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, (INSTRUCTION, arguments) with continuation lines joined, stage by stage."""
    stages: list[list[tuple[str, str]]] = []
    logical = re.sub(r"\\\n(\s*#.*\n)*", " ", dockerfile.read_text(encoding="utf-8"))
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), args.strip()))
    return stages


class Image:
    """A folder standing for the image's filesystem."""

    def __init__(self, root: Path):
        self.root, self.env, self.workdir, self.skipped, self.cmd = root, {}, "/", [], None

    def host(self, path: str) -> Path:
        return self.root / os.path.normpath(os.path.join(self.workdir, path)).lstrip("/")

    def rewrite(self, text: str) -> str:
        for path in IMAGE_PATHS:
            text = text.replace(path, str(self.root) + path)
        return text

    def copy(self, args: str) -> None:
        words = shlex.split(args)
        if words[0].startswith("--from="):  # the runtime stage takes the build stage's folder: here, the same one
            source = self.host(words[1])
            assert source.exists(), f"COPY {args}: the build stage made no {words[1]}"
            return
        *sources, dest = words
        target = self.host(dest)
        for source in sources:
            origin = REPO / source
            assert origin.exists(), f"COPY {args}: no {source} in the source tree"
            into = target / origin.name if dest.endswith("/") or len(sources) > 1 else target
            if origin.is_dir():
                shutil.copytree(origin, into, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.egg-info"))
            else:
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, into)

    def run(self, args: str) -> None:
        if "deploy/install.sh" not in args:
            self.skipped.append(args)
            return
        cwd = self.host(".")
        subprocess.run(["sh", "-c", self.rewrite(args)], cwd=cwd, check=True, env=self.environment())

    def set_env(self, args: str) -> None:
        for pair in shlex.split(args):
            name, _, value = pair.partition("=")
            self.env[name] = self.rewrite(value.replace("$PATH", os.environ["PATH"]))

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MINHU_", "PYTHON", "VIRTUAL_ENV"))}
        return env | self.env

    def follow(self, stage: list[tuple[str, str]]) -> None:
        for instruction, args in stage:
            if instruction == "WORKDIR":
                self.workdir = args
                self.host(".").mkdir(parents=True, exist_ok=True)
            elif instruction == "COPY":
                self.copy(args)
            elif instruction == "RUN":
                self.run(args)
            elif instruction == "ENV":
                self.set_env(args)
            elif instruction == "CMD":
                self.cmd = args
            elif instruction == "VOLUME":
                self.host(args).mkdir(parents=True, exist_ok=True)


def run(root: Path) -> dict:
    """Build into root and check it; return what was measured and skipped."""
    stages = instructions()
    assert len(stages) == 2, "deploy/Dockerfile: expected a build stage and a runtime stage"
    image = Image(root)
    started = time.monotonic()
    image.follow(stages[0])
    built = time.monotonic() - started
    image.workdir = "/"
    image.follow(stages[1])
    env = image.environment()
    cwd = image.host(".")  # the image's WORKDIR: nothing of the source tree is importable from there

    def minhu(*args: str) -> str:
        done = subprocess.run(["minhu", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"minhu {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    found = shutil.which("minhu", path=env["PATH"])
    assert found == str(root / "opt/minhu/bin/minhu"), f"the image's PATH leads to {found}, not its own minhu"
    minhu("--help")
    assert "ok — communities" in minhu("check")
    assert "database at newest version: sqlite" in minhu("db", "upgrade")
    # The installed package (not the source tree) has its data: the reader's model, templates, migrations.
    probe = ("import bot, nlp; from nlp import analyze; from bot.web.dashboard import init_app; "
             "assert '/opt/minhu/' in bot.__file__, bot.__file__; "
             "assert analyze('3号楼楼顶漏水了').category == 'leak'; import bot.web.wsgi")
    done = subprocess.run([str(root / "opt/minhu/bin/python"), "-c", probe], cwd=cwd, capture_output=True, text=True,
                          env=env | {"MINHU_REDIS_URL": "redis://127.0.0.1:9/0"}, timeout=120)
    assert done.returncode == 0, done.stderr
    command = shlex.split(image.cmd.strip("[]").replace(",", " ")) if image.cmd else []
    assert command and (root / "opt/minhu/bin" / command[0]).exists(), f"CMD {image.cmd}: not in the image"
    # minhu has no C extension: the installed package must hold no compiled module of its own.
    compiled = sorted(str(path.relative_to(root)) for package in ("bot", "handlers", "nlp", "workers")
                      for path in (root / "opt/minhu/lib").glob(f"python3*/site-packages/{package}/**/*")
                      if path.suffix in (".so", ".pyd"))
    assert compiled == [], f"compiled modules in the installed minhu: {compiled}"
    return {"build_seconds": round(built, 1), "skipped": image.skipped}


def main() -> None:
    if len(sys.argv) > 1:
        root = Path(sys.argv[1]).resolve()
        root.mkdir(parents=True, exist_ok=True)
        found = run(root)
    else:
        with tempfile.TemporaryDirectory(prefix="minhu-image-") as folder:
            found = run(Path(folder))
    print(f"image steps ok: install.sh took {found['build_seconds']} s; no compiled module of minhu's own")
    for step in found["skipped"]:
        print(f"  not run here (changes the machine): RUN {step[:100]}")


if __name__ == "__main__":
    main()
