"""GeoReport v2's two formats: every answer as JSON or as XML, and a POSTed request read from a form, JSON or XML."""
from __future__ import annotations

from xml.etree import ElementTree
from xml.parsers.expat import ExpatError

import xmltodict
from flask import Response, jsonify
from werkzeug.datastructures import MultiDict

# An XML list's element and the element of each item (the spec's names).
ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
         "errors": "error", "endpoints": "endpoint", "formats": "format"}
MIMETYPES = {"json": "application/json", "xml": "text/xml"}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(parent: ElementTree.Element, tag: str, value) -> None:
    element = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(element, key, inner)
    elif isinstance(value, list):
        for item in value:
            _fill(element, ITEMS.get(tag, "item"), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    """The spec's XML: a list under `root` with one element per item, a mapping as child elements."""
    top = ElementTree.Element(root)
    if isinstance(data, list):
        for item in data:
            _fill(top, ITEMS.get(root, "item"), item)
    else:
        for key, value in data.items():
            _fill(top, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(top, encoding="utf-8",
                                                                            xml_declaration=False)


def answer(fmt: str, root: str, data, status: int = 200) -> Response:
    """`data` in the format the path asked for (`root` names the XML document's element)."""
    if fmt == "xml":
        return Response(to_xml(root, data), status=status, mimetype=MIMETYPES["xml"])
    response = jsonify(data)
    response.status_code = status
    return response


def errors(fmt: str, status: int, *descriptions: str) -> Response:
    """The spec's error answer: a list of {code, description}, the HTTP status as the code."""
    return answer(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status)


class Unreadable(ValueError):
    """A POSTed body that is neither a form, JSON object nor XML request."""


def _flat(prefix: str, value, into: MultiDict) -> None:
    """JSON or XML fields as the form's names: {"attribute": {"floor": 6}} is attribute[floor]=6."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(f"{prefix}[{key}]" if prefix else str(key), inner, into)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                raise Unreadable(f"{prefix}: a list of plain values expected")
            into.add(prefix, _text(item))
    else:
        into.add(prefix, _text(value))


def posted(request) -> MultiDict:
    """A POSTed service request's fields: a form (the spec's), a JSON object, or XML (<request>…</request>)."""
    kind = request.mimetype or ""
    if kind.endswith("json"):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise Unreadable("the body is not a JSON object")
        found = MultiDict()
        _flat("", body, found)
        return found
    if kind.endswith("xml"):
        try:
            body = xmltodict.parse(request.get_data(), disable_entities=True)
        except (ExpatError, ValueError) as exc:  # not XML, or it declares entities (refused)
            raise Unreadable("the body is not well-formed XML") from exc
        if not isinstance(body, dict) or len(body) != 1 or not isinstance(next(iter(body.values())), dict):
            raise Unreadable("the XML body must be one <request> element with the fields inside")
        found = MultiDict()
        _flat("", next(iter(body.values())), found)
        return found
    found = MultiDict(request.form)
    found.update(request.args)  # api_key may come in the query string
    return found
