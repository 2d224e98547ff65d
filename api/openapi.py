"""The OpenAPI schema, completed: errors documented as problem+json, the upload body's models included."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM
from api.schemas import JobCreate, Problem

# Every operation can answer these (auth, validation, the store being down, a bug).
COMMON_ERRORS = ("401", "422", "500", "503")
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (Problem, JobCreate):  # JobCreate is only referenced from openapi_extra
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code in {*COMMON_ERRORS, *(c for c in responses if c[0] in "45")}:
                    description = responses.get(code, {}).get("description") or HTTPStatus(int(code)).phrase
                    responses[code] = {"description": description, "content": {PROBLEM: {"schema": PROBLEM_REF}}}
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
