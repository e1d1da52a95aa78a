"""Inventory service: a small demo application that makes the classic MongoDB driver mistakes.

See ../README.md for the list of bugs and the mongolint rule that catches each one.
"""
