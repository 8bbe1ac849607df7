"""The web app for a worker process of `cascade serve --workers N`: each worker builds its
own App from the environment (the composition root), as the command that started it did."""

from __future__ import annotations

from starlette.applications import Starlette


def app() -> Starlette:
    """uvicorn's factory (`web.asgi:app`, factory=True)."""
    from cascade.bootstrap import build_app
    from web.app import create_app

    application = build_app()
    return create_app(application, on_shutdown=[application.close])
