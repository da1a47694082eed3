"""The baseline of the server budget: a bare Flask app that returns a small fixed HTML page at `/`.

`bench/run.py` serves it with `gunicorn bench.hello_app:app` under exactly the portal's gunicorn settings, so
the portal's requests/s can be read as a share of what Flask + gunicorn alone can do on this machine.
"""

from flask import Flask

PAGE = ("<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>Halo</title></head>"
        "<body><p>Halo, dunia.</p></body></html>\n")

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """Return the fixed page (Flask sends it as text/html; charset=utf-8)."""
    return PAGE
