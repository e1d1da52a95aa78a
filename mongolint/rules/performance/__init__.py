"""MGL403-405: performance advice (clients per request, a write or a transaction per item)."""
