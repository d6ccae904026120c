"""Reading the monitoring stream from a NATS JetStream durable pull consumer (issue 19).

For deployments where a monitoring tool already publishes posts to a message bus. Each message
body is one post as JSON (`{"platform", "post_id", "author", "text", ...}`), a JSON array of
posts, or NDJSON (one post a line). The consumer fetches a batch, hands its posts to the ingest
use case (one transaction per ingest batch) and acks the messages ONLY AFTER that returned, so
every commit precedes its ack:

- a crash (kill -9, power cut) before the ack leaves the messages unacknowledged: JetStream
  redelivers them after `ack_wait`, and the ingest's keyed-hash dedupe takes the posts already
  committed as duplicates: nothing lost, nothing doubled;
- a message that cannot be read (not JSON, a post without an author...) is terminated (`term`:
  never redelivered) after its reason, without its content, is in the audit log; it never
  blocks the stream;
- a database outage (`StorageUnavailable`) naks the batch with a delay and pauses fetching: the
  posts wait in the stream, nothing is acked;
- SIGTERM finishes the batch in hand, acks it, gives back (nak, no delay) what was fetched
  ahead, and returns: the process exits 0.

Scaling out: any number of processes, on any machines, bind the same durable; JetStream hands
each fetch different messages (`docs/monitoring.md`). While a batch is being stored, the
messages in hand are marked in progress every half `ack_wait`, so a slow batch is not
redelivered to another consumer meanwhile.

nats-py is asyncio; the ingest (scoring, the database) is synchronous and runs in a thread so
the connection keeps answering the server's pings. The next batch is fetched while the current
one is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import nats
import nats.errors
import nats.js.errors
import structlog
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StorageType, StreamConfig

from lifeline.adapters.intake.stream_messages import parse_message
from lifeline.domain.errors import DomainError
from lifeline.domain.monitoring import IngestResult, InvalidPost, MonitoringPost
from lifeline.services.ports import StorageUnavailable

log = structlog.get_logger("lifeline.nats")

#: the ingest use case for one batch of posts (committed when it returns)
Ingest = Callable[[list[MonitoringPost]], IngestResult]
#: records messages that were terminated: (message id, reason), no content
Reject = Callable[[list[tuple[str, str]]], None]

#: how long a message that failed for an unexpected reason (a bug) waits before it is redelivered
RETRY_AFTER_ERROR_SECONDS = 60.0
#: the longest pause after an outage before fetching again
MAX_OUTAGE_PAUSE_SECONDS = 30.0


class StreamSetupError(DomainError):
    """The NATS server, stream or durable consumer cannot be used as asked; says how to fix."""

    code = "nats_setup"


@dataclass(frozen=True)
class NatsOptions:
    url: str
    subject: str
    durable: str
    #: the stream holding `subject` (None: the server finds it by subject)
    stream: str | None = None
    #: messages fetched (and acked) together
    batch: int = 500
    #: how long one fetch waits for messages when the stream is empty
    fetch_timeout: float = 1.0
    #: for a durable this consumer creates: redelivery after this many seconds without an ack
    ack_wait: float = 60.0
    #: for a durable this consumer creates: messages in hand, all consumers together
    max_ack_pending: int = 20_000
    #: create the stream (file storage, work-queue retention) if no stream holds the subject
    create_stream: bool = False
    #: return once a fetch finds the stream empty (a one-off catch-up, tests, benchmarks)
    exit_when_idle: bool = False
    connect_timeout: float = 5.0

    def __post_init__(self) -> None:
        for name in ("url", "subject", "durable"):
            if not str(getattr(self, name)).strip():
                raise StreamSetupError(f"--{name} is empty")
        if not self.url.startswith(("nats://", "tls://", "ws://", "wss://")):
            raise StreamSetupError(f"{self.url!r} is not a NATS URL (nats://host:4222)")
        if any(c in self.durable for c in ". *>\t"):
            raise StreamSetupError(
                f"durable name {self.durable!r} may not contain '.', '*', '>' or spaces"
            )
        if not 1 <= self.batch <= 10_000:
            raise StreamSetupError(f"batch {self.batch} is out of range: 1 to 10000")
        if self.ack_wait < 1:
            raise StreamSetupError("ack_wait must be at least 1 second")
        if self.max_ack_pending < self.batch:
            raise StreamSetupError(
                f"max_ack_pending {self.max_ack_pending} is below the batch ({self.batch})"
            )


@dataclass
class StreamStats:
    """What a consumer did since it started."""

    messages: int = 0
    posts: int = 0
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    #: messages terminated as unreadable
    rejected: int = 0
    #: messages given back (nak) after an outage or error, to be redelivered
    retried: int = 0
    batches: int = 0
    started: float = field(default_factory=time.monotonic)
    #: when the first batch arrived and the last was acked (the busy span: throughput)
    first: float | None = None
    last: float | None = None

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    @property
    def posts_per_second(self) -> float:
        if self.first is None or self.last is None or self.last <= self.first:
            return 0.0
        return self.posts / (self.last - self.first)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("started", "first", "last"):
            data.pop(name)
        data["seconds"] = round(self.seconds, 3)
        data["posts_per_second"] = round(self.posts_per_second, 1)
        return data


def message_id(msg: Msg) -> str:
    """Where a message is in its stream (for the audit log: never its content)."""
    try:
        meta = msg.metadata
    except Exception:  # not a JetStream message: no sequence to name
        return msg.subject
    return f"{meta.stream}#{meta.sequence.stream}"


class NatsConsumer:
    """One consumer process's loop over a durable pull consumer (see the module docstring)."""

    def __init__(
        self,
        options: NatsOptions,
        ingest: Ingest,
        reject: Reject,
        progress: Callable[[StreamStats], None] | None = None,
    ) -> None:
        self.options, self.ingest, self.reject, self.progress = options, ingest, reject, progress
        self.stats = StreamStats()
        self._in_hand: list[Msg] = []

    # -- setup -------------------------------------------------------------------------------
    async def _connect(self) -> NATS:
        # Reconnects forever once connected (a NATS restart must not stop the consumer), but the
        # first connection is bounded: nats-py would otherwise retry it forever, silently.
        wait = self.options.connect_timeout * 3
        try:
            return await asyncio.wait_for(
                nats.connect(
                    self.options.url,
                    connect_timeout=self.options.connect_timeout,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    name=f"lifeline-monitor-{self.options.durable}",
                ),
                wait,
            )
        except TimeoutError:
            raise StreamSetupError(
                f"cannot connect to NATS at {self.options.url} within {wait:.0f} s"
            ) from None
        except Exception as exc:  # refused, DNS, TLS: the message says which
            raise StreamSetupError(
                f"cannot connect to NATS at {self.options.url}: {exc or type(exc).__name__}"
            ) from None

    async def _stream(self, js: JetStreamContext) -> str:
        o = self.options
        try:
            if o.stream is not None:
                info = await js.stream_info(o.stream)
                subjects = info.config.subjects or []
                if not any(_covers(s, o.subject) for s in subjects):
                    raise StreamSetupError(
                        f"stream {o.stream} holds {', '.join(subjects) or 'no subjects'}, "
                        f"not {o.subject}"
                    )
                return o.stream
            return await js.find_stream_name_by_subject(o.subject)
        except nats.js.errors.NotFoundError:
            if not o.create_stream:
                which = f"stream {o.stream}" if o.stream else f"no stream holds {o.subject}"
                raise StreamSetupError(
                    f"{which} on {o.url}: create it (nats stream add --subjects "
                    f"'{o.subject}') or pass --create-stream"
                ) from None
        except nats.errors.NoRespondersError:
            raise StreamSetupError(f"JetStream is not enabled on {o.url}") from None
        name = o.stream or "MONITORING"
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=[o.subject],
                retention=RetentionPolicy.WORK_QUEUE,
                storage=StorageType.FILE,
            )
        )
        log.info("nats.stream_created", stream=name, subject=o.subject)
        return name

    async def _subscribe(self, js: JetStreamContext) -> JetStreamContext.PullSubscription:
        o = self.options
        stream = await self._stream(js)
        try:
            info = await js.consumer_info(stream, o.durable)
        except nats.js.errors.NotFoundError:
            info = None
        if info is not None:
            if info.config.ack_policy != AckPolicy.EXPLICIT:
                raise StreamSetupError(
                    f"durable {o.durable} on {stream} acks {info.config.ack_policy}; the "
                    "monitoring consumer needs explicit acks (ack after commit): delete it or "
                    "use another --durable"
                )
            if info.config.deliver_subject:
                raise StreamSetupError(f"durable {o.durable} on {stream} is a push consumer")
            filters = info.config.filter_subject
            if filters and filters != o.subject:
                raise StreamSetupError(
                    f"durable {o.durable} on {stream} reads {filters}, not {o.subject}"
                )
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=o.ack_wait,
            max_ack_pending=o.max_ack_pending,
            max_deliver=-1,  # a post is never dropped after N tries (an outage may be long)
        )
        sub = await js.pull_subscribe(o.subject, durable=o.durable, stream=stream, config=config)
        consumer = await sub.consumer_info()
        log.info(
            "nats.consuming",
            stream=stream,
            durable=o.durable,
            subject=o.subject,
            ack_wait=consumer.config.ack_wait,
            max_ack_pending=consumer.config.max_ack_pending,
            num_pending=consumer.num_pending,
        )
        return sub

    # -- the loop ----------------------------------------------------------------------------
    def run_until_signalled(self) -> StreamStats:
        """Run in this thread until SIGTERM or SIGINT (then finish the batch in hand)."""

        async def main() -> StreamStats:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            return await self.run(stop)

        return asyncio.run(main())

    async def run(self, stop: asyncio.Event) -> StreamStats:
        """Consume until `stop` is set (or, with `exit_when_idle`, the stream is empty)."""
        self.stats = StreamStats()
        nc = await self._connect()
        try:
            sub = await self._subscribe(nc.jetstream())
            ahead: asyncio.Task[list[Msg]] | None = asyncio.create_task(self._fetch(sub))
            while ahead is not None:
                msgs = await ahead
                ahead = None
                if stop.is_set():
                    await self._give_back(msgs)
                    break
                if not msgs:
                    if self.options.exit_when_idle:
                        break
                    ahead = asyncio.create_task(self._fetch(sub))
                    continue
                ahead = asyncio.create_task(self._fetch(sub))
                pause = await self._handle(nc, msgs)
                if pause:
                    # the prefetched batch goes back untouched, and fetching waits out the outage
                    await self._give_back(await ahead)
                    ahead = None
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), pause)
                    if not stop.is_set():
                        ahead = asyncio.create_task(self._fetch(sub))
            await self._flush(nc)  # every ack and nak is with the server
        finally:
            # close, not drain: what was fetched and not handled is redelivered anyway, and a
            # drain waits for the pull subscription's open request to expire
            with contextlib.suppress(Exception):
                await nc.close()
        return self.stats

    async def _fetch(self, sub: JetStreamContext.PullSubscription) -> list[Msg]:
        try:
            msgs = await sub.fetch(self.options.batch, timeout=self.options.fetch_timeout)
        except (TimeoutError, nats.errors.TimeoutError):
            return []
        except nats.js.errors.APIError as exc:  # the durable deleted under us, the stream gone
            raise StreamSetupError(f"fetching from durable {self.options.durable}: {exc}") from None
        self._in_hand.extend(msgs)
        return msgs

    async def _give_back(self, msgs: Sequence[Msg]) -> None:
        for msg in msgs:
            await msg.nak()
        self._release(msgs)

    def _release(self, msgs: Sequence[Msg]) -> None:
        done = {id(m) for m in msgs}
        self._in_hand = [m for m in self._in_hand if id(m) not in done]

    async def _handle(self, nc: NATS, msgs: list[Msg]) -> float:
        """Store one batch and ack it; the pause before the next fetch (0: none)."""
        good: list[tuple[Msg, list[MonitoringPost]]] = []
        bad: list[tuple[Msg, str]] = []
        for msg in msgs:
            try:
                good.append((msg, parse_message(msg.data)))
            except InvalidPost as exc:
                bad.append((msg, str(exc)))
        if self.stats.first is None:
            self.stats.first = time.monotonic()
        self.stats.messages += len(msgs)
        self.stats.batches += 1
        pause = 0.0
        if bad:
            pause = await self._terminate(bad)
        if good:
            posts = [post for _, group in good for post in group]
            try:
                result = await self._while_in_progress(self.ingest, posts)
            except StorageUnavailable as exc:
                log.warning("nats.storage_unavailable", reason=exc.reason, messages=len(good))
                await self._retry([m for m, _ in good], exc.retry_after)
                pause = max(pause, min(float(exc.retry_after), MAX_OUTAGE_PAUSE_SECONDS))
            except Exception:
                log.exception("nats.batch_failed", messages=len(good))
                pause = max(pause, await self._one_by_one(good))
            else:
                await self._ack([m for m, _ in good], result, len(posts))
        await self._flush(nc)
        self._release(msgs)
        self.stats.last = time.monotonic()
        if self.progress is not None:
            self.progress(self.stats)
        return pause

    async def _flush(self, nc: NATS) -> None:
        """Push the acks out now. If the connection is down they go when it is back (nats-py
        buffers them while it reconnects); an ack lost for good means a redelivery, which the
        dedupe takes as a duplicate."""
        try:
            await nc.flush()
        except (TimeoutError, nats.errors.Error) as exc:
            log.warning("nats.flush_failed", error=type(exc).__name__)

    async def _ack(self, msgs: Sequence[Msg], result: IngestResult, posts: int) -> None:
        for msg in msgs:  # the ingest returned: its transactions are committed
            await msg.ack()
        self.stats.posts += posts
        self.stats.accepted += result.accepted
        self.stats.duplicates += result.duplicates
        self.stats.flagged += result.flagged

    async def _retry(self, msgs: Sequence[Msg], delay: float) -> None:
        for msg in msgs:
            await msg.nak(delay=delay)
        self.stats.retried += len(msgs)

    async def _terminate(self, bad: list[tuple[Msg, str]]) -> float:
        reasons = [(message_id(msg), reason) for msg, reason in bad]
        for ident, reason in reasons:
            log.warning("nats.message_rejected", message=ident, reason=reason)
        try:
            await self._while_in_progress(self.reject, reasons)
        except StorageUnavailable as exc:  # not audited yet: terminated later
            await self._retry([m for m, _ in bad], exc.retry_after)
            return min(float(exc.retry_after), MAX_OUTAGE_PAUSE_SECONDS)
        for msg, _ in bad:
            await msg.term()
        self.stats.rejected += len(bad)
        return 0.0

    async def _one_by_one(self, good: list[tuple[Msg, list[MonitoringPost]]]) -> float:
        """After an unexpected error: each message alone, so one post that trips a bug holds
        back only its own message (redelivered later), not the stream."""
        pause = 0.0
        for msg, posts in good:
            try:
                result = await self._while_in_progress(self.ingest, posts)
            except StorageUnavailable as exc:
                await self._retry([msg], exc.retry_after)
                pause = min(float(exc.retry_after), MAX_OUTAGE_PAUSE_SECONDS)
            except Exception:
                log.exception("nats.message_failed", message=message_id(msg))
                await self._retry([msg], RETRY_AFTER_ERROR_SECONDS)
            else:
                await self._ack([msg], result, len(posts))
        return pause

    async def _while_in_progress(self, work: Callable[[Any], Any], arg: Any) -> Any:
        """`work(arg)` in a thread; meanwhile every message in hand (this batch and the one
        fetched ahead) is marked in progress every half ack_wait, so none is redelivered to
        another consumer while this one is still storing it."""
        task = asyncio.ensure_future(asyncio.to_thread(work, arg))
        every = max(self.options.ack_wait / 2, 0.5)
        while True:
            done, _ = await asyncio.wait({task}, timeout=every)
            if done:
                return task.result()
            for msg in list(self._in_hand):
                with contextlib.suppress(Exception):
                    await msg.in_progress()


def _covers(pattern: str, subject: str) -> bool:
    """Whether the NATS subject `pattern` (with * and > wildcards) matches all of `subject`."""
    want, have = pattern.split("."), subject.split(".")
    for i, part in enumerate(want):
        if part == ">":
            return len(have) > i
        if i >= len(have) or part not in ("*", have[i]):
            return False
    return len(want) == len(have)
