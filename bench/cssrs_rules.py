"""Person rules compared on cached C-SSRS fold evidence (bench/cssrs_evidence.py), training
half only: user-level ROC AUC and at-risk precision at recall 0.95 of each rule, with seeded
bootstrap 95% intervals and the paired bootstrap interval of its AUC gain over the shipped rule.

    .venv/bin/python bench/cssrs_rules.py [/tmp/cssrs_evidence.json] [--resamples 1000]
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from lifeline.adapters.classifier.person import self_focus
from lifeline.adapters.classifier.ranking import precision_at_recall, ranking

AT_RISK = ("ideation", "intent")
B = r"(?<![\w\u0900-\u097F])"
E = r"(?![\w\u0900-\u097F])"

#: the author's present: now-words and present-tense first-person forms in the three registers
PRESENT = re.compile(
    B + r"(?:right now|now|today|tonight|anymore|these days|i'm|im|i am|"
    r"i feel|i want|i can't|i cant|i don't|i dont|i keep|i have no|"
    r"ab|abhi|aaj|aajkal|hoon|hu|hun|"
    r"अब|अभी|आज|आजकल|हूं|हूँ|हू)" + E,
    re.IGNORECASE,
)
#: the author's past: past tense and recovery time words
PAST = re.compile(
    B + r"(?:i was|i had|i used to|i tried|i attempted|when i was|years ago|back then|"
    r"i've been there|ive been there|i survived|i recovered|"
    r"tha|thi|saal pehle|us waqt|"
    r"था|थी|साल पहले|उस वक्त)" + E,
    re.IGNORECASE,
)
#: advice to the reader: second-person imperatives and helper phrases
ADVICE = re.compile(
    r"(?:^|[.!?।\n]\s*)(?:please\s+)?(?:try|talk|call|reach out|don't|do not|get|stay|keep|"
    r"remember|find|take|give|hang in|go|tell|think|look|be|let)\b"
    r"|" + B + r"(?:you should|you can|you will|you'll|you are not alone|you're not alone|"
    r"it gets better|i've been there|ive been there|been where you are|hang in there|"
    r"reach out|talk to someone|seek help|"
    r"karo|kijiye|kijie|mat karo|baat karo|himmat rakho|"
    r"करो|कीजिए|मत करो|बात करो|हिम्मत रखो)" + E,
    re.IGNORECASE,
)


def counts(pattern: re.Pattern[str], text: str) -> int:
    return len(pattern.findall(text))


def top_mean(values: list[float], share: float = 0.1) -> float:
    if not values:
        return 0.0
    top = sorted(values, reverse=True)[: math.ceil(share * len(values) - 1e-9)]
    return sum(top) / len(top)


def window_value(post: dict[str, Any]) -> float:
    p = post["p"]
    best = max(range(len(p)), key=p.__getitem__)
    selfp = post["self"][best] if post["self"] else 1.0
    return float(p[best] * selfp)


def own(post: dict[str, Any]) -> bool:
    return post["subject"] in (None, "self")


def present_weight(text: str) -> float:
    now, then = counts(PRESENT, text), counts(PAST, text)
    return (now + 1) / (now + then + 1)


def advice_weight(text: str) -> float:
    n = max(1, len(re.split(r"[.!?।\n]+", text)))
    return 1.0 / (1.0 + counts(ADVICE, text) / n)


def sentence_value(post: dict[str, Any]) -> float:
    """The riskiest sentence's own evidence: its P(at risk) x P(self) x its self focus."""
    return float(max(s["p"] * s["self"] * self_focus(s["text"]) for s in post["sentences"]))


def riskiest_sentence(post: dict[str, Any]) -> dict[str, Any]:
    return max(post["sentences"], key=lambda s: s["p"] * s["self"])


Rule = Callable[[list[dict[str, Any]]], float]


def base_values(posts: list[dict[str, Any]]) -> list[float]:
    return [window_value(p) * self_focus(p["text"]) for p in posts if own(p)]


RULES: dict[str, Rule] = {
    "shipped: top tenth of P x P(self) x focus": lambda ps: top_mean(base_values(ps)),
    "x present weight": lambda ps: top_mean(
        [window_value(p) * self_focus(p["text"]) * present_weight(p["text"]) for p in ps if own(p)]
    ),
    "x advice weight": lambda ps: top_mean(
        [window_value(p) * self_focus(p["text"]) * advice_weight(p["text"]) for p in ps if own(p)]
    ),
    "x present x advice": lambda ps: top_mean(
        [
            window_value(p)
            * self_focus(p["text"])
            * present_weight(p["text"])
            * advice_weight(p["text"])
            for p in ps
            if own(p)
        ]
    ),
    "riskiest sentence (P x self x its focus)": lambda ps: top_mean(
        [sentence_value(p) for p in ps if own(p)]
    ),
    "geometric mean of post and riskiest sentence": lambda ps: top_mean(
        [
            math.sqrt(window_value(p) * self_focus(p["text"]) * sentence_value(p))
            for p in ps
            if own(p)
        ]
    ),
    "riskiest sentence x present x advice": lambda ps: top_mean(
        [
            sentence_value(p) * present_weight(p["text"]) * advice_weight(p["text"])
            for p in ps
            if own(p)
        ]
    ),
    "x focus of the riskiest sentence instead of the post's": lambda ps: top_mean(
        [window_value(p) * self_focus(riskiest_sentence(p)["text"]) for p in ps if own(p)]
    ),
    "x sqrt(present weight)": lambda ps: top_mean(
        [
            window_value(p) * self_focus(p["text"]) * math.sqrt(present_weight(p["text"]))
            for p in ps
            if own(p)
        ]
    ),
    "x 0.5 with a support, third-party or news cue": lambda ps: top_mean(
        [
            window_value(p)
            * self_focus(p["text"])
            * (0.5 if set(p["cues"]) & {"support", "third_party", "news"} else 1.0)
            for p in ps
            if own(p)
        ]
    ),
    "x 1.2 for an intent or imminent post": lambda ps: top_mean(
        [
            window_value(p)
            * self_focus(p["text"])
            * (1.2 if p["level"] in ("intent", "imminent") else 1.0)
            for p in ps
            if own(p)
        ]
    ),
    "all posts, not only own": lambda ps: top_mean(
        [window_value(p) * self_focus(p["text"]) for p in ps]
    ),
    "shipped + 0.1 x log1p(own at-risk posts)": lambda ps: (
        top_mean(base_values(ps))
        + 0.1 * math.log1p(sum(1 for p in ps if own(p) and p["level"] in (*AT_RISK, "imminent")))
    ),
    "shipped + 0.1 x log1p(own posts valued >= 0.5)": lambda ps: (
        top_mean(base_values(ps)) + 0.1 * math.log1p(sum(1 for v in base_values(ps) if v >= 0.5))
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evidence", type=Path, nargs="?", default=Path("/tmp/cssrs_evidence.json"))
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    users = json.loads(args.evidence.read_text())
    truth = np.array([u["level"] in AT_RISK for u in users])
    base = np.array([RULES["shipped: top tenth of P x P(self) x focus"](u["posts"]) for u in users])
    rng = np.random.default_rng(0)
    picks = [rng.integers(0, len(users), len(users)) for _ in range(args.resamples)]
    out = {}
    shipped_auc = ranking(list(truth), list(base), resamples=0)["roc_auc"]
    print(f"{len(users)} users; AUC (CI) / P@R95 (CI) / AUC gain over shipped (paired CI)")
    for name, rule in RULES.items():
        s = np.array([rule(u["posts"]) for u in users])
        r = ranking(list(truth), list(s), resamples=args.resamples)
        gains, pgains = [], []
        for pick in picks:
            t = truth[pick]
            if t.any() and not t.all():
                gains.append(roc_auc_score(t, s[pick]) - roc_auc_score(t, base[pick]))
                pgains.append(precision_at_recall(t, s[pick]) - precision_at_recall(t, base[pick]))
        g = np.percentile(gains, [2.5, 97.5])
        pg = np.percentile(pgains, [2.5, 97.5])
        means = {
            lv: round(
                float(np.mean([x for x, u in zip(s, users, strict=True) if u["level"] == lv])), 2
            )
            for lv in ("discussion", "distress", "ideation", "intent")
        }
        out[name] = {**r, "auc_gain_ci95": list(g), "p_gain_ci95": list(pg), "means": means}
        print(
            f"{name:50} {r['roc_auc']:.3f} ({r['roc_auc_ci95'][0]:.3f}-{r['roc_auc_ci95'][1]:.3f})"
            f" / {r['precision_at_recall']:.3f} ({r['precision_at_recall_ci95'][0]:.3f}-"
            f"{r['precision_at_recall_ci95'][1]:.3f}) / "
            f"{r['roc_auc'] - shipped_auc:+.3f}"
            f" ({g[0]:+.3f}..{g[1]:+.3f}); P {pg[0]:+.3f}..{pg[1]:+.3f}; {means}"
        )
    if args.output:
        args.output.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
