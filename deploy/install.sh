#!/bin/sh
# Install minhu into a virtual environment at PREFIX, with exactly the pinned dependencies of
# deploy/requirements.txt: the image's build step (deploy/Dockerfile) and a plain VM's install step
# (deploy/README.md), and what deploy/check-image-steps.sh runs on the host. Run from the source tree:
#   deploy/install.sh /opt/minhu
# minhu itself is pure Python: nothing of its own is compiled, no compiler is needed for it.
set -eu
prefix=${1:?usage: deploy/install.sh PREFIX}
python=${PYTHON:-python3}
here=$(dirname "$0")

"$python" -m venv "$prefix"
"$prefix/bin/pip" install --no-cache-dir --disable-pip-version-check --quiet -r "$here/requirements.txt"
# --no-deps: the dependencies are the pinned ones above, nothing newer slips in with the app.
"$prefix/bin/pip" install --no-cache-dir --disable-pip-version-check --quiet --no-deps .
"$prefix/bin/pip" check
# The web processes' command line (one place: deploy/web.sh), next to gunicorn and minhu.
install -m 0755 "$here/web.sh" "$prefix/bin/minhu-web"
"$prefix/bin/python" -c "import bot.cli.main, bot.web.app, workers.dispatch, gunicorn, psycopg"
echo "minhu installed in $prefix"
