"""The vendored WAHA OpenAPI contract, loaded for validation with the spec's known quirks fixed.

Quirks (research notes §2.6): the envelope's `event` is declared `"type": "object"` though it
is a string; `WAMessage.required` lists fields real payloads omit or null; several properties
are null in real payloads without being `nullable`; a few properties carry `"required": true`
(OpenAPI 3.0 style) where JSON Schema wants a list. Webhooks and responses are validated on a
patched copy (nulls accepted, `required` dropped inside payload schemas); request bodies that
cassbot sends are validated strictly.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.contract_files import contract_path

SPEC_NAME = "waha-openapi.json"
URN = "urn:waha-openapi"


def spec_path() -> Path:
    """The team's shared contract when present, else the copy vendored in tests/contracts."""
    return contract_path(SPEC_NAME)


def load_spec() -> dict[str, Any]:
    return json.loads(spec_path().read_text(encoding="utf-8"))


def _fix_required(node: Any) -> Any:
    """Drop OpenAPI-3.0-style `required: true` on properties (not valid JSON Schema)."""
    if isinstance(node, dict):
        if "required" in node and not isinstance(node["required"], list):
            node = {k: v for k, v in node.items() if k != "required"}
        return {k: _fix_required(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_fix_required(v) for v in node]
    return node


def _lenient(node: Any) -> Any:
    """Accept null for any property and ignore `required` (real payloads omit and null)."""
    if isinstance(node, dict):
        out = {k: _lenient(v) for k, v in node.items() if k != "required"}
        if isinstance(out.get("properties"), dict):
            out["properties"] = {
                name: {"anyOf": [schema, {"type": "null"}]}
                for name, schema in out["properties"].items()
            }
        return out
    if isinstance(node, list):
        return [_lenient(v) for v in node]
    return node


class Contract:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        strict = _fix_required(spec)
        lenient = copy.deepcopy(strict)
        schemas = lenient["components"]["schemas"]
        for name, schema in list(schemas.items()):
            props = schema.get("properties", {})
            if "event" in props and "payload" in props:
                props["event"] = {"type": "string", "enum": props["event"].get("enum", [])}
            schemas[name] = _lenient(schema)
        # The envelope itself keeps its required fields: only payloads are lenient.
        for name, schema in spec["components"]["schemas"].items():
            original = schema.get("properties", {})
            if "event" in original and "payload" in original:
                schemas[name]["required"] = schema.get("required", [])
        self._strict = Registry().with_resource(
            URN, Resource.from_contents(strict, default_specification=DRAFT202012)
        )
        self._lenient = Registry().with_resource(
            URN + ":lenient", Resource.from_contents(lenient, default_specification=DRAFT202012)
        )
        self._templates = [
            (method.upper(), path, _template_regex(path))
            for path, item in spec["paths"].items()
            for method in item
            if method in ("get", "post", "put", "delete", "patch")
        ]

    def operation(self, method: str, raw_path: str) -> tuple[str, dict[str, Any]] | None:
        """The spec's path template and operation for a concrete request, if declared."""
        path = raw_path.split("?", 1)[0]
        matches = [
            (template, self.spec["paths"][template][method.lower()])
            for verb, template, regex in self._templates
            if verb == method and regex.fullmatch(path)
        ]
        # The most literal template wins (`/lids/pn/{pn}` over `/lids/{lid}`).
        matches.sort(key=lambda m: m[0].count("{"))
        return matches[0] if matches else None

    def _validator(self, pointer: str, *, lenient: bool) -> Draft202012Validator:
        urn = URN + ":lenient" if lenient else URN
        registry = self._lenient if lenient else self._strict
        return Draft202012Validator({"$ref": f"{urn}#{pointer}"}, registry=registry)

    def request_errors(self, operation: dict[str, Any], body: Any) -> list[str]:
        schema = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if schema is None:
            return [] if body is None else ["the operation takes no JSON body"]
        ref = schema["schema"].get("$ref", "")
        validator = self._validator(ref.removeprefix("#"), lenient=False)
        return [e.message for e in validator.iter_errors(body)]

    def response_errors(self, operation: dict[str, Any], status: int, body: Any) -> list[str]:
        response = operation.get("responses", {}).get(str(status))
        if response is None:
            return [f"status {status} is not declared"]
        content = response.get("content", {}).get("application/json")
        if content is None:
            return []
        schema = _as_lenient_refs(content["schema"])
        validator = Draft202012Validator(
            {**schema, "$id": URN + ":lenient:inline"}, registry=self._lenient
        )
        return [e.message for e in validator.iter_errors(body)]

    def webhook_errors(self, envelope: dict[str, Any]) -> list[str]:
        hook = self.spec.get("webhooks", {}).get(envelope.get("event", ""))
        if hook is None:
            return [f"event {envelope.get('event')!r} is not in the spec's webhooks"]
        ref = hook["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        validator = self._validator(ref.removeprefix("#"), lenient=True)
        return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(envelope)]


def _as_lenient_refs(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            k: (URN + ":lenient" + v if k == "$ref" and v.startswith("#") else _as_lenient_refs(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_as_lenient_refs(v) for v in schema]
    return schema


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))
