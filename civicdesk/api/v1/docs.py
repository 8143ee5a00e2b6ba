"""The docs page: the app has no internet, so no Swagger UI from a CDN. A plain page lists the
operations and links to the OpenAPI document, which any client or viewer can load."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from ninja.openapi.docs import DocsBase


class OperationList(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        url = self.get_openapi_url(api, kwargs)
        schema = api.get_openapi_schema(path_params=kwargs)
        rows = [
            (method.upper(), path, operation.get("summary", ""))
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        ]
        body = format_html(
            '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
            "<title>{title}</title></head><body><main>"
            "<h1>{title}</h1><p>{description}</p>"
            '<p><a href="{url}">The OpenAPI 3 document (JSON)</a></p>'
            "<p>Send <code>Authorization: Bearer &lt;key&gt;</code> with every request, and an "
            "<code>Idempotency-Key</code> with every POST: a retry with the same key and body "
            "gets the first answer; the same key with another body is refused (422).</p>"
            "<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead>"
            "<tbody>{rows}</tbody></table></main></body></html>",
            title=api.title,
            description=api.description,
            url=url,
            rows=format_html_join(
                "", "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>", rows
            ),
        )
        return HttpResponse(body)
