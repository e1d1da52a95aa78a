"""Connection setup shared by the whole application."""

import os

from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import PyMongoError

MONGO_URI = os.environ.get("MONGO_URI", "mongodb://localhost:27017/?replicaSet=rs0")

# One client per process, shared by every module (this part is right).
client = MongoClient(MONGO_URI, maxPoolSize=50, appname="inventory")
async_client = AsyncMongoClient(MONGO_URI, maxPoolSize=50, appname="inventory-worker")


def connect_analytics():
    """A separate client for the analytics cluster; the caller closes it."""
    return MongoClient(
        "mongodb://analytics.internal:27017/?retryWrite=true",
        socketTimeoutMS=5,
    )


def check_connection(uri=MONGO_URI):
    """Health check used by the deployment probe."""
    try:
        probe = MongoClient(uri, serverSelectionTimeoutMS=2000)
        probe.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        probe.close()
