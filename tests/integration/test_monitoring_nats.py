"""`lifeline monitor consume`: the monitoring stream from a real NATS JetStream (127.0.0.1:4222)
into SQLite and PostgreSQL, with the real triage model.

What a deployment depends on: posts on the stream become cases and dedupe as over HTTP; a
message is acked only after its posts are committed, so a consumer killed mid-batch (kill -9)
and started again loses nothing and doubles nothing; consumers on one durable share the work;
SIGTERM finishes the batch in hand; an unreadable message is terminated, audited, and does not
hold up the rest. Each test has its own stream and subject, deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import ConsumerInfo
from sqlalchemy import func, select

from lifeline.adapters.db.tables import alerts, audit_log, monitoring_seen
from lifeline.adapters.intake.nats_stream import StreamSetupError, StreamStats
from lifeline.adapters.intake.stream_messages import parse_message
from lifeline.bootstrap import Lifeline
from lifeline.domain.alert import AlertSource
from lifeline.domain.monitoring import IngestResult, InvalidPost, MonitoringPost
from lifeline.services.monitoring.ingest import ingest_posts
from lifeline.services.ports import StorageUnavailable
from lifeline.settings import Settings

NATS_URL = os.environ.get("LIFELINE_TEST_NATS_URL", "nats://127.0.0.1:4222")
IDEATION = "I want to die, nothing matters anymore and I cannot go on"
HARMLESS = [
    "Beautiful sunset at Marine Drive today with friends",
    "match dekha kal, kya khela Kohli ne",
    "आज लखनऊ में बहुत बारिश हुई, सड़कें भर गईं",
]


def _nats_reachable() -> bool:
    host, _, port = NATS_URL.removeprefix("nats://").partition(":")
    try:
        with socket.create_connection((host, int(port or 4222)), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not _nats_reachable(), reason=f"NATS is not reachable at {NATS_URL} (CI runs nats-server)"
)


@dataclass(frozen=True)
class Stream:
    name: str
    subject: str
    durable: str = "lifeline"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _js_call(fn: Any) -> Any:
    nc = await nats.connect(NATS_URL)
    try:
        return await fn(nc.jetstream())
    finally:
        await nc.close()


@pytest.fixture
def stream() -> Iterator[Stream]:
    tag = uuid.uuid4().hex[:10]
    s = Stream(f"TEST_MON_{tag}", f"test.monitoring.{tag}")
    run(_js_call(lambda js: js.add_stream(name=s.name, subjects=[s.subject])))
    try:
        yield s
    finally:
        run(_js_call(lambda js: js.delete_stream(s.name)))


def publish(stream: Stream, bodies: list[bytes]) -> None:
    async def go(js: Any) -> None:
        acks = [await js.publish_async(stream.subject, body) for body in bodies]
        await asyncio.gather(*acks)

    run(_js_call(go))


def consumer_info(stream: Stream) -> ConsumerInfo:
    info: ConsumerInfo = run(_js_call(lambda js: js.consumer_info(stream.name, stream.durable)))
    return info


def post(i: int, text: str, author: str | None = None) -> bytes:
    body = {"platform": "x", "post_id": f"p{i}", "author": author or f"author{i % 7}", "text": text}
    return json.dumps(body, ensure_ascii=False).encode()


def mixed_posts(n: int) -> tuple[list[bytes], int]:
    """n posts, every 50th a first-person ideation post; and how many those are."""
    bodies = [post(i, IDEATION if i % 50 == 0 else f"{HARMLESS[i % 3]} #{i}") for i in range(n)]
    return bodies, len(range(0, n, 50))


def consume(app: Lifeline, stream: Stream, **options: Any) -> StreamStats:
    """One in-process consumer that returns once the stream is empty."""
    options = {"ack_wait": 3.0, "exit_when_idle": True, **options}
    consumer = app.nats_consumer(
        url=NATS_URL, subject=stream.subject, durable=stream.durable, **options
    )
    stats: StreamStats = run(consumer.run(asyncio.Event()))
    return stats


def counts(app: Lifeline) -> tuple[int, int, int]:
    """(posts seen, monitoring alerts, monitoring alerts for a post taken twice)."""
    with app.engine.connect() as conn:
        seen = conn.scalar(select(func.count()).select_from(monitoring_seen))
        monitoring = alerts.c.source == AlertSource.MONITORING.value
        made = conn.scalar(select(func.count()).select_from(alerts).where(monitoring))
        twice = select(alerts.c.reference).where(monitoring).group_by(alerts.c.reference)
        doubled = conn.scalar(
            select(func.count()).select_from(twice.having(func.count() > 1).subquery())
        )
    return int(seen or 0), int(made or 0), int(doubled or 0)


# -- in process -------------------------------------------------------------------------------


def test_posts_on_the_stream_become_cases_and_a_post_published_twice_is_taken_once(
    lifeline: Lifeline, stream: Stream
) -> None:
    bodies, flagged = mixed_posts(120)
    publish(stream, bodies)
    stats = consume(lifeline, stream)
    assert (stats.messages, stats.posts, stats.accepted, stats.flagged) == (120, 120, 120, flagged)
    assert counts(lifeline) == (120, flagged, 0)
    # the monitoring tool publishes some posts again (its own retry): duplicates, no new case
    publish(stream, bodies[:60])
    again = consume(lifeline, stream)
    assert (again.accepted, again.duplicates, again.flagged) == (0, 60, 0)
    assert counts(lifeline) == (120, flagged, 0)
    info = consumer_info(stream)
    assert (info.num_pending, info.num_ack_pending, info.num_redelivered) == (0, 0, 0)


def test_an_ndjson_message_carries_several_posts(lifeline: Lifeline, stream: Stream) -> None:
    publish(stream, [b"\n".join(post(i, HARMLESS[0]) for i in range(5)) + b"\n"])
    stats = consume(lifeline, stream)
    assert (stats.messages, stats.posts, stats.accepted) == (1, 5, 5)


def test_an_unreadable_message_is_terminated_and_audited_and_the_rest_are_taken(
    lifeline: Lifeline, stream: Stream
) -> None:
    secret = "Quiet evening reading Premchand at the Aminabad library"
    bad = [
        b"not json at all",
        json.dumps({"platform": "x", "post_id": "b1", "text": secret}).encode(),  # no author
        b'{"platform": "x", "post_id": "b2", "author": "a", "text": "ok"}\n{"oops"',
    ]
    publish(stream, [post(1, HARMLESS[0]), *bad, post(2, IDEATION)])
    stats = consume(lifeline, stream)
    assert (stats.messages, stats.rejected, stats.accepted, stats.flagged) == (5, 3, 2, 1)
    with lifeline.engine.connect() as conn:
        row = conn.execute(
            select(audit_log.c.details).where(audit_log.c.action == "monitoring.messages_rejected")
        ).one()
    details = row.details if isinstance(row.details, dict) else json.loads(row.details)
    assert details["count"] == 3
    reasons = [m["reason"] for m in details["messages"]]
    assert reasons[0].startswith("message: is not JSON")
    assert reasons[1] == "author: is required"
    assert reasons[2].startswith("line 2: is not JSON")
    assert all(m["message"].startswith(stream.name + "#") for m in details["messages"])
    assert secret not in json.dumps(details)  # the reason, never the content
    # terminated: never redelivered, nothing left in hand
    time.sleep(3.5)  # past ack_wait
    assert consume(lifeline, stream).messages == 0
    info = consumer_info(stream)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


class Crash(BaseException):
    """The process dying: nothing after it runs (not an Exception the consumer handles)."""


def test_a_crash_after_the_commit_and_before_the_ack_loses_and_doubles_nothing(
    lifeline: Lifeline, stream: Stream
) -> None:
    bodies, flagged = mixed_posts(300)
    publish(stream, bodies)
    consumer = lifeline.nats_consumer(
        url=NATS_URL, subject=stream.subject, durable=stream.durable, ack_wait=2.0, batch=300
    )

    committed: list[IngestResult] = []

    def commit_then_die(posts: list[MonitoringPost]) -> IngestResult:
        committed.append(ingest_posts(lifeline.ctx, posts))
        raise Crash

    consumer.ingest = commit_then_die
    with pytest.raises(Crash):
        run(consumer.run(asyncio.Event()))
    taken = committed[0].accepted
    assert taken > 0 and counts(lifeline)[0] == taken  # committed ...
    assert consumer_info(stream).num_ack_pending == 300  # ... and never acked
    time.sleep(2.5)  # ack_wait runs out: JetStream redelivers
    stats = consume(lifeline, stream)
    assert (stats.messages, stats.accepted, stats.duplicates) == (300, 300 - taken, taken)
    assert counts(lifeline) == (300, flagged, 0)
    info = consumer_info(stream)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


def test_an_outage_gives_the_batch_back_unacked_and_it_is_taken_when_the_database_is_back(
    lifeline: Lifeline, stream: Stream
) -> None:
    publish(stream, [post(i, HARMLESS[1]) for i in range(10)])
    consumer = lifeline.nats_consumer(
        url=NATS_URL, subject=stream.subject, durable=stream.durable, exit_when_idle=True
    )
    tries: list[int] = []

    def away_then_back(posts: list[MonitoringPost]) -> IngestResult:
        tries.append(len(posts))
        if len(tries) == 1:
            assert consumer_info(stream).num_ack_pending == 10
            raise StorageUnavailable("cannot connect", retry_after=1)
        return ingest_posts(lifeline.ctx, posts)

    consumer.ingest = away_then_back
    started = time.monotonic()
    stats = run(consumer.run(asyncio.Event()))
    assert time.monotonic() - started >= 1.0  # fetching paused for the outage
    assert tries == [10, 10]  # given back (nak with a delay), not acked, then taken
    assert (stats.retried, stats.accepted, stats.rejected) == (10, 10, 0)
    assert counts(lifeline)[0] == 10
    info = consumer_info(stream)
    assert (info.num_pending, info.num_ack_pending, info.num_redelivered) == (0, 0, 0)


def test_a_stream_that_is_not_there_is_a_clear_error(lifeline: Lifeline) -> None:
    missing = Stream("TEST_MON_NONE", f"test.monitoring.none.{uuid.uuid4().hex[:8]}")
    with pytest.raises(StreamSetupError, match=r"no stream holds test\.monitoring\.none"):
        consume(lifeline, missing)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # nothing listens there once closed
    nowhere = lifeline.nats_consumer(
        url=f"nats://127.0.0.1:{port}", subject="a", durable="b", connect_timeout=0.5
    )
    with pytest.raises(
        StreamSetupError, match=f"cannot connect to NATS at nats://127.0.0.1:{port}"
    ):
        run(nowhere.run(asyncio.Event()))
    with pytest.raises(StreamSetupError, match="not a NATS URL"):
        lifeline.nats_consumer(url="http://127.0.0.1:4222", subject="a", durable="b")


def test_a_stream_or_durable_that_does_not_fit_the_subject_is_refused_clearly(
    lifeline: Lifeline, stream: Stream
) -> None:
    elsewhere = lifeline.nats_consumer(
        url=NATS_URL, subject="elsewhere.posts", durable="x", stream=stream.name
    )
    with pytest.raises(StreamSetupError, match=f"stream {stream.name} holds {stream.subject}"):
        run(elsewhere.run(asyncio.Event()))
    # a durable made for another subject (or by hand, with another ack policy) is not reused
    wider = Stream(stream.name, stream.subject + ".x")
    run(
        _js_call(
            lambda js: js.update_stream(
                name=stream.name, subjects=[stream.subject + ".>", stream.subject]
            )
        )
    )
    assert consume(lifeline, stream).messages == 0  # makes the durable, filtering stream.subject
    with pytest.raises(StreamSetupError, match=f"reads {stream.subject}, not {wider.subject}"):
        consume(lifeline, wider)


def test_message_bodies_name_what_is_wrong() -> None:
    assert [
        p.post_id for p in parse_message(b'[{"platform":"x","post_id":1,"author":"a","text":"t"}]')
    ] == ["1"]
    with pytest.raises(InvalidPost, match="post 1: text: is empty"):
        parse_message(
            b'[{"platform":"x","post_id":"1","author":"a","text":"t"},'
            b'{"platform":"x","post_id":"2","author":"a","text":" "}]'
        )
    with pytest.raises(InvalidPost, match="line 2: author: is required"):
        parse_message(
            b'{"platform":"x","post_id":"1","author":"a","text":"t"}\n{"platform":"x","post_id":"2","text":"t"}'
        )
    with pytest.raises(InvalidPost, match="not UTF-8"):
        parse_message(b"\xff\xfe")
    with pytest.raises(InvalidPost, match="is empty"):
        parse_message(b"  \n")


# -- real processes ---------------------------------------------------------------------------


class Consumer:
    """`lifeline monitor consume` as a separate process, as a deployment runs it."""

    def __init__(self, settings: Settings, home: Path, stream: Stream, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIFELINE_")}
        env.update(
            LIFELINE_DATABASE_URL=settings.database_url,
            LIFELINE_DATA_KEY_FILE=str(settings.data_key_file),
            LIFELINE_LOG_JSON="true",
        )
        self.log = home / f"consumer-{uuid.uuid4().hex[:6]}.log"
        self._log = self.log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lifeline.cli",
                "monitor",
                "consume",
                "--nats",
                NATS_URL,
                "--subject",
                stream.subject,
                "--durable",
                stream.durable,
                "--ack-wait",
                "3",
                "--report-every",
                "0",
                "--json",
                *args,
            ],
            cwd=home,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    def wait_consuming(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while "nats.consuming" not in self.log.read_text():
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "consumer not ready"
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 120) -> dict[str, Any]:
        self.proc.send_signal(sig)
        return self.finish(timeout)

    def finish(self, timeout: float = 120) -> dict[str, Any]:
        out, _ = self.proc.communicate(timeout=timeout)
        self._log.close()
        assert self.proc.returncode == 0, self.log.read_text()[-3000:]
        result: dict[str, Any] = json.loads(out)
        return result

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._log.close()


def wait_until(check: Any, timeout: float = 120, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


def test_a_consumer_killed_mid_batch_and_restarted_loses_nothing_and_doubles_nothing(
    lifeline: Lifeline, settings: Settings, stream: Stream, tmp_path: Path
) -> None:
    bodies, flagged = mixed_posts(2000)
    publish(stream, bodies)
    first = Consumer(settings, tmp_path, stream, "--batch", "1000")
    try:
        # the first transaction of the first batch (the ingest commits 500 posts at a time)
        wait_until(lambda: counts(lifeline)[0] > 0, every=0.01)
        first.proc.kill()
    finally:
        first.kill()
    taken = counts(lifeline)[0]
    assert 0 < taken < 2000
    assert (consumer_info(stream).num_ack_pending or 0) > 0  # killed with messages in hand
    time.sleep(3.5)  # ack_wait: the messages in hand come back
    again = Consumer(settings, tmp_path, stream, "--batch", "1000", "--exit-when-idle")
    stats = again.finish()
    assert stats["accepted"] == 2000 - taken
    assert stats["duplicates"] == stats["posts"] - stats["accepted"]
    assert counts(lifeline) == (2000, flagged, 0)
    info = consumer_info(stream)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


def test_two_consumers_on_one_durable_share_the_work_and_stop_cleanly_on_sigterm(
    lifeline: Lifeline, settings: Settings, stream: Stream, tmp_path: Path
) -> None:
    consumers = [Consumer(settings, tmp_path, stream, "--batch", "200") for _ in range(2)]
    try:
        for c in consumers:
            c.wait_consuming()
        bodies, flagged = mixed_posts(4000)
        publish(stream, bodies)
        # SIGTERM one mid-stream: it finishes and acks the batch in hand, gives back the
        # batch fetched ahead, and exits 0; the other takes the rest
        wait_until(lambda: counts(lifeline)[0] >= 1000, every=0.01)
        stopped = consumers[0].stop()
        wait_until(lambda: counts(lifeline)[0] == 4000)
        wait_until(lambda: consumer_info(stream).num_ack_pending == 0, timeout=30)
        rest = consumers[1].stop()
    finally:
        for c in consumers:
            c.kill()
    assert stopped["accepted"] > 0 and rest["accepted"] > 0
    assert stopped["accepted"] + rest["accepted"] == 4000
    assert stopped["rejected"] == rest["rejected"] == 0
    assert counts(lifeline) == (4000, flagged, 0)
    assert consumer_info(stream).num_pending == 0
