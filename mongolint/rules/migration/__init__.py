"""Rules that move code off an API: MGL304, Motor to PyMongo Async."""
