"""One module per capability; each has `setup(server)` (see server/server.py)."""
