"""Correct PyMongo and PyMongo Async code: mongolint must report nothing here."""
