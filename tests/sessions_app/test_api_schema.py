"""The OpenAPI schema and the Swagger UI docs page: public, generated from the code, usable offline."""

import re

from django.contrib.staticfiles import finders
from django.test import Client

FILTERS = {"agent", "channel", "state", "direction", "created_after", "created_before"}


def openapi(client=None) -> dict:
    response = (client or Client()).get("/api/schema", {"format": "json"})
    assert response.status_code == 200, response.content
    return response.json()


def test_schema_is_public_and_lists_the_sessions_endpoints():
    schema = openapi()

    assert schema["openapi"].startswith("3.")
    assert {"/api/sessions", "/api/sessions/{session_id}"} <= set(schema["paths"])
    assert not [path for path in schema["paths"] if path.endswith("/")]
    assert set(schema["paths"]["/api/sessions"]) == {"get"}
    assert set(schema["paths"]["/api/sessions/{session_id}"]) == {"get"}


def test_schema_documents_every_filter_with_its_accepted_values():
    operation = openapi()["paths"]["/api/sessions"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}

    assert FILTERS | {"page", "page_size"} == set(parameters)
    assert parameters["state"]["schema"]["enum"] == ["closed", "dialing", "open"]
    assert parameters["direction"]["schema"]["enum"] == ["inbound", "outbound"]
    assert parameters["channel"]["schema"]["enum"] == ["twilio"]
    assert parameters["agent"]["schema"]["type"] == "integer"
    assert "ISO 8601" in parameters["created_after"]["description"]
    assert "200" in parameters["page_size"]["description"]


def test_schema_describes_the_session_and_its_transcript_without_secrets():
    schema = openapi()
    components = schema["components"]["schemas"]
    detail = schema["paths"]["/api/sessions/{session_id}"]["get"]

    assert detail["parameters"][0]["schema"] == {"type": "string", "format": "uuid"}
    assert "message_count" in components["Session"]["properties"]
    assert "messages" in components["SessionDetail"]["properties"]
    assert set(components["Message"]["properties"]) == {"sequence", "role", "text", "created_at"}
    assert set(components["ConnectionSummary"]["properties"]) == {"id", "name"}
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_schema_answers_with_a_trailing_slash_too():
    assert Client().get("/api/schema/", {"format": "json"}).json()["openapi"].startswith("3.")


def test_docs_page_renders_swagger_ui_from_local_files_only():
    response = Client().get("/api/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert "SwaggerUIBundle" in page and '"/api/schema"' in page
    assert not re.search(r"https?://|[\"'(]//", page), "the docs page must not load anything from another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file of the portal"
