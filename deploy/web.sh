#!/bin/sh
# The web processes: gunicorn serving bot.web.wsgi:app, as README's "Production" gives it. The one place this
# command line is written: the Docker image (as minhu-web), the compose file and minhu-web.service all run it.
#   MINHU_WEB_BIND     where to listen (default 127.0.0.1:8000, behind nginx; the image sets 0.0.0.0:8000)
#   MINHU_WEB_WORKERS  web processes (default 4)
# Extra arguments go to gunicorn. The access log leaves out the query string: /wechat's holds WeChat's signature.
set -eu
here=$(dirname "$(readlink -f "$0")")
gunicorn=gunicorn
[ -x "$here/gunicorn" ] && gunicorn="$here/gunicorn"
# gunicorn's processes add up their webhook counters here for /metrics; emptied at each start.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${MINHU_DATA_DIR:-var}/metrics}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR" && rm -f "$PROMETHEUS_MULTIPROC_DIR"/*.db
exec "$gunicorn" --bind "${MINHU_WEB_BIND:-127.0.0.1:8000}" --workers "${MINHU_WEB_WORKERS:-4}" \
  --worker-class gthread --threads 4 --reuse-port \
  --access-logfile - --access-logformat '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s' \
  "$@" bot.web.wsgi:app
