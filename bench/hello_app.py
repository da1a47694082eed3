"""The baseline of the server budget: a bare Flask app that returns a small fixed HTML page at `/`.

`bench/run.py` serves it with `gunicorn bench.hello_app:app` under exactly the portal's gunicorn settings, so
the portal's requests/s can be read as a share of what Flask + gunicorn alone can do on this machine.

`/form` is a reference, not a baseline: the same page with a form carrying Flask-WTF's CSRF token, which
gives a first-time visitor Flask's session cookie. It shows what any form page costs with the libraries
Loket must use, before Loket does anything, so a form page's ratio can be read against it.
"""

from flask import Flask
from flask_wtf.csrf import generate_csrf

PAGE = ("<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>Halo</title></head>"
        "<body><p>Halo, dunia.</p></body></html>\n")

FORM = ("<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>Halo</title></head>"
        "<body><form method=\"post\"><input type=\"hidden\" name=\"csrf_token\" value=\"{token}\">"
        "<button>Kirim</button></form></body></html>\n")

app = Flask(__name__)
app.config["SECRET_KEY"] = "bench-only-secret"


@app.get("/")
def hello() -> str:
    """Return the fixed page (Flask sends it as text/html; charset=utf-8)."""
    return PAGE


@app.get("/form")
def form() -> str:
    """Return a page with a form and this visitor's CSRF token (a first visit also gets a session cookie)."""
    return FORM.format(token=generate_csrf())
