"""The WSGI entry point for gunicorn: `gunicorn bot.web.wsgi:app`."""
import gc

from bot.web.app import create_app

app = create_app()
# What the app loads at start (the reader's dictionary and model, the routing tables, SQLAlchemy's metadata)
# lives as long as the process. Keep it out of the garbage collector's full passes: each one walked all of
# it (about 160,000 objects) and stopped every request in the process for about 95 ms.
gc.freeze()
