"""MGL401-402: the options a client is constructed with."""
