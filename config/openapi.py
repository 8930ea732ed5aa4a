"""Post-processing of the OpenAPI schema (drf-spectacular): the error answers
every operation can give, so the schema lists every status the API returns."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "DRF's error body: `detail` for the request as a whole, or a list of messages per field.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "The request is not valid: the body says why, per field.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "Signed in, but the role does not allow it.",
    "404": "No such object (or page of results).",
    "429": "Too many attempts: locked out or throttled (see Retry-After).",
}


def _error_content() -> dict:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _error(code: str) -> dict:
    return {"description": DESCRIPTIONS[code], "content": _error_content()}


def add_error_responses(result, generator, request, public):
    """Add the error statuses each operation can answer with, where not documented already."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            codes = []
            if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
                codes.append("400")
            public = {} in operation.get("security", [])
            if public:
                codes.append("429")  # the token endpoint: throttle and lockout
            else:
                codes += ["401", "403"]
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                codes.append("404")
            for code in codes:
                responses.setdefault(code, _error(code))
            # Errors the views document by description only (409s) carry the Error body.
            for code, response in responses.items():
                if code.startswith(("4", "5")) and "content" not in response:
                    response["content"] = _error_content()
    return result
