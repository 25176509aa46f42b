"""Jinja2 rendering for the HTML pages (autoescaped; templates live beside their package)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape


@lru_cache(maxsize=16)
def environment(package: str) -> Environment:
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(package: str, template: str, *, status: int = 200, **context: Any) -> web.Response:
    body = environment(package).get_template(template).render(**context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
