"""The browsable API documentation at /docs comes from our own server: Swagger UI,
vendored unchanged with its checksums in VENDORED.md, loaded with its integrity hash,
under the site's Content-Security-Policy. (tests/browser/test_docs.py draws it.)"""

from __future__ import annotations

import base64
import hashlib
import re

from tests.test_web_pages import Tags
from web import urls
from web.app import STATIC
from web.security import CONTENT_SECURITY_POLICY

SWAGGER_FILES = ("swagger-ui-5.35.0-bundle.js", "swagger-ui-5.35.0.css")


def recorded_digest(name: str) -> str:
    vendored = (STATIC / "VENDORED.md").read_text()
    return re.search(rf"`{re.escape(name)}`.*?`([0-9a-f]{{64}})`", vendored).group(1)


def test_swagger_ui_is_vendored_unchanged_with_its_version_and_licence(memory_site):
    vendored = (STATIC / "VENDORED.md").read_text()
    assert "swagger-ui-dist" in vendored and "Apache-2.0" in vendored
    for name in SWAGGER_FILES:
        content = (STATIC / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == recorded_digest(name)
        assert memory_site.get(urls.static(name)).content == content


def test_the_docs_page_loads_only_our_own_files_with_the_scripts_hash(memory_site):
    response = memory_site.get(urls.docs())
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    tags = Tags(response.text)
    bundle = (STATIC / SWAGGER_FILES[0]).read_bytes()
    sri = "sha384-" + base64.b64encode(hashlib.sha384(bundle).digest()).decode()
    scripts = tags.all("script")
    assert {"src": urls.static(SWAGGER_FILES[0]), "integrity": sri, "defer": None} in scripts
    assert {"src": urls.static("docs.js"), "defer": None} in scripts
    assert all(s.get("src", "").startswith("/static/") for s in scripts)  # nothing inline
    sheets = [a["href"] for a in tags.all("link", rel="stylesheet")]
    assert urls.static(SWAGGER_FILES[1]) in sheets and urls.static("docs.css") in sheets
    assert tags.all("div", id="swagger-ui")[0]["data-openapi"] == urls.openapi()


def test_the_openapi_document_the_docs_draw_describes_the_new_routes(memory_site):
    paths = memory_site.get(urls.openapi()).json()["paths"]
    for path in ("/api/v1/changes", "/api/v1/events.jsonl", "/api/v1/events.csv"):
        assert "get" in paths[path], path
    timeline = {p["name"] for p in paths["/api/v1/timeline"]["get"]["parameters"]}
    assert {"since", "until"} <= timeline
    assert "Changes" in str(paths["/api/v1/changes"]["get"]["responses"]["200"])
