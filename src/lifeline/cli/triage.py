"""`lifeline triage` (score posts) and `lifeline model train|evaluate` (build and measure the
triage model). Scoring needs no database; `model train --with-feedback` reads operators'
decisions from it.

The classifier's modules (numpy, scikit-learn, skops: about 2 s) are imported by the commands
that score or train, not when the CLI starts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from lifeline.adapters.classifier.person import PersonScorer
from lifeline.cli import jsonl, person_lines
from lifeline.cli.common import JsonOpt, app, emit, err, fail, load_app, out
from lifeline.domain.person_risk import PersonPost
from lifeline.domain.readability import unreadable_reason
from lifeline.domain.risk import RiskResult
from lifeline.services.triage.assessment import feedback_examples

model_app = typer.Typer(help="The triage model: build it and measure it.", no_args_is_help=True)
app.add_typer(model_app, name="model")

ModelOpt = Annotated[
    Path | None, typer.Option("--model", help="Model file (default: the shipped model).")
]
JSONL_BATCH = 64
_COLOURS = {
    "none": "green",
    "discussion": "cyan",
    "distress": "yellow",
    "ideation": "red",
    "intent": "bold red",
    "imminent": "bold white on red",
}


_line = jsonl.write
_error = jsonl.error


def _parse(
    raw: bytes, number: int
) -> tuple[Any, str | list[PersonPost] | None, dict[str, Any] | None]:
    """(id, text or a person's posts, None) for a good line, or (id, None, error object)."""
    data, problem = jsonl.parse(raw, number)
    if data is None:
        return None, None, problem
    ident = data.get("id")
    if "posts" in data:
        posts, problem = person_lines.parse_posts(data, number)
        return ident, posts, problem
    text = data.get("text")
    if not isinstance(text, str):
        return ident, None, _error("missing_text", "no 'text' string", id=ident, line=number)
    if not text.strip():
        return ident, None, _error("empty_text", "text is empty", id=ident, line=number)
    if len(text) > 500_000:
        return (
            ident,
            None,
            _error("text_too_long", "text is longer than 500000 characters", id=ident, line=number),
        )
    return ident, text, None


def _jsonl(model: Path | None) -> None:
    from lifeline.adapters.classifier.model import UnscorableText  # noqa: PLC0415 (heavy)
    from lifeline.bootstrap import triage_classifier  # noqa: PLC0415 (see load_app)

    classifier = triage_classifier(model)
    pending: list[tuple[int, Any, str]] = []

    def flush() -> None:
        if not pending:
            return
        try:
            results = classifier.classify_many([text for _, _, text in pending])
        except UnscorableText:  # never after the checks in _parse; one by one to be sure
            results = []
        if len(results) != len(pending):
            for number, ident, text in pending:
                try:
                    _line({"id": ident, **classifier.classify(text).as_dict()})
                except UnscorableText as exc:
                    _line(_error("unscorable", str(exc), id=ident, line=number))
        else:
            for (_, ident, _), result in zip(pending, results, strict=True):
                _line({"id": ident, **result.as_dict()})
        pending.clear()
        sys.stdout.flush()

    def unreadable(ident: Any, text: str) -> bool:
        reason = unreadable_reason(text)
        if reason is None:
            return False
        flush()  # keep the output in input order
        _line({"id": ident, **RiskResult.could_not_read(reason, classifier.version).as_dict()})
        return True

    for number, raw in jsonl.lines():
        ident, text, problem = _parse(raw, number)
        if problem is not None:
            flush()
            _line(problem)
            continue
        assert text is not None
        if isinstance(text, list):
            flush()  # keep the output in input order
            _line({"id": ident, **PersonScorer(classifier).score(text).as_dict()})
            continue
        if unreadable(ident, text):
            continue
        pending.append((number, ident, text))
        if len(pending) >= JSONL_BATCH:
            flush()
    flush()


def _show(text: str, result: RiskResult) -> None:
    if not result.readable:
        out.print(
            f"[yellow]unreadable[/yellow]  the model could not read this post "
            f"({result.unreadable})  model {result.model_version}"
        )
        return
    colour = _COLOURS.get(result.level.value, "white")
    out.print(
        f"[{colour}]{result.level.value}[/{colour}]  score {result.score:.3f}  "
        f"language {result.language}  model {result.model_version}"
        + (f"  subject {result.subject.value}" if result.subject else "")
    )
    for cue in (*result.cues, *result.subject_cues):
        before = escape(text[max(0, cue.start - 25) : cue.start])
        after = escape(text[cue.end : cue.end + 25])
        out.print(f"  {cue.tag:12} …{before}[reverse]{escape(cue.text)}[/reverse]{after}…")


@app.command("triage")
def triage(
    text: Annotated[
        str | None, typer.Argument(help="The post; '-' or nothing reads stdin.")
    ] = None,
    as_json: JsonOpt = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read {"id", "text"} or {"id", "posts": [{"text", "posted_at"}]} lines on '
            "stdin (a post, or a person's recent posts together); write one result per line.",
        ),
    ] = False,
    model: ModelOpt = None,
) -> None:
    """Score a post's suicide risk: level, calibrated score, language and the cues behind it.
    A model score never sends police by itself: an operator decides."""
    from lifeline.adapters.classifier.model import ModelError, UnscorableText  # noqa: PLC0415
    from lifeline.bootstrap import triage_classifier  # noqa: PLC0415 (see load_app)

    try:
        if jsonl:
            _jsonl(model)
            return
        if text is None or text == "-":
            data = sys.stdin.buffer.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UnscorableText(f"stdin is not UTF-8 ({exc.reason})") from None
        classifier = triage_classifier(model)
        reason = unreadable_reason(text) if text.strip() else None
        if reason is not None:
            result = RiskResult.could_not_read(reason, classifier.version)
        else:
            result = classifier.classify(text)
    except (UnscorableText, ModelError) as exc:
        raise fail(exc, as_json) from None
    if as_json:
        emit(result.as_dict())
    else:
        _show(text, result)


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@model_app.command("train")
def model_train(
    with_feedback: Annotated[
        bool, typer.Option("--with-feedback", help="Add operators' confirmed and corrected levels.")
    ] = False,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with cssrs/ (default: ../shared/data).")
    ] = None,
    cssrs: Annotated[bool, typer.Option(help="Train on the C-SSRS Reddit posts too.")] = True,
    output: Annotated[Path | None, typer.Option(help="Where to write the model.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild the triage model from the committed corpus (training split), the C-SSRS posts
    and, with --with-feedback, operators' decisions; then score the held-out split."""
    from lifeline.adapters.classifier import datasets, evaluation, training  # noqa: PLC0415
    from lifeline.adapters.classifier.model import default_model_path  # noqa: PLC0415
    from lifeline.adapters.classifier.subject import (  # noqa: PLC0415
        format_subjects,
    )

    feedback = []
    if with_feedback:
        feedback = feedback_examples(load_app().ctx)
    try:
        examples = training.training_set(
            data_dir or datasets.default_data_dir(), cssrs=cssrs, feedback=feedback
        )
    except FileNotFoundError as exc:
        raise fail(exc, as_json) from None
    steps = [f"cross-validation fold {k}/{training.FOLDS}" for k in range(1, training.FOLDS + 1)]
    steps = ["finding cues", "fitting features", *steps, "calibrating", "fitting the final model"]
    with _progress() as bar:
        task = bar.add_task("training", total=len(steps))

        def advance(message: str) -> None:
            bar.update(
                task, description=message, completed=steps.index(message) if message in steps else 0
            )

        bundle, report = training.train(examples, progress=advance)
        bar.update(task, completed=len(steps))
    path = output or default_model_path()
    training.save(bundle, path)
    held_out = [e for e in datasets.load_corpus() if e.split == "test"]
    classifier = training.classifier_from(bundle)
    ev = evaluation.evaluate(classifier, held_out)
    metadata = training.write_metadata(path, report, ev)
    if as_json:
        emit(metadata)
        return
    out.print(f"model {report.version} written to {path} ({report.seconds:.0f} s)")
    out.print(f"examples: {report.examples}; thresholds: {report.thresholds}")
    out.print("held-out split:\n" + evaluation.format_evaluation(ev))
    if ev.subjects:
        out.print(format_subjects(ev.subjects))


@model_app.command("evaluate")
def model_evaluate(
    data: Annotated[
        Path | None, typer.Option("--data", help="JSON lines with 'text' and 'level'.")
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="Only lines whose 'split' is this (e.g. test).")
    ] = None,
    persons: Annotated[
        Path | None,
        typer.Option(
            "--persons",
            help='JSON lines {"id", "language", "level", "at_risk", "posts"}: people, each '
            "scored from their posts together.",
        ),
    ] = None,
    model: ModelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Precision, recall and F1 per language and level, the confusion matrix, calibration
    error, and ROC AUC and at-risk precision at recall 0.95 per language (bootstrap 95%
    intervals) of the model on a labelled file (`--data src/lifeline/data/triage/corpus.jsonl
    --split test` is the held-out split); with `--persons`, the same ranking figures for people."""
    from lifeline.adapters.classifier import (  # noqa: PLC0415 (heavy)
        datasets,
        evaluation,
        person_evaluation,
    )
    from lifeline.adapters.classifier.model import ModelError  # noqa: PLC0415
    from lifeline.adapters.classifier.subject import (  # noqa: PLC0415
        format_subjects,
    )
    from lifeline.bootstrap import triage_classifier  # noqa: PLC0415 (see load_app)

    if data is None and persons is None:
        raise fail(
            ValueError("give --data FILE (posts) or --persons FILE (people), or both"), as_json
        )
    try:
        examples = datasets.load_jsonl(data, split=split) if data else []
        people = person_evaluation.load_persons(persons) if persons else []
        classifier = triage_classifier(model).model
    except (OSError, ValueError, ModelError) as exc:
        raise fail(exc, as_json) from None
    if data and not examples:
        raise fail(ValueError(f"no labelled lines in {data}"), as_json)
    if persons and not people:
        raise fail(ValueError(f"no people in {persons}"), as_json)
    result: dict[str, Any] = {"model_version": classifier.version}
    with _progress() as bar:
        if examples:
            task = bar.add_task("scoring posts", total=len(examples))
            ev = evaluation.evaluate(classifier, examples, lambda n: bar.advance(task, n))
            result |= {"data": str(data), **ev.as_dict()}
        if people:
            task = bar.add_task("scoring people", total=len(people))
            figures = person_evaluation.evaluate_persons(
                classifier, people, lambda n: bar.advance(task, n)
            )
            result["persons"] = {"data": str(persons), **figures}
    subjects = ev.subjects if examples else None
    if subjects:
        result["subject"] = subjects
    if as_json:
        emit(result)
        return
    if examples:
        out.print(f"model {classifier.version} on {data}" + (f" (split {split})" if split else ""))
        out.print(evaluation.format_evaluation(ev))
    if subjects:
        out.print(format_subjects(subjects))
    if people:
        out.print(f"model {classifier.version} on the people in {persons}")
        out.print(person_evaluation.format_persons(result["persons"]))
