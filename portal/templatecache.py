"""Compiled templates kept in memory for the life of the process, for every app it makes.

Jinja compiles a template once per environment, and every app has its own environment. A process that makes
many apps (the test suite makes one per test) would compile every template again for each, about 90 ms a
test. Jinja's documented bytecode cache hook shares the compiled code instead. A bucket is keyed by template
name and file and checked against the source's checksum, so a changed template is compiled anew. Every app of
this process is configured alike by `create_app` (same extensions, same autoescaping), which is what makes
their compiled templates interchangeable. A single-app server process gains nothing and loses nothing.
"""

from __future__ import annotations

import threading

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class ProcessBytecodeCache(BytecodeCache):
    """Jinja bytecode kept in a dictionary, shared by the environments of one process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill `bucket` with the code kept under its key, if any (Jinja drops it when the source changed)."""
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep `bucket`'s freshly compiled code."""
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code

    def clear(self) -> None:
        """Forget every compiled template."""
        with self._lock:
            self._code.clear()


BYTECODE_CACHE = ProcessBytecodeCache()
