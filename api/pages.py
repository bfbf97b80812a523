"""The pages a person opens (GraphiQL, Swagger UI, ReDoc), served with no CDN: their scripts
come from installed packages (docs/dependencies.md), so they work on a network with no internet."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

GRAPHIQL_ASSETS = "/static/graphiql"

# Swagger UI keeps the token across reloads and shows how long each call took.
SWAGGER_UI = {"persistAuthorization": True, "displayRequestDuration": True}


def documented_app(**kwargs: Any) -> FastAPI:
    """A FastAPI whose /docs and /redoc load their scripts from the fastapi-offline package."""
    return FastAPIOffline(swagger_ui_parameters=SWAGGER_UI, **kwargs)


def _graphiql_files() -> Path:
    # graphene-django-graphiql-static ships GraphiQL's built files as package data; its
    # package root imports nothing (no Django), so reading the files needs no framework.
    package = (
        files("graphene_django_graphiql_static") / "static" / "graphene_django_graphiql_static"
    )
    with as_file(package) as path:  # a real directory for a regular (unzipped) install
        return Path(path)


def graphiql_routes() -> list[Route | Mount]:
    """GET /graphql answers the GraphiQL page; its scripts are under /static/graphiql."""
    assets = StaticFiles(directory=_graphiql_files())
    return [
        Route("/graphql", _graphiql, methods=["GET"]),
        Mount(GRAPHIQL_ASSETS, app=assets, name="graphiql-assets"),
    ]


async def _graphiql(request: Request) -> Response:
    root = request.scope.get("root_path", "")
    return HTMLResponse(GRAPHIQL_PAGE.replace("{assets}", f"{root}{GRAPHIQL_ASSETS}"))


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
      const EXAMPLE_QUERY = `# Supply Hub GraphQL. Put your token in Headers below:
#   {"Authorization": "Bearer <token from: supplyhub token create --role buyer>"}
# Run with Ctrl-Enter or the play button.
{
  purchaseOrders(first: 5) {
    edges { node { number supplier status revision } }
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
