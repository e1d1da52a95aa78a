"""MGL3xx: the sync and async drivers, and the await between them."""
