"""mongolint: catch misuse of MongoDB's Python drivers before it reaches production."""

__version__ = "0.1.0"
