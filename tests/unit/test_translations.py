"""The English catalogue is complete: every text in the code and templates has a translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def extracted_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT / "portal"), method_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _singular(message_id):
    """Return a message's singular msgid (a plural entry's id is the pair of singular and plural)."""
    return message_id if isinstance(message_id, str) else message_id[0]


def _last(translation):
    """Return the translation, or a plural entry's last form (the one with the count's placeholder)."""
    return translation if isinstance(translation, str) else translation[-1]


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    with open(ROOT / "portal/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = {_singular(message.id): _last(message.string) for message in read_po(handle) if message.id}
    messages = extracted_messages()
    assert len(messages) > 90
    missing = sorted(message for message in messages if not catalogue.get(message))
    assert missing == [], "run `make messages` and translate these"
    mismatched = sorted(message for message in messages
                        if sorted(PLACEHOLDER.findall(message)) != sorted(PLACEHOLDER.findall(catalogue[message])))
    assert mismatched == []
