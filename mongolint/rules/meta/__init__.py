"""MGL0xx: mongolint about itself (its suppression comments)."""
