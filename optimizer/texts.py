"""Messages in both languages: a progress line or a log record that says itself in
Japanese and in English.

A :class:`Text` *is* its English string (so that every caller that takes a ``str`` —
a progress callback, ``logging``, a test — keeps working), and carries its Japanese in
``ja``. Whoever shows it picks the language at the last moment
(:func:`in_language`): the command line's progress printer, the log formatter of
``run.log`` and ``job.log`` (:class:`optimizer.outputs.files.LogFormatter`). A stage
therefore never needs to know the language of the person running the program::

    progress(Text(f"stand-alone {n}/{total}", f"単独費用 {n}/{total}"))

Log records whose message is a plain English template (``log.info("stage %s", name)``)
are put into Japanese by their template instead, from the catalogue of
:mod:`optimizer.outputs.log_catalogue`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Text", "in_language", "LANGUAGES"]

LANGUAGES = ("ja", "en")
"""The languages of the program's messages; ``ja`` is the default everywhere."""


class Text(str):
    """An English message (the string itself) with its Japanese (:attr:`ja`).

    ``Text(en, ja)``; ``str(text)`` and any string operation give the English. A
    ``%``-template works as with :mod:`logging`: ``Text("%d rows", "%d 行") % 3`` is
    English, and :func:`in_language` formats the Japanese with the same arguments.
    """

    ja: str

    def __new__(cls, en: str, ja: str) -> Text:
        """The English ``en`` carrying the Japanese ``ja``."""
        text = super().__new__(cls, en)
        text.ja = ja
        return text

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        """Pickled with both languages (a message may cross to another process)."""
        return str(self), self.ja

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``ja``; anything else is English)."""
        return self.ja if lang == "ja" else str(self)


def in_language(message: object, lang: str, args: Any = ()) -> str:
    """``message`` in ``lang``: a :class:`Text`'s Japanese when ``lang`` is ``ja``, else
    its English; any other object as ``str``. ``args``, if any, fill its ``%``-template
    (as ``logging`` does)."""
    if isinstance(message, Text):
        template = message.text(lang)
    else:
        template = str(message)
    if args:
        return template % args
    return template
