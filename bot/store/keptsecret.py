"""Random secrets kept under the data folder, for a demo machine that has none in its environment."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def kept_secret(data_dir: Path, name: str, nbytes: int = 32) -> str:
    """The secret in `data_dir/name`, made once; every process (gunicorn's several) reads the same one."""
    path = data_dir / name
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two processes start at once, exactly one writes; the other reads what it wrote.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(200):  # the writer may not have written yet: wait up to 2 s
            value = path.read_text().strip()
            if value:
                return value
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it to make a new secret")
    value = secrets.token_hex(nbytes)
    with os.fdopen(fd, "w") as file:
        file.write(value)
    return value
