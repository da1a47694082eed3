"""The application form as a list of one-question pages, derived from a service's questions and documents.

Every service asks who is applying (NIK, name, birth date, phone, address), then its own questions, then one
upload per document; a check-your-answers page and the declaration close it. The form can be left and
resumed at any step: `first_incomplete` finds where to go back to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

NIK = "nik"
NAME = "name"
BIRTH = "birth"
PHONE = "phone"
ADDRESS = "address"
QUESTION = "question"
DOCUMENT = "document"

APPLICANT_STEPS = ((NIK, "nik"), (NAME, "nama"), (BIRTH, "tanggal-lahir"), (PHONE, "telepon"),
                   (ADDRESS, "alamat"))


@dataclass(frozen=True)
class Step:
    """One page of the form: its URL slug, what it asks, and for questions/documents which one."""

    slug: str
    kind: str
    key: str | None = None
    required: bool = True
    spec: Mapping = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Progress:
    """What an application has so far, as the form sees it."""

    nik: str | None = None
    full_name: str | None = None
    birth_date: object | None = None
    phone: str | None = None
    region_code: str | None = None
    answers: Mapping[str, object] = field(default_factory=dict)
    documents: frozenset[str] = frozenset()
    skipped_documents: frozenset[str] = frozenset()


def _slug(prefix: str, code: str) -> str:
    return f"{prefix}-{code.lower().replace('_', '-')}"


def steps_for(questions: Iterable[Mapping], documents: Iterable[Mapping]) -> list[Step]:
    """Return the pages of the form for a service with these questions and documents, in order."""
    steps = [Step(slug, kind) for kind, slug in APPLICANT_STEPS]
    steps += [Step(_slug("tanya", q["code"]), QUESTION, q["code"], bool(q.get("required", True)), q)
              for q in questions]
    steps += [Step(_slug("dokumen", d["code"]), DOCUMENT, d["code"], bool(d.get("required", True)), d)
              for d in documents]
    return steps


def is_done(step: Step, progress: Progress) -> bool:
    """Return True when `step` has an answer (an optional step counts once it was seen and skipped)."""
    if step.kind == NIK:
        return bool(progress.nik)
    if step.kind == NAME:
        return bool(progress.full_name)
    if step.kind == BIRTH:
        return progress.birth_date is not None
    if step.kind == PHONE:
        return bool(progress.phone)
    if step.kind == ADDRESS:
        return bool(progress.region_code)
    if step.kind == QUESTION:
        return step.key in progress.answers
    if step.kind == DOCUMENT:
        return step.key in progress.documents or (not step.required and step.key in progress.skipped_documents)
    raise ValueError(f"unknown step kind {step.kind!r}")


def first_incomplete(steps: list[Step], progress: Progress) -> Step | None:
    """Return the first step without an answer, or None when the form is ready to check and submit."""
    return next((step for step in steps if not is_done(step, progress)), None)


def missing_required(steps: list[Step], progress: Progress) -> list[Step]:
    """Return the required steps still without an answer (what blocks submitting)."""
    return [step for step in steps if step.required and not is_done(step, progress)]


def step_after(steps: list[Step], current: Step) -> Step | None:
    """Return the step following `current`, or None after the last one."""
    index = steps.index(current)
    return steps[index + 1] if index + 1 < len(steps) else None


def find_step(steps: list[Step], slug: str) -> Step | None:
    """Return the step with `slug`, or None."""
    return next((step for step in steps if step.slug == slug), None)
