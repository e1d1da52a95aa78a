"""MGL1xx: lifetimes of clients, sessions and cursors."""
