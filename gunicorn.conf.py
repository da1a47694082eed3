"""gunicorn's settings for Loket, read from the working directory by `gunicorn wsgi:app` and `make run`.

The defaults keep the embedded setup correct: one worker process with threads, because rate-limit counters
kept in process memory (LOKET_RATELIMIT_STORAGE_URI=memory://, the default) are exact only within one process.
With WEB_CONCURRENCY=4 (four processes) the rate-limit store must be shared (Redis); gunicorn refuses to start
otherwise. See docs/deploy.md.
"""

import os

bind = os.environ.get("LOKET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = "gthread"
threads = int(os.environ.get("LOKET_THREADS", "4"))
# The worker's heartbeat, not a request limit: with gthread the worker keeps reporting while its threads serve,
# so a slow upload (an unshrunk 4 MB photo takes about 70 s on slow 3G without JavaScript) is not cut off; a
# worker silent this long is stuck and is restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = None  # the portal logs one line per request itself, with its request id
errorlog = "-"
# No `gunicornc` control socket: nothing uses it, and by default it goes in $HOME/.gunicorn/, which for the
# service's user is the checkout (docs/deploy.md), and which two gunicorns of one user would share.
control_socket_disable = True


def on_starting(server):
    """Refuse to start several workers that would each keep their own rate-limit counters."""
    from portal import create_app
    from portal.deployment import worker_problems

    problems = worker_problems(create_app().config, server.cfg.workers)
    if problems:
        raise RuntimeError("\n".join(problems))
