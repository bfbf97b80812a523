"""The pages a person opens (GraphiQL, Swagger UI, ReDoc), served with no CDN: their scripts
come from installed packages (docs/dependencies.md), so they work on a network with no internet."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

DOCS_ASSETS = "/static/docs"
GRAPHIQL_ASSETS = "/static/graphiql"

# Swagger UI keeps the token across reloads and shows how long each call took.
SWAGGER_UI = {"persistAuthorization": True, "displayRequestDuration": True}

# The pages may load nothing from another origin: what a page would fetch from the internet
# (ReDoc's footer logo) is refused by the browser instead of waiting on a network that is not
# there. Inline scripts are the pages' own set-up; blob: is ReDoc's search worker.
SAME_ORIGIN_ONLY = {
    "Content-Security-Policy": "default-src 'self' 'unsafe-inline' data: blob:",
}


def package_files(package: str, *parts: str) -> Path:
    """A directory of package data, read in place (a regular install is unzipped)."""
    with as_file(files(package).joinpath(*parts)) as path:
        return Path(path)


def page_routes(openapi_url: str, title: str, *, graphiql: bool) -> list[BaseRoute]:
    """/docs and /redoc (assets of fastapi-offline); GET /graphql when `graphiql` (assets of
    graphene-django-graphiql-static, whose package root imports nothing: no Django)."""

    async def swagger_ui(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        return _same_origin(
            get_swagger_ui_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{title} - Swagger UI",
                swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
                swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                swagger_ui_parameters=SWAGGER_UI,
            )
        )

    async def redoc(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        return _same_origin(
            get_redoc_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{title} - ReDoc",
                redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
                with_google_fonts=False,
            )
        )

    routes: list[BaseRoute] = [
        Route("/docs", swagger_ui, methods=["GET"]),
        Route("/redoc", redoc, methods=["GET"]),
        Mount(DOCS_ASSETS, StaticFiles(directory=package_files("fastapi_offline", "static"))),
    ]
    if graphiql:
        assets = package_files(
            "graphene_django_graphiql_static", "static", "graphene_django_graphiql_static"
        )
        routes += [
            Route("/graphql", _graphiql, methods=["GET"]),
            Mount(GRAPHIQL_ASSETS, StaticFiles(directory=assets)),
        ]
    return routes


def _same_origin(page: HTMLResponse) -> Response:
    page.headers.update(SAME_ORIGIN_ONLY)
    return page


async def _graphiql(request: Request) -> Response:
    root = request.scope.get("root_path", "")
    page = GRAPHIQL_PAGE.replace("{assets}", f"{root}{GRAPHIQL_ASSETS}")
    return HTMLResponse(page, headers=SAME_ORIGIN_ONLY)


# strawberry's GraphiQL page, adapted to the GraphiQL 2 and React 17 builds the package ships:
# ReactDOM.render instead of createRoot, no explorer plugin, no cookies script, no
# subscription URL (the hub serves no subscriptions yet).
GRAPHIQL_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Supply Hub GraphiQL</title>
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    <link rel="stylesheet" href="{assets}/graphiql.min.css" />
    <script src="{assets}/react.production.min.js"></script>
    <script src="{assets}/react-dom.production.min.js"></script>
    <script src="{assets}/graphiql.min.js"></script>
  </head>
  <body>
    <div id="graphiql">Loading...</div>
    <script>
      const EXAMPLE_QUERY = `# Supply Hub GraphQL. Under Headers below, add
#   {"Authorization": "Bearer <token>"}
# (a token from: supplyhub token create --role buyer),
# re-fetch the schema (the arrows on the left), then run.
{
  purchaseOrders(first: 5) {
    items { number supplier revision status needsAction }
  }
}
`;
      const parameters = {};
      for (const entry of window.location.search.slice(1).split("&")) {
        const eq = entry.indexOf("=");
        if (eq >= 0) {
          parameters[decodeURIComponent(entry.slice(0, eq))] =
            decodeURIComponent(entry.slice(eq + 1));
        }
      }
      function updateURL(data) {
        Object.assign(parameters, data);
        const search = Object.keys(parameters)
          .filter((key) => Boolean(parameters[key]))
          .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
          .join("&");
        history.replaceState(null, null, "?" + search);
      }
      const fetcher = GraphiQL.createFetcher({ url: window.location.href.split("?")[0] });
      ReactDOM.render(
        React.createElement(GraphiQL, {
          fetcher: fetcher,
          defaultEditorToolsVisibility: true,
          query: parameters.q || EXAMPLE_QUERY,
          variables: parameters.variables,
          onEditQuery: (query) => updateURL({ q: query }),
          onEditVariables: (variables) => updateURL({ variables: variables }),
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        }),
        document.getElementById("graphiql"),
      );
    </script>
  </body>
</html>
"""
