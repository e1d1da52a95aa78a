"""The documents a MockMongo server holds, and the few query, update and
aggregation operators the wire programs use.

Enough of MongoDB's semantics for reads to see earlier writes; anything else
is answered with a plain `{"ok": 1}`, which both drivers accept alike.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple

_MISSING = object()
_COMPARE = {"$gt": lambda a, b: a > b, "$gte": lambda a, b: a >= b,
            "$lt": lambda a, b: a < b, "$lte": lambda a, b: a <= b}


def get_path(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return _MISSING
        doc = doc[part]
    return doc


def _set_path(doc: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        doc = doc.setdefault(part, {})
    doc[parts[-1]] = value


def _matches_value(actual: Any, condition: Any) -> bool:
    if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
        return all(_operator(actual, op, operand) for op, operand in condition.items())
    if isinstance(actual, list) and not isinstance(condition, list):
        return condition in actual
    return actual == condition


def _operator(actual: Any, op: str, operand: Any) -> bool:
    if op in _COMPARE:
        try:
            return actual is not _MISSING and _COMPARE[op](actual, operand)
        except TypeError:
            return False
    if op == "$eq":
        return _matches_value(actual, operand)
    if op == "$ne":
        return not _matches_value(actual, operand)
    if op == "$in":
        return any(_matches_value(actual, o) for o in operand)
    if op == "$nin":
        return not any(_matches_value(actual, o) for o in operand)
    if op == "$exists":
        return (actual is not _MISSING) == bool(operand)
    return True  # operators the programs do not rely on


def matches(doc: dict, query: dict) -> bool:
    for key, condition in (query or {}).items():
        if key == "$and":
            if not all(matches(doc, q) for q in condition):
                return False
        elif key == "$or":
            if not any(matches(doc, q) for q in condition):
                return False
        elif not key.startswith("$") and not _matches_value(get_path(doc, key), condition):
            return False
    return True


def _sorted(docs: List[dict], sort: dict) -> List[dict]:
    for key, direction in reversed(list((sort or {}).items())):
        docs = sorted(docs, key=lambda d: _sort_key(get_path(d, key)), reverse=direction == -1)
    return docs


def _sort_key(value: Any) -> Tuple[int, Any]:
    if value is _MISSING or value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def apply_update(doc: dict, update: Any) -> dict:
    if isinstance(update, list) or not any(k.startswith("$") for k in update):
        replaced = copy.deepcopy(dict(update)) if not isinstance(update, list) else dict(doc)
        replaced.setdefault("_id", doc.get("_id"))
        return replaced
    doc = copy.deepcopy(doc)
    for op, fields in update.items():
        for path, value in fields.items():
            current = get_path(doc, path)
            if op in ("$set", "$setOnInsert"):
                _set_path(doc, path, value)
            elif op == "$inc":
                _set_path(doc, path, (0 if current is _MISSING else current) + value)
            elif op == "$unset":
                doc.pop(path, None)
            elif op == "$push":
                _set_path(doc, path, ([] if current is _MISSING else list(current)) + [value])
            elif op == "$addToSet" and (current is _MISSING or value not in current):
                _set_path(doc, path, ([] if current is _MISSING else list(current)) + [value])
    return doc


def _accumulate(op: str, field: Any, group: List[dict]) -> Any:
    values = [1 if not isinstance(field, str) else get_path(d, field[1:]) for d in group]
    values = [v for v in values if v is not _MISSING]
    if op == "$sum":
        return sum(v * (field if isinstance(field, (int, float)) else 1) if not isinstance(field, str) else v
                   for v in values)
    if op == "$avg":
        return sum(values) / len(values) if values else None
    if op == "$max":
        return max(values) if values else None
    if op == "$min":
        return min(values) if values else None
    if op == "$push":
        return values
    return None


def _group(docs: List[dict], spec: dict) -> List[dict]:
    key_spec = spec["_id"]
    groups: Dict[Any, List[dict]] = {}
    for doc in docs:
        key = get_path(doc, key_spec[1:]) if isinstance(key_spec, str) and key_spec.startswith("$") else key_spec
        groups.setdefault(None if key is _MISSING else key, []).append(doc)
    result = []
    for key, group in groups.items():
        out = {"_id": key}
        for name, accumulator in spec.items():
            if name != "_id":
                (op, field), = accumulator.items()
                out[name] = _accumulate(op, field, group)
        result.append(out)
    return result


def run_pipeline(docs: List[dict], pipeline: List[dict]) -> List[dict]:
    for stage in pipeline:
        (name, spec), = stage.items()
        if name == "$match":
            docs = [d for d in docs if matches(d, spec)]
        elif name == "$sort":
            docs = _sorted(docs, spec)
        elif name == "$limit":
            docs = docs[:spec]
        elif name == "$skip":
            docs = docs[spec:]
        elif name == "$group":
            docs = _group(docs, spec)
        elif name == "$count":
            docs = [{spec: len(docs)}] if docs else []
        elif name == "$project":
            keep = [k for k, v in spec.items() if v and k != "_id"]
            docs = [{k: d[k] for k in ["_id"] * (spec.get("_id", 1) != 0) + keep if k in d} for d in docs]
    return docs


class Store:
    def __init__(self) -> None:
        self.collections: Dict[str, List[dict]] = {}
        self.indexes: Dict[str, List[dict]] = {}
        self._tailing: set = set()

    def docs(self, database: str, collection: str) -> List[dict]:
        return self.collections.setdefault(f"{database}.{collection}", [])

    def is_tailing(self, collection: str) -> bool:
        return collection in self._tailing

    # -- reads -----------------------------------------------------------------
    def read(self, name: str, doc: dict, database: str) -> Tuple[List[dict], bool]:
        """The documents a cursor command returns, and whether its cursor stays open."""
        target = doc[name]
        if name == "find":
            found = [d for d in self.docs(database, target) if matches(d, doc.get("filter", {}))]
            found = _sorted(found, doc.get("sort"))[doc.get("skip", 0):]
            limit = abs(doc.get("limit", 0) or 0)
            return copy.deepcopy(found[:limit] if limit else found), False
        if name == "aggregate":
            pipeline = doc.get("pipeline", [])
            if pipeline and "$changeStream" in pipeline[0]:
                self._tailing.add(target if isinstance(target, str) else "$cmd.aggregate")
                return self._change_events(database, target), True
            source = self.docs(database, target) if isinstance(target, str) else []
            return copy.deepcopy(run_pipeline(list(source), pipeline)), False
        if name == "listIndexes":
            return [{"v": 2, "key": {"_id": 1}, "name": "_id_"}] + self.indexes.get(f"{database}.{target}", []), False
        if name == "listCollections":
            prefix = database + "."
            return [{"name": ns[len(prefix):], "type": "collection"} for ns in sorted(self.collections)
                    if ns.startswith(prefix)], False
        return [], False

    def _change_events(self, database: str, target: Any) -> List[dict]:
        names = [target] if isinstance(target, str) else sorted(
            ns.split(".", 1)[1] for ns in self.collections if ns.startswith(database + "."))
        events = []
        for collection in names:
            for number, doc in enumerate(self.docs(database, collection)):
                events.append({"_id": {"_data": f"{collection}-{number}"}, "operationType": "insert",
                               "ns": {"db": database, "coll": collection}, "documentKey": {"_id": doc["_id"]},
                               "fullDocument": copy.deepcopy(doc)})
        return events

    # -- everything else -------------------------------------------------------
    def command(self, name: str, doc: dict, database: str) -> dict:
        handler = getattr(self, "_" + name, None)
        return handler(doc, database) if handler else {"ok": 1}

    def _insert(self, doc: dict, database: str) -> dict:
        documents = doc.get("documents", [])
        self.docs(database, doc["insert"]).extend(copy.deepcopy(documents))
        return {"ok": 1, "n": len(documents)}

    def _update(self, doc: dict, database: str) -> dict:
        docs = self.docs(database, doc["update"])
        n = modified = 0
        upserted = []
        for index, spec in enumerate(doc.get("updates", [])):
            hits = [i for i, d in enumerate(docs) if matches(d, spec.get("q", {}))]
            if not spec.get("multi"):
                hits = hits[:1]
            for i in hits:
                docs[i] = apply_update(docs[i], spec["u"])
            n += len(hits)
            modified += len(hits)
            if not hits and spec.get("upsert"):
                base = {k: v for k, v in spec.get("q", {}).items() if not k.startswith("$")}
                new = apply_update(base, spec["u"])
                new.setdefault("_id", base.get("_id", f"upserted-{len(docs)}"))
                docs.append(new)
                upserted.append({"index": index, "_id": new["_id"]})
                n += 1
        reply = {"ok": 1, "n": n, "nModified": modified}
        if upserted:
            reply["upserted"] = upserted
        return reply

    def _delete(self, doc: dict, database: str) -> dict:
        docs = self.docs(database, doc["delete"])
        n = 0
        for spec in doc.get("deletes", []):
            hits = [d for d in docs if matches(d, spec.get("q", {}))]
            if spec.get("limit") == 1:
                hits = hits[:1]
            for hit in hits:
                docs.remove(hit)
            n += len(hits)
        return {"ok": 1, "n": n}

    def _findAndModify(self, doc: dict, database: str) -> dict:
        docs = self.docs(database, doc["findAndModify"])
        hits = _sorted([d for d in docs if matches(d, doc.get("query", {}))], doc.get("sort"))
        if not hits:
            if doc.get("upsert") and "update" in doc:
                new = apply_update({k: v for k, v in doc.get("query", {}).items() if not k.startswith("$")},
                                   doc["update"])
                docs.append(new)
                return {"ok": 1, "value": copy.deepcopy(new) if doc.get("new") else None}
            return {"ok": 1, "value": None}
        index = docs.index(hits[0])
        before = docs[index]
        if doc.get("remove"):
            docs.pop(index)
            return {"ok": 1, "value": copy.deepcopy(before)}
        docs[index] = apply_update(before, doc["update"])
        return {"ok": 1, "value": copy.deepcopy(docs[index] if doc.get("new") else before)}

    def _count(self, doc: dict, database: str) -> dict:
        return {"ok": 1, "n": len([d for d in self.docs(database, doc["count"])
                                   if matches(d, doc.get("query", {}))])}

    def _distinct(self, doc: dict, database: str) -> dict:
        values = []
        for d in self.docs(database, doc["distinct"]):
            value = get_path(d, doc["key"])
            if matches(d, doc.get("query", {})) and value is not _MISSING and value not in values:
                values.append(value)
        return {"ok": 1, "values": values}

    def _createIndexes(self, doc: dict, database: str) -> dict:
        known = self.indexes.setdefault(f"{database}.{doc['createIndexes']}", [])
        for index in doc.get("indexes", []):
            if all(k["name"] != index["name"] for k in known):
                known.append(dict(index, v=2))
        return {"ok": 1, "numIndexesBefore": 1, "numIndexesAfter": 1 + len(known)}

    def _drop(self, doc: dict, database: str) -> dict:
        self.collections.pop(f"{database}.{doc['drop']}", None)
        self.indexes.pop(f"{database}.{doc['drop']}", None)
        return {"ok": 1}

    def _listDatabases(self, doc: dict, database: str) -> dict:
        names = sorted({ns.split(".", 1)[0] for ns in self.collections})
        return {"ok": 1, "databases": [{"name": n, "sizeOnDisk": 1, "empty": False} for n in names]}
