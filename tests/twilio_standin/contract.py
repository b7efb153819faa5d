"""Twilio's OpenAPI descriptions (api v2010, routes v2) as the stand-in's contracts.

Loads ``tests/contracts/twilio-oai/twilio_api_v2010.json`` (or ``twilio_routes_v2.json``) and answers three
questions for the served operations: which query/form parameters a request may
carry (unknown names, bad enums, bad SIDs/URLs/integers/booleans and missing
required fields are rejected with a Twilio-shaped 400), which field names a
resource JSON must have, and which fields a list envelope has.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from . import errors

SPEC_PATH = Path(__file__).resolve().parent.parent / "contracts" / "twilio-oai" / "twilio_api_v2010.json"
# The Inbound Processing Region API (routes.twilio.com), described by our own minimal file.
ROUTES_SPEC_PATH = SPEC_PATH.with_name("twilio_routes_v2.json")

# Value lists the spec documents in prose (and as a component) but does not attach
# to the request parameter itself: (operationId, parameter) -> component schema.
ITEM_ENUM_COMPONENTS: dict[tuple[str, str], str] = {
    ("CreateCall", "StatusCallbackEvent"): "call_enum_event",
}

_MISSING_CODES = {"To": errors.CALL_MISSING_TO, "From": errors.CALL_MISSING_FROM}


class ContractDrift(RuntimeError):
    """The stand-in produced JSON whose field names differ from the spec."""


def snake_case(name: str) -> str:
    """``VoiceApplicationSid`` -> ``voice_application_sid`` (the JSON field name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Operation:
    """One (method, path) of the spec, with the parts needed to check a request."""

    method: str
    path: str
    operation_id: str
    query_params: Mapping[str, Mapping[str, Any]]
    form_fields: Mapping[str, Mapping[str, Any]]
    required: frozenset[str]
    response: Mapping[str, Any]

    @property
    def family(self) -> str:
        """``call`` or ``number``: selects Twilio's resource-specific error codes."""
        return "call" if "Call" in self.operation_id else "number"


class Contract:
    """Read-only view of the Twilio v2010 OpenAPI document."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec_path = spec_path
        with spec_path.open(encoding="utf-8") as handle:
            self._spec: dict[str, Any] = json.load(handle)
        self._operations: dict[tuple[str, str], Operation] = {}

    # ----------------------------------------------------------------- lookups
    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """Follow a local ``$ref`` (``#/components/schemas/...``) if present."""
        while "$ref" in schema:
            node: Any = self._spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def component(self, name: str) -> Mapping[str, Any]:
        """A schema from ``components.schemas``."""
        return self._spec["components"]["schemas"][name]

    def operation(self, method: str, path: str) -> Operation:
        """The operation for ``method`` on the spec path template ``path``."""
        key = (method.upper(), path)
        if key not in self._operations:
            raw = self._spec["paths"][path][method.lower()]
            query = {
                p["name"]: self.resolve(p.get("schema", {}))
                for p in raw.get("parameters", [])
                if p.get("in") == "query"
            }
            body = raw.get("requestBody", {}).get("content", {})
            form_schema = body.get("application/x-www-form-urlencoded", {}).get("schema", {})
            ok = next(code for code in raw["responses"] if code.startswith("2"))
            response = raw["responses"][ok]["content"]["application/json"]["schema"]
            self._operations[key] = Operation(
                method=key[0],
                path=path,
                operation_id=raw["operationId"],
                query_params=query,
                form_fields={name: self.resolve(schema) for name, schema in form_schema.get("properties", {}).items()},
                required=frozenset(form_schema.get("required", [])),
                response=self.resolve(response),
            )
        return self._operations[key]

    def resource_fields(self, component: str) -> tuple[str, ...]:
        """Field names of a resource schema, e.g. ``api.v2010.account.call``."""
        return tuple(self.component(component)["properties"])

    def list_fields(self, operation: Operation) -> tuple[tuple[str, ...], str]:
        """(envelope field names, records key) of a list operation's response."""
        props = operation.response["properties"]
        key = next(name for name, schema in props.items() if schema.get("type") == "array")
        return tuple(props), key

    # --------------------------------------------------------------- responses
    def check_resource(self, component: str, payload: Mapping[str, Any]) -> None:
        """Raise ContractDrift unless ``payload`` has exactly the schema's fields."""
        expected = set(self.resource_fields(component))
        if set(payload) != expected:
            raise ContractDrift(
                f"{component}: extra {sorted(set(payload) - expected)}, missing {sorted(expected - set(payload))}"
            )

    # ---------------------------------------------------------------- requests
    def validate_query(self, operation: Operation, query: Mapping[str, Sequence[str]]) -> None:
        """Reject query parameters the operation does not define or cannot parse."""
        self._validate(operation, operation.query_params, query, frozenset())

    def validate_form(self, operation: Operation, form: Mapping[str, Sequence[str]]) -> None:
        """Reject form fields outside the requestBody schema, bad values, missing ones."""
        self._validate(operation, operation.form_fields, form, operation.required)

    def _validate(
        self,
        operation: Operation,
        allowed: Mapping[str, Mapping[str, Any]],
        values: Mapping[str, Sequence[str]],
        required: frozenset[str],
    ) -> None:
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise errors.bad_request(
                errors.UNKNOWN_PARAMETERS,
                f"Unknown parameters: {', '.join(unknown)} (not defined for {operation.operation_id})",
            )
        for name in sorted(required):
            if not any(v.strip() for v in values.get(name, [])):
                code = _MISSING_CODES.get(name, errors.BAD_REQUEST)
                raise errors.bad_request(code, f"Missing required parameter {name} in the post body")
        for name, given in values.items():
            schema = allowed[name]
            if schema.get("type") != "array" and len(given) > 1:
                raise errors.bad_request(errors.BAD_REQUEST, f"Parameter {name} may be given only once")
            item_schema = schema.get("items", schema) if schema.get("type") == "array" else schema
            item_schema = self.resolve(item_schema)
            extra = ITEM_ENUM_COMPONENTS.get((operation.operation_id, name))
            if extra:
                item_schema = {**item_schema, "enum": self.component(extra)["enum"]}
            for value in given:
                problem = _value_problem(item_schema, value)
                if problem:
                    raise errors.bad_request(
                        _invalid_code(operation, item_schema),
                        f"Invalid {name}: {value!r} {problem}",
                    )


def _value_problem(schema: Mapping[str, Any], value: str) -> str | None:
    """Why ``value`` does not satisfy ``schema`` (None when it does).

    An empty string is accepted for every optional field: Twilio treats it as
    "clear this setting".
    """
    if value == "":
        return None
    enum = schema.get("enum")
    if enum and value not in enum:
        return f"is not one of {', '.join(enum)}"
    kind = schema.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return "is not an integer"
        number = int(value)
        if "minimum" in schema and number < schema["minimum"]:
            return f"is less than {schema['minimum']}"
        if "maximum" in schema and number > schema["maximum"]:
            return f"is greater than {schema['maximum']}"
    if kind == "boolean" and value.lower() not in ("true", "false"):
        return "is not true or false"
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        return f"does not match {pattern}"
    if schema.get("format") == "uri":
        parts = urlparse(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "is not an absolute http(s) URL"
    return None


def _invalid_code(operation: Operation, schema: Mapping[str, Any]) -> int:
    """Twilio's resource-specific code for an invalid method or URL, else 400."""
    fmt = schema.get("format")
    if fmt == "http-method":
        if operation.family == "call":
            return errors.CALL_INVALID_METHOD
        return errors.NUMBER_INVALID_METHOD
    if fmt == "uri":
        return errors.CALL_INVALID_URL if operation.family == "call" else errors.NUMBER_INVALID_URL
    return errors.BAD_REQUEST


@lru_cache(maxsize=4)
def load_contract(spec_path: Path = SPEC_PATH) -> Contract:
    """Parse the spec once per process (it is ~1.9 MB)."""
    return Contract(spec_path)
