"""A test-only hook in a real rule: MGL103's check first runs an action (raise,
sleep, allocate, die) on files that contain MARKER. Patched in with monkeypatch,
which forked workers inherit; production code has no test hooks."""

from __future__ import annotations

from mongolint.rules.lifetimes.client_in_loop import ClientInLoop

DRIVER_CODE = """\
import pymongo


def load(items):
    for item in items:
        client = pymongo.MongoClient()
        client.db.things.insert_one(item)
"""
MARKER = "# crash here"


def patch_rule(monkeypatch, action) -> None:
    original = ClientInLoop.check

    def check(self):
        if MARKER in self.model.module.code:
            action()
        return original(self)

    monkeypatch.setattr(ClientInLoop, "check", check)
