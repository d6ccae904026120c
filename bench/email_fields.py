"""Email field recall: how much of what a careful person reads in a platform alert email the
parser extracts, per layout.

A benchmark, not a test: it prints figures with the targets beside them (never asserted) and
writes them to bench/results/email_fields.json. The emails in tests/data/emails/ were written
by other hands, from a description of what platforms send (never from the parser's code or
labels), each `NN-name.eml` with `NN-name.expected.json` giving the fields a person would take
from it (null where the email does not say). A field counts as recovered when:

- platform, kind, e-mail, PIN: equal (case-folded);
- reference: equal ignoring case, spaces and a leading '#';
- name: equal ignoring case and spacing;
- handle: equal ignoring a leading '@' and case;
- profile and post URL: the same canonical URL (host without www, path, no query);
- phone: the same last ten digits;
- post text: the expected text is inside the extracted text (spacing and quotes ignored), and
  the extracted text is at most twice as long (the whole email is not "the post");
- posted_at: the same instant within 60 s;
- lat, lon: within 0.01 degree;
- location text: every word of the expected text is in the extracted location text;
- ip_city: the extracted IP city, or an approximate location, names the expected city.

    .venv/bin/python bench/email_fields.py [--show-misses] [--held-out 05,10,15,...]

With --held-out, recall is also given separately for the listed files (set aside while the
parser was tuned) and for the rest (the tuned part); misses are shown for the tuned part only.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lifeline.adapters.intake.email_alert import parse_alert_email
from lifeline.domain.alert import Alert, canonical_url

ROOT = Path(__file__).resolve().parent.parent
EMAILS = ROOT / "tests" / "data" / "emails"
RESULTS = ROOT / "bench" / "results" / "email_fields.json"
TARGETS = {"overall": 0.95, "per_layout": 0.90}
RECEIVED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({c: None for c in "\"'“”‘’«»"})


def _norm(value: str) -> str:
    return _SPACE.sub(" ", value.translate(_QUOTES)).strip().casefold()


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())[-10:]


def _words(value: str) -> set[str]:
    return {w for w in re.split(r"[\W_]+", value.casefold()) if w}


def _same_instant(expected: str, got: datetime | None) -> bool:
    if got is None:
        return False
    want = datetime.fromisoformat(expected)
    return abs((want - got).total_seconds()) <= 60


def _post_text(expected: str, got: str | None) -> bool:
    if not got:
        return False
    want, have = _norm(expected), _norm(got)
    return want in have and len(have) <= 2 * len(want) + 20


def _ip_city(expected: str, alert: Alert) -> bool:
    places = [
        alert.location.ip_city or "",
        alert.location.approximate or "",  # the domain's field for an approximate place
        str(alert.extra.get("approximate_location") or ""),
    ]
    return any(_words(expected) <= _words(p) for p in places if p)


def extracted(alert: Alert, expected: dict[str, Any]) -> dict[str, bool]:
    """Field name -> recovered, for every field the expected file gives (non-null)."""
    sub, post, loc = expected["subject"], expected["post"], expected["location"]
    checks: dict[str, tuple[Any, Any]] = {
        "platform": (expected.get("platform"), lambda v: alert.platform == v.casefold()),
        "reference": (
            expected.get("reference"),
            lambda v: _norm(alert.reference or "").lstrip("#") == _norm(v).lstrip("#"),
        ),
        "subject.name": (sub.get("name"), lambda v: _norm(alert.subject.name or "") == _norm(v)),
        "subject.handle": (
            sub.get("handle"),
            lambda v: (
                (alert.subject.handle or "").lstrip("@").casefold() == v.lstrip("@").casefold()
            ),
        ),
        "subject.profile_url": (
            sub.get("profile_url"),
            lambda v: (
                bool(alert.subject.profile_url)
                and canonical_url(alert.subject.profile_url or "") == canonical_url(v)
            ),
        ),
        "subject.phone": (
            sub.get("phone"),
            lambda v: _digits(alert.subject.phone or "") == _digits(v),
        ),
        "subject.email": (
            sub.get("email"),
            lambda v: (alert.subject.email or "").casefold() == v.casefold(),
        ),
        "post.text": (post.get("text"), lambda v: _post_text(v, alert.post.text)),
        "post.url": (
            post.get("url"),
            lambda v: (
                bool(alert.post.url) and canonical_url(alert.post.url or "") == canonical_url(v)
            ),
        ),
        "post.posted_at": (post.get("posted_at"), lambda v: _same_instant(v, alert.post.posted_at)),
        "post.kind": (post.get("kind"), lambda v: str(alert.post.kind.value) == v),
        "location.text": (
            loc.get("text"),
            lambda v: _words(v) <= _words(alert.location.text or ""),
        ),
        "location.lat": (
            loc.get("lat"),
            lambda v: alert.location.lat is not None and abs(alert.location.lat - v) <= 0.01,
        ),
        "location.lon": (
            loc.get("lon"),
            lambda v: alert.location.lon is not None and abs(alert.location.lon - v) <= 0.01,
        ),
        "location.pin": (loc.get("pin"), lambda v: (alert.location.pin or "") == str(v)),
        "location.ip_city": (loc.get("ip_city"), lambda v: _ip_city(v, alert)),
    }
    return {name: bool(test(want)) for name, (want, test) in checks.items() if want is not None}


def run(show_misses: bool, held_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    per_layout: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    parts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_field: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    no_alert: list[str] = []
    files = sorted(EMAILS.glob("*.eml"))
    for eml in files:
        expected = json.loads(eml.with_suffix(".expected.json").read_text(encoding="utf-8"))
        parsed = parse_alert_email(eml.read_bytes(), received_at=RECEIVED, mail_from="")
        layout = expected["layout"]
        if parsed.alert is None:
            no_alert.append(eml.name)
            continue
        part = "held_out" if eml.name.split("-")[0] in held_out else "tuned"
        for name, ok in extracted(parsed.alert, expected).items():
            parts[part][0] += ok
            parts[part][1] += 1
            per_layout[layout][0] += ok
            per_layout[layout][1] += 1
            per_field[name][0] += ok
            per_field[name][1] += 1
            if not ok and part == "tuned":
                misses.append(f"{eml.name}: {name}")
    found = sum(v[0] for v in per_layout.values())
    total = sum(v[1] for v in per_layout.values())
    result: dict[str, Any] = {
        "emails": len(files),
        "no_alert": no_alert,
        "overall_recall": round(found / total, 4) if total else None,
        "fields": total,
        "per_layout": {k: round(v[0] / v[1], 4) for k, v in sorted(per_layout.items())},
        "per_field": {k: round(v[0] / v[1], 4) for k, v in sorted(per_field.items())},
        "targets": TARGETS,
        "split": {
            k: {"recall": round(v[0] / v[1], 4), "found": v[0], "fields": v[1]}
            for k, v in sorted(parts.items())
        }
        if held_out
        else None,
        "held_out_files": sorted(held_out),
        "misses": misses,
        "python": platform.python_version(),
        "date": datetime.now(UTC).date().isoformat(),
    }
    print(f"{len(files)} emails, {total} expected fields; no alert made: {len(no_alert)}")
    print(f"overall field recall {result['overall_recall']:.3f} (target {TARGETS['overall']})")
    for layout, recall in result["per_layout"].items():
        print(f"  {layout:22} {recall:.3f} (target {TARGETS['per_layout']})")
    for part, (hits, n) in sorted(parts.items()) if held_out else []:
        print(f"  [{part}] {hits}/{n} = {hits / n:.3f}")
    print("per field:")
    for name, recall in result["per_field"].items():
        print(f"  {name:22} {recall:.3f}")
    if show_misses:
        print("misses:", *misses, sep="\n  ")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--held-out", default="", help="comma-separated file numbers, e.g. 05,10")
    args = parser.parse_args()
    held = frozenset(n.strip() for n in args.held_out.split(",") if n.strip())
    result = run(args.show_misses, held)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
