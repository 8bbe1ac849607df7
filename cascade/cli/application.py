"""The Typer application: every command, registered from the modules of this package."""

from __future__ import annotations

import typer

from cascade.cli import (
    backup,
    contacts,
    evaluate,
    follow,
    launching,
    mail,
    report,
    serve,
    setup,
    tasks,
    users,
)
from cascade.cli.i18n import install as _install_vietnamese

_install_vietnamese()

app = typer.Typer(
    help="directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["--help", "-h"]},
)


@app.callback()
def _root() -> None:
    """directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc."""


app.command()(setup.init)
app.add_typer(setup.bodies_app, name="bodies")
app.add_typer(users.users_app, name="users")
app.add_typer(contacts.contacts_app, name="contacts")
app.command()(launching.draft)
app.command()(launching.launch)
app.command()(tasks.status)
app.command()(tasks.task)
app.command()(tasks.history)
app.command()(follow.sweep)
app.command()(follow.digest)
app.command()(mail.dispatch)
app.command()(mail.outbox)
app.command()(report.report)
app.command()(evaluate.evaluate)
app.command()(serve.serve)
app.command()(serve.scheduler)
app.command()(backup.backup)
app.command()(backup.restore)
