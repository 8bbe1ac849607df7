"""Giao việc mới: upload or paste -> the review page (one row per assignment, every flag shown,
every unresolved name settled once) -> the preview (tasks per body and per item, yearly days
still to choose) -> launch with a confirmation (web/console/preview.py). The draft lives in the database
(services.drafts), so it survives a reload and a logout. A PDF or a scan is never opened in
the web worker: it is read in the background by a child process (services.draft_jobs), the
upload answers with a progress page that refreshes itself (a meta refresh, no script), offers
to discard the reading, and goes on to the review when the document is read."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from starlette.responses import Response

from models.db import unit_of_work
from models.vocabulary import sentence
from services import documents, draft_jobs, drafts, review
from web.console.guard import Ctx, redirect
from web.console.pages import Pages

ROLES = review.ROLES
REFRESH_SECONDS = 2  # how often the progress page of a scan refreshes itself


def job_spec(app: Any, job_id: int, claim: str,
             bounds: draft_jobs.Bounds | None = None) -> draft_jobs.Spec:
    """What the child process reading a job needs from the App (absolute paths: it may start
    elsewhere)."""
    s = app.settings
    return draft_jobs.Spec(
        job_id=job_id, claim=claim, database_url=s.database_url, busy_seconds=s.db_busy_seconds,
        registry_paths=tuple(str(Path(p).resolve())
                             for p in (s.registry_path, s.local_registry_path)),
        max_bytes=s.upload_max_bytes,
        cache_dir=str(draft_jobs.ocr_cache_dir(s.data_dir).resolve()),
        at=app.clock().isoformat(), parent=os.getpid(), bounds=bounds or draft_jobs.Bounds())


class Drafts:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.app = pages.app

    def _render(self, ctx: Ctx, name: str, code: int = 200, **context: Any) -> Response:
        return self.pages.render(ctx, name, code, **context)

    # GET /directives/new
    def new(self, ctx: Ctx, *, error: str | None = None, code: int = 200) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            open_ = drafts.open_drafts(session, ctx.user.user_id)
            reading = draft_jobs.open_jobs(session, ctx.user.user_id)
        return self._render(ctx, "console/new.html", code, page="new", drafts=open_, error=error,
                            reading=reading,
                            max_mb=self.app.settings.upload_max_bytes // (1024 * 1024))

    # POST /directives/new
    def create(self, ctx: Ctx) -> Response:
        upload = ctx.files.get("document")
        text = ctx.form.get("text") or None
        name = upload[0] if upload else "văn bản dán vào"
        registry = self.app.registry
        suffix = draft_jobs.job_suffix(upload[1], self.app.settings.upload_max_bytes) \
            if upload else None
        if upload and suffix:
            return self._read_scan(ctx, name, upload[1], suffix)
        try:
            aliases: dict[str, str] = {}  # remembered decisions are suggestions, in the review
            drafted = drafts.draft_from(upload[1] if upload else None, None if upload else text,
                                        name, registry, aliases, self.app.settings.upload_max_bytes)
        except (drafts.UploadRefused, review.AliasError) as exc:
            return self.new(ctx, error=sentence(str(exc)) + " Chưa lưu gì.", code=400)
        staged = None
        try:
            # copied into the store before the write begins: no writer waits on the copy
            staged = self.app.files.stage(io.BytesIO(upload[1])) if upload else None
            with unit_of_work(self.app.engine) as session:
                row = drafts.start_draft(session=session, user_id=ctx.user.user_id,
                                         draft=drafted, name=name, at=ctx.at)
                if upload:  # kept with the directive once launched
                    documents.keep_upload(session=session, store=self.app.files,
                                          draft_id=int(row.id or 0), name=name, data=upload[1],
                                          user_id=ctx.user.user_id, at=ctx.at, staged=staged)
        except OSError:  # the file store could not write (a full disk): the draft is not kept
            return self.new(ctx, error=documents.NOT_STORED, code=503)
        finally:
            if staged is not None:  # what no transaction named
                self.app.files.discard(staged)
        return redirect(f"/drafts/{row.id}")

    def _read_scan(self, ctx: Ctx, name: str, data: bytes, suffix: str) -> Response:
        """Keep the scan in the database, read it in the background, show its progress. The
        document is kept too: its draft claims it when the scan is read."""
        staged = None
        try:
            staged = self.app.files.stage(io.BytesIO(data))  # before the write begins
            with unit_of_work(self.app.engine) as session:
                job = draft_jobs.submit(session, user_id=ctx.user.user_id, name=name, data=data,
                                        suffix=suffix, at=ctx.at)
                job_id, claim = int(job.id or 0), job.claim
                documents.keep_upload(session=session, store=self.app.files, draft_id=None,
                                      name=name, data=data, user_id=ctx.user.user_id, at=ctx.at,
                                      staged=staged)
        except OSError:  # the file store could not write (a full disk): nothing is kept
            return self.new(ctx, error=documents.NOT_STORED, code=503)
        finally:
            if staged is not None:
                self.app.files.discard(staged)
        self._start(job_id, claim)
        return redirect(f"/drafts/jobs/{job_id}")

    def _start(self, job_id: int, claim: str) -> None:
        draft_jobs.start(job_spec(self.app, job_id, claim), engine=self.app.engine,
                         clock=self.app.clock)

    # GET /drafts/jobs/{id}
    def job(self, ctx: Ctx) -> Response:
        """A scan being read: its progress (the page refreshes itself), then the review."""
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                job = draft_jobs.get_job(session, ctx.user.user_id, int(ctx.param("job_id")))
        except draft_jobs.JobNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        if job.status == draft_jobs.DONE:
            return redirect(f"/drafts/{job.draft_id}")
        if job.status == draft_jobs.READING:
            claim = draft_jobs.take_over(self.app.engine, job, ctx.at)
            if claim:  # its reader is gone (a restart): read it here
                self._start(int(job.id or 0), claim)
        if job.status == draft_jobs.CANCELLED:
            return redirect("/directives/new")
        failed = job.status == draft_jobs.FAILED
        return self._render(ctx, "console/reading.html", 400 if failed else 200, page="new",
                            job=job, failed=failed, refresh=REFRESH_SECONDS)

    # POST /drafts/jobs/{id}/discard
    def discard_job(self, ctx: Ctx) -> Response:
        """Stop reading: the job is cancelled in the database, its process killed."""
        try:
            draft_jobs.cancel(self.app.engine, user_id=ctx.user.user_id,
                              job_id=int(ctx.param("job_id")), at=ctx.at)
        except draft_jobs.JobNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        return redirect("/directives/new")

    def _load(self, ctx: Ctx) -> Any:
        with unit_of_work(self.app.engine, write=False) as session:
            return drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))

    # POST /drafts/{id}/discard
    def discard(self, ctx: Ctx) -> Response:
        try:
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                drafts.discard_draft(session, row, ctx.at)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        return redirect("/directives/new")
