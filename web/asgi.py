"""The web app for a worker process of `cascade serve --workers N`: each worker builds its
own App from the environment (the composition root), as the command that started it did, and
ends when that command's process dies (cascade.lifeline), so the port is never left held."""

from __future__ import annotations

from starlette.applications import Starlette


def app() -> Starlette:
    """uvicorn's factory (`web.asgi:app`, factory=True), called in the worker once uvicorn
    handles its signals: SIGTERM there is a graceful shutdown."""
    from cascade.bootstrap import build_app
    from cascade.lifeline import tie_worker_to_serve
    from web.app import create_app

    tie_worker_to_serve()
    application = build_app()
    return create_app(application, on_shutdown=[application.close])
