"""The message of a correction request: the clerk's own note and each document's reason, written as one text
for the timeline and the notification, and read back apart for the status page."""

from __future__ import annotations

from collections.abc import Sequence

SENTENCE_ENDS = (".", "!", "?", "…")
OLD_SEPARATOR = "; "  # how requests were joined before: "Kirim ulang.; Foto buram"


def _sentence(text: str) -> str:
    """Return `text` stripped, ending with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith(SENTENCE_ENDS) else f"{text}."


def correction_message(note: str, fix_reasons: Sequence[str]) -> str:
    """Return the note, then every document's reason, as sentences one after the other:
    "Kirim ulang foto. Foto surat polisi buram." (never "Kirim ulang foto.; Foto surat polisi buram")."""
    return " ".join(_sentence(part) for part in (note, *fix_reasons) if part.strip())


def general_note(message: str, fix_reasons: Sequence[str]) -> str:
    """Return the clerk's own note in a correction request's `message`, without the reasons of the documents
    still marked for a fix (`fix_reasons`, shown with each document); a message written otherwise is returned
    whole. A message joined the old way, by "; ", is read too."""
    reasons = [reason for reason in fix_reasons if reason.strip()]
    if not reasons:
        return message
    for tail, separator in ((correction_message("", reasons), " "), (OLD_SEPARATOR.join(reasons), OLD_SEPARATOR)):
        if message == tail:
            return ""
        if message.endswith(separator + tail):
            return message[:-len(separator + tail)]
    return message
