"""MGL2xx: transactions."""
