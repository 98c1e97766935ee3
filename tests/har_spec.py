"""A checker of HAR 1.2 documents, written from the specification (Jan Odvarko's "HAR 1.2
Spec", the format's reference): every required field present with its type, the value rules
the specification states, and custom fields only with a leading underscore.

``problems(doc)`` returns a list of readable problems; an empty list means valid.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

#: ISO 8601 with a time zone, as in the specification's example "2009-04-16T12:07:23.596Z".
_ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_NUMBER = (int, float)

#: object -> {field: (type or types, required)}
_FIELDS: dict[str, dict[str, tuple[Any, bool]]] = {
    "log": {"version": (str, True), "creator": (dict, True), "browser": (dict, False),
            "pages": (list, False), "entries": (list, True), "comment": (str, False)},
    "creator": {"name": (str, True), "version": (str, True), "comment": (str, False)},
    "entry": {"pageref": (str, False), "startedDateTime": (str, True), "time": (_NUMBER, True),
              "request": (dict, True), "response": (dict, True), "cache": (dict, True),
              "timings": (dict, True), "serverIPAddress": (str, False),
              "connection": (str, False), "comment": (str, False)},
    "request": {"method": (str, True), "url": (str, True), "httpVersion": (str, True),
                "cookies": (list, True), "headers": (list, True), "queryString": (list, True),
                "postData": (dict, False), "headersSize": (int, True), "bodySize": (int, True),
                "comment": (str, False)},
    "response": {"status": (int, True), "statusText": (str, True), "httpVersion": (str, True),
                 "cookies": (list, True), "headers": (list, True), "content": (dict, True),
                 "redirectURL": (str, True), "headersSize": (int, True),
                 "bodySize": (int, True), "comment": (str, False)},
    "cookie": {"name": (str, True), "value": (str, True), "path": (str, False),
               "domain": (str, False), "expires": (str, False), "httpOnly": (bool, False),
               "secure": (bool, False), "comment": (str, False)},
    "pair": {"name": (str, True), "value": (str, True), "comment": (str, False)},
    "postData": {"mimeType": (str, True), "params": (list, False), "text": (str, False),
                 "comment": (str, False)},
    "content": {"size": (int, True), "compression": (int, False), "mimeType": (str, True),
                "text": (str, False), "encoding": (str, False), "comment": (str, False)},
    "cache": {"beforeRequest": ((dict, type(None)), False),
              "afterRequest": ((dict, type(None)), False), "comment": (str, False)},
    "timings": {"blocked": (_NUMBER, False), "dns": (_NUMBER, False),
                "connect": (_NUMBER, False), "send": (_NUMBER, True), "wait": (_NUMBER, True),
                "receive": (_NUMBER, True), "ssl": (_NUMBER, False), "comment": (str, False)},
}


def _fields(kind: str, value: Any, where: str, out: list[str]) -> bool:
    if not isinstance(value, dict):
        out.append(f"{where}: must be an object")
        return False
    spec = _FIELDS[kind]
    for name, (types, required) in spec.items():
        if name not in value:
            if required:
                out.append(f"{where}.{name}: required")
            continue
        item = value[name]
        # bool is an int in Python; HAR numbers are never booleans.
        if not isinstance(item, types) or (isinstance(item, bool) and types is not bool):
            out.append(f"{where}.{name}: wrong type {type(item).__name__}")
    for name in value:
        if name not in spec and not name.startswith("_"):
            out.append(f"{where}.{name}: not in HAR 1.2 (custom fields start with '_')")
    return True


def problems(doc: Any) -> list[str]:
    """Everything that makes ``doc`` (parsed JSON) an invalid HAR 1.2 document."""
    out: list[str] = []
    if not isinstance(doc, dict) or "log" not in doc:
        return ["top level: must be an object with 'log'"]
    log = doc["log"]
    if not _fields("log", log, "log", out):
        return out
    if log.get("version") != "1.2":
        out.append(f"log.version: {log.get('version')!r}, expected '1.2'")
    _fields("creator", log.get("creator"), "log.creator", out)
    for i, entry in enumerate(log.get("entries") or []):
        _entry(entry, f"log.entries[{i}]", out)
    return out


def _entry(entry: Any, where: str, out: list[str]) -> None:
    if not _fields("entry", entry, where, out):
        return
    started = entry.get("startedDateTime", "")
    if not _ISO_8601.match(str(started)):
        out.append(f"{where}.startedDateTime: not ISO 8601 with a zone: {started!r}")
    else:
        datetime.fromisoformat(started.replace("Z", "+00:00"))  # a real date and time
    request, response = entry.get("request"), entry.get("response")
    if _fields("request", request, f"{where}.request", out):
        for name in ("cookies",):
            for j, cookie in enumerate(request.get(name) or []):
                _fields("cookie", cookie, f"{where}.request.{name}[{j}]", out)
        for name in ("headers", "queryString"):
            for j, pair in enumerate(request.get(name) or []):
                _fields("pair", pair, f"{where}.request.{name}[{j}]", out)
        if "postData" in request:
            post = request["postData"]
            if _fields("postData", post, f"{where}.request.postData", out) \
                    and "params" in post and "text" in post:
                out.append(f"{where}.request.postData: params and text are mutually exclusive")
    if _fields("response", response, f"{where}.response", out):
        for j, cookie in enumerate(response.get("cookies") or []):
            _fields("cookie", cookie, f"{where}.response.cookies[{j}]", out)
        for j, pair in enumerate(response.get("headers") or []):
            _fields("pair", pair, f"{where}.response.headers[{j}]", out)
        _fields("content", response.get("content"), f"{where}.response.content", out)
    _fields("cache", entry.get("cache"), f"{where}.cache", out)
    timings = entry.get("timings")
    if _fields("timings", timings, f"{where}.timings", out):
        for name in ("send", "wait", "receive"):
            value = timings.get(name)
            if isinstance(value, _NUMBER) and value < 0:
                out.append(f"{where}.timings.{name}: {value}; -1 is not allowed here")
        for name in ("blocked", "dns", "connect", "ssl"):
            value = timings.get(name)
            if isinstance(value, _NUMBER) and value < 0 and value != -1:
                out.append(f"{where}.timings.{name}: {value}; -1 (unknown) or >= 0")
        # "time": the sum of all timings available (not counting -1 values).
        known = [v for v in timings.values() if isinstance(v, _NUMBER) and v != -1]
        if isinstance(entry.get("time"), _NUMBER) and abs(sum(known) - entry["time"]) > 0.01:
            out.append(f"{where}.time: {entry['time']} is not the sum of its timings "
                       f"({sum(known)})")
