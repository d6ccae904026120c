"""`lifeline monitor ingest FILE|-`: the monitoring stream from NDJSON (one post a line, the
fields of `POST /api/v1/monitoring/posts`), in batches of LIFELINE_MONITORING_BATCH_SIZE."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from lifeline.cli import jsonl
from lifeline.cli.common import JsonOpt, app, cli_actor, emit, err, fail, load_app, out
from lifeline.domain.errors import DomainError
from lifeline.domain.monitoring import InvalidPost, MonitoringPost

if TYPE_CHECKING:
    from lifeline.domain.monitoring import IngestResult

monitor_app = typer.Typer(help="The SMC's own monitoring stream.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")

#: progress goes to stderr at most this often (seconds), once a file is past one batch
PROGRESS_EVERY = 2.0


class BadLine(DomainError):
    """A line of the input that is not a post; names the line."""

    code = "invalid_post"


def read_posts(stream: IO[bytes]) -> Iterator[MonitoringPost]:
    """The posts of NDJSON, one a line (blank lines skipped); BadLine names the first bad
    line and what is wrong with it."""
    for number, raw in jsonl.lines(stream):
        data, problem = jsonl.parse(raw, number)
        if problem is not None:
            raise BadLine(f"line {number}: {problem['error']['message']}")
        try:
            yield MonitoringPost.from_mapping(data)
        except InvalidPost as exc:
            raise BadLine(f"line {number}: {exc.field}: {exc.problem}") from None


class Progress:
    """Running totals, shown on stderr every PROGRESS_EVERY seconds after the first batch
    (a file of one batch prints nothing here)."""

    def __init__(self) -> None:
        self.posts = 0
        self.first: tuple[float, int] | None = None
        self.shown = 0.0

    def __call__(self, total: IngestResult) -> None:
        self.posts = total.accepted + total.duplicates
        now = time.monotonic()
        if self.first is None:
            self.first, self.shown = (now, self.posts), now
            return
        if now - self.shown >= PROGRESS_EVERY:
            self.shown = now
            rate = (self.posts - self.first[1]) / max(now - self.first[0], 1e-9)
            err.print(
                f"{self.posts} posts: {total.accepted} new, {total.duplicates} duplicates, "
                f"{total.flagged} flagged ({rate:.0f} posts/s)"
            )


@monitor_app.command("ingest")
def monitor_ingest(
    source: Annotated[str, typer.Argument(help="NDJSON file of posts, or - for standard input")],
    as_json: JsonOpt = False,
) -> None:
    """Score posts and keep what monitoring keeps: flagged posts become monitoring cases for
    review, duplicates are skipped. A file is checked whole first (a bad line stores nothing);
    from standard input, batches before a bad line are kept (running again skips them)."""
    path = None if source == "-" else Path(source)
    if path is not None and not path.is_file():
        raise fail(FileNotFoundError(f"no such file: {source}"), as_json)
    try:
        if path is not None:
            with path.open("rb") as stream:
                for _ in read_posts(stream):
                    pass
    except DomainError as exc:
        raise fail(exc, as_json) from None
    lifeline = load_app()
    # imported here: the service pulls in the intake and triage use cases (the CLI starts fast)
    from lifeline.services.monitoring.ingest import ingest_posts  # noqa: PLC0415
    from lifeline.services.monitoring.read_models import IngestRead  # noqa: PLC0415

    progress = Progress()

    try:
        if path is None:
            result = ingest_posts(
                lifeline.ctx, read_posts(sys.stdin.buffer), actor=cli_actor(), progress=progress
            )
        else:
            with path.open("rb") as stream:
                result = ingest_posts(
                    lifeline.ctx, read_posts(stream), actor=cli_actor(), progress=progress
                )
    except BadLine as exc:
        done = progress.posts
        raise fail(
            BadLine(
                f"{exc}; stopped there: the {done} posts of the batches before it were taken "
                "(running again skips them)"
            ),
            as_json,
        ) from None
    except DomainError as exc:
        raise fail(exc, as_json) from None
    finally:
        lifeline.dispose()
    read = IngestRead.of(result)
    if as_json:
        emit(read.model_dump(mode="json"))
        return
    out.print(
        f"{read.accepted} new posts, {read.duplicates} duplicates, {read.flagged} flagged"
        + (f": cases {', '.join(map(str, read.case_ids))}" if read.case_ids else "")
    )
