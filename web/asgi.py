"""The web app for a worker process of `cascade serve --workers N`: each worker builds its
own App from the environment (the composition root), as the command that started it did, and
ends when that command's process dies (cascade.lifeline), so the port is never left held."""

from __future__ import annotations

import logging
import sys

import jinja2
from starlette.applications import Starlette

log = logging.getLogger("cascade.web")

# How long a thread may hold the GIL while another waits for it (CPython's default is 5 ms). A
# click's thread gives the GIL up at each database call and waits to get it back behind a page
# being rendered: at 5 ms a turn, a click of ten calls waited up to 50 ms behind the board.
SWITCH_SECONDS = 0.0002


def app() -> Starlette:
    """uvicorn's factory (`web.asgi:app`, factory=True), called in the worker once uvicorn
    handles its signals: SIGTERM there is a graceful shutdown."""
    from cascade.bootstrap import build_app
    from cascade.lifeline import tie_worker_to_serve
    from web.app import create_app

    tie_worker_to_serve()
    sys.setswitchinterval(SWITCH_SECONDS)
    application = build_app()
    return warm(create_app(application, on_shutdown=[application.close]))


def warm(web: Starlette) -> Starlette:
    """Compile every page template before the process serves: otherwise the first requests
    after each start pay for it (some 0.8 s of CPU for the 26 pages on a loaded machine). A
    template that does not compile is left to fail where it is used, as it would have."""
    envs = {id(env): env for route in web.routes
            if isinstance(env := getattr(getattr(getattr(route, "endpoint", None), "__self__",
                                                 None), "env", None), jinja2.Environment)}
    for env in envs.values():
        for name in env.list_templates(extensions=["html"]):
            try:
                env.get_template(name)
            except jinja2.TemplateError as exc:
                log.warning("template %s: %s", name, exc)
    return web
