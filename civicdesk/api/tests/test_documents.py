"""The OpenAPI document, the docs page and the error shape outside any operation."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/services"),
    ("get", "/api/v1/services/{slug}"),
    ("get", "/api/v1/customers"),
    ("post", "/api/v1/customers"),
    ("get", "/api/v1/customers/{reference}"),
    ("patch", "/api/v1/customers/{reference}"),
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{reference}"),
    ("post", "/api/v1/cases/{reference}/notes"),
    ("post", "/api/v1/cases/{reference}/status"),
    ("post", "/api/v1/cases/{reference}/close"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/contacts"),
}


@pytest.fixture
def document():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_document_lists_every_operation(document):
    assert document["openapi"].startswith("3.")
    listed = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert listed == OPERATIONS


def test_every_operation_documents_the_error_statuses(document):
    for path, ops in document["paths"].items():
        for method, operation in ops.items():
            documented = set(operation["responses"])
            assert {"400", "401", "403", "404", "409", "422"} <= documented, (method, path)
            assert operation.get("security"), (method, path)


def test_every_post_takes_an_idempotency_key(document):
    for path, ops in document["paths"].items():
        if "post" in ops:
            names = [p["name"] for p in ops["post"].get("parameters", [])]
            assert "Idempotency-Key" in names, path


def test_the_docs_page_needs_no_cdn(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/openapi.json" in page
    assert "/api/v1/cases/{reference}/close" in page
    assert "cdn" not in page.lower()
    assert "<script" not in page


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/cases/a/b/c/d"])
def test_unknown_paths_answer_in_json(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.parametrize(
    ("method", "path"), [("delete", "/api/v1/services"), ("put", "/api/v1/cases")]
)
def test_a_wrong_method_answers_in_json(db, method, path):
    response = getattr(Client(), method)(path)
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert response.json()["detail"].startswith("Use ")
