"""The rules of the office in plain Python: no Flask, no database, the current time passed in."""
