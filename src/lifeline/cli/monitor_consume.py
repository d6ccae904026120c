"""`lifeline monitor consume`: the monitoring stream from a NATS JetStream durable pull consumer
(adapters/intake/nats_stream.py; docs/monitoring.md, "NATS")."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from lifeline.cli.common import JsonOpt, emit, err, fail, load_app, out
from lifeline.cli.monitor import monitor_app
from lifeline.domain.errors import DomainError

if TYPE_CHECKING:
    from lifeline.adapters.intake.nats_stream import StreamStats


class _Reporter:
    """Prints the running counts on stderr at most every `every` seconds."""

    def __init__(self, every: float) -> None:
        self.every, self.last = every, time.monotonic()

    def __call__(self, stats: StreamStats) -> None:
        now = time.monotonic()
        if self.every <= 0 or now - self.last < self.every:
            return
        self.last = now
        d = stats.as_dict()
        err.print(
            f"{d['posts']} posts ({d['posts_per_second']}/s) from {d['messages']} messages: "
            f"{d['accepted']} new, {d['duplicates']} duplicates, {d['flagged']} flagged, "
            f"{d['rejected']} rejected, {d['retried']} given back",
            highlight=False,
        )


@monitor_app.command("consume")
def consume(
    nats_url: Annotated[
        str | None,
        typer.Option("--nats", help="NATS URL (LIFELINE_MONITORING_NATS_URL)."),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(help="Subject posts are published on (LIFELINE_MONITORING_NATS_SUBJECT)."),
    ] = None,
    durable: Annotated[
        str | None,
        typer.Option(
            help="Durable pull consumer; processes on one durable share the work "
            "(LIFELINE_MONITORING_NATS_DURABLE)."
        ),
    ] = None,
    stream: Annotated[
        str | None,
        typer.Option(help="Stream holding the subject (default: found by subject)."),
    ] = None,
    batch: Annotated[int, typer.Option(help="Messages fetched and acked together.")] = 500,
    ack_wait: Annotated[
        float,
        typer.Option(help="Seconds before an unacked message is redelivered (new durable)."),
    ] = 60.0,
    create_stream: Annotated[
        bool, typer.Option(help="Create a work-queue stream if no stream holds the subject.")
    ] = False,
    exit_when_idle: Annotated[
        bool, typer.Option(help="Exit 0 once the stream has nothing more to fetch.")
    ] = False,
    report_every: Annotated[
        float, typer.Option(help="Seconds between counts on stderr (0: none).")
    ] = 10.0,
    as_json: JsonOpt = False,
) -> None:
    """Take in posts from a NATS JetStream durable pull consumer (acked after commit).

    Scores and stores each batch like `monitor ingest`, and acks a message only after its
    posts are committed. Runs until SIGTERM (the batch in hand is finished and acked), then
    prints the totals."""
    lifeline = load_app()
    s = lifeline.settings
    subject = subject or s.monitoring_nats_subject
    if not subject:
        problem = DomainError("--subject is required (or LIFELINE_MONITORING_NATS_SUBJECT)")
        raise fail(problem, as_json)
    try:
        consumer = lifeline.nats_consumer(
            _Reporter(report_every),
            url=nats_url or s.monitoring_nats_url,
            subject=subject,
            durable=durable or s.monitoring_nats_durable,
            stream=stream or s.monitoring_nats_stream,
            batch=batch,
            ack_wait=ack_wait,
            create_stream=create_stream,
            exit_when_idle=exit_when_idle,
        )
        # the model loads before the first fetch (ack_wait runs from delivery); the resolver is
        # never used here (places are resolved by the workers' jobs)
        lifeline.warm_up(locator=False)
        stats = consumer.run_until_signalled()
    except DomainError as exc:
        raise fail(exc, as_json) from None
    finally:
        lifeline.dispose()
    totals = stats.as_dict()
    if as_json:
        emit(totals)
    else:
        out.print(
            f"stopped: {totals['posts']} posts from {totals['messages']} messages in "
            f"{totals['seconds']} s ({totals['posts_per_second']}/s); {totals['accepted']} new, "
            f"{totals['duplicates']} duplicates, {totals['flagged']} flagged, "
            f"{totals['rejected']} rejected",
            highlight=False,
        )
