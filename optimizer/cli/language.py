"""The command line's language: Japanese by default, English on request.

Which language
    ``--lang ja|en`` where the command has it, else the environment variable
    ``OPTIMIZER_LANG`` (``ja`` or ``en``; anything else counts as unset), else Japanese.
    It is decided anew at each invocation (:meth:`LocalizedGroup.main`), from the raw
    arguments, before Click parses them: ``--help`` is eager and a usage error stops the
    parse, so both must already speak the language (``optimizer solve --help --lang en``
    is English). In-process invocations (``CliRunner``) each get their own language
    (a context variable, never a module global fixed at import).

Help of commands and options, in both languages
    A command module declares both at the declaration, the English as usual::

        from optimizer.cli.language import command, option

        @command("geocode", ja=\"\"\"住所から緯度・経度を求めます。

            例:

                optimizer geocode my-area.xlsx
            \"\"\")
        @option("--force", is_flag=True, ja="PATH が既にあれば置き換えます。",
                en="Replace PATH if it exists.")
        @lang_option                      # from optimizer.cli.common, already bilingual
        def geocode(path: Path, force: bool, lang: str) -> None:
            \"\"\"Find the latitude and longitude of each address.

            Example:

                optimizer geocode my-area.xlsx
            \"\"\"

    :func:`command` takes Click's ``command`` arguments (``cls`` too, e.g.
    :class:`optimizer.cli.common.JsonCommand`, a :class:`LocalizedCommand`) plus
    ``ja``, the Japanese help: its first sentence (up to 。) is the command's line in
    ``optimizer --help``. :func:`option` takes Click's ``option`` arguments with ``ja``
    and ``en`` instead of ``help``. The group adds the command as before.

Click's own words
    Click looks its strings up through gettext (``_("Usage:")``, ``_("Missing
    argument")``, ...). :func:`install_click_japanese` points the ``_`` and ``ngettext``
    of Click's modules to :func:`click_text`, which answers from :data:`CLICK_JA` while
    one of our invocations speaks Japanese, and defers to gettext otherwise (another
    Click program in the same process is unaffected). A gettext catalogue (a compiled
    ``.mo``) would need the process's ``LANGUAGE`` environment changed for each
    invocation; this keeps the choice per invocation. A string Click
    adds or rewords later stays English until it is added to :data:`CLICK_JA`
    (``tests/test_language.py`` checks the catalogue against the installed Click).

Help is wrapped by display width (a kanji is two columns) and may break between
Japanese characters (:class:`HelpFormatter`).
"""

from __future__ import annotations

import contextlib
import gettext
import inspect
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

import click

from optimizer.texts import LANGUAGES, Text

__all__ = [
    "ENVIRONMENT",
    "CLICK_JA",
    "current_language",
    "env_language",
    "language_in_args",
    "use_language",
    "click_text",
    "install_click_japanese",
    "command",
    "option",
    "LocalizedCommand",
    "LocalizedGroup",
    "LocalizedOption",
    "HelpFormatter",
    "elapsed_text",
    "say",
]

ENVIRONMENT = "OPTIMIZER_LANG"
"""The environment variable that sets the language where ``--lang`` is not given."""

F = TypeVar("F", bound=Callable[..., Any])

_LANGUAGE: ContextVar[str | None] = ContextVar("optimizer_cli_language", default=None)


def env_language() -> str:
    """``OPTIMIZER_LANG`` (``ja`` or ``en``, any case), else ``ja``."""
    value = os.environ.get(ENVIRONMENT, "").strip().lower()
    return value if value in LANGUAGES else "ja"


def current_language() -> str:
    """The language of the running invocation (``ja`` or ``en``)."""
    return _LANGUAGE.get() or env_language()


def language_in_args(args: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` among the raw arguments (``--lang en`` or
    ``--lang=en``; not after ``--``), if it is ``ja`` or ``en``."""
    found = None
    words = list(args)
    for n, word in enumerate(words):
        if word == "--":
            break
        value = None
        if word == "--lang" and n + 1 < len(words):
            value = words[n + 1]
        elif word.startswith("--lang="):
            value = word.partition("=")[2]
        if value is not None and value.strip().lower() in LANGUAGES:
            found = value.strip().lower()
    return found


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Speak ``lang`` within the block (the invocation's language)."""
    token = _LANGUAGE.set(lang if lang in LANGUAGES else "ja")
    try:
        yield current_language()
    finally:
        _LANGUAGE.reset(token)


def say(message: object, lang: str | None = None) -> str:
    """``message`` in ``lang`` (default: the invocation's): a :class:`Text` in its
    language, anything else as ``str``."""
    lang = lang or current_language()
    return message.text(lang) if isinstance(message, Text) else str(message)


def elapsed_text(seconds: float, lang: str) -> str:
    """Time since the command started, for the start of a progress line:
    ``[  12.3 秒]`` / ``[  12.3 s]``, and from a minute on ``[ 2分05秒]`` / ``[ 2 min 05 s]``."""
    if seconds < 60:
        return f"[{seconds:6.1f}{'秒' if lang == 'ja' else ' s'}]"
    minutes, rest = divmod(int(seconds), 60)
    if lang == "ja":
        return f"[{minutes:2d}分{rest:02d}秒]"
    return f"[{minutes:2d} min {rest:02d} s]"


# --------------------------------------------------------------------------- Click's words

CLICK_JA: dict[str, str] = {
    # help pages
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "このヘルプを表示して終了します。",
    "Show the version and exit.": "バージョンを表示して終了します。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    "default: {default}": "既定: {default}",
    "env var: {var}": "環境変数: {var}",
    "required": "必須",
    "(dynamic)": "（実行時に決定）",
    "deprecated": "非推奨",
    # usage errors
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "'{command} {option}' でヘルプを表示できます。",
    "No such option {name!r}.": "{name!r} というオプションはありません。",
    "No such command {name!r}.": "{name!r} というコマンドはありません。",
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "(Did you mean one of: {possibilities}?)": "（{possibilities} のいずれかのことですか？）",
    "Missing argument": "次の引数がありません:",
    "Missing option": "次のオプションがありません:",
    "Missing parameter": "次の指定がありません:",
    "Missing {param_type}": "次の{param_type}がありません:",
    "Missing parameter: {param_name}": "指定がありません: {param_name}",
    "Missing command.": "コマンドを指定してください。",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "Option {name!r} requires an argument.": "オプション {name!r} には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": "オプション {name!r} には値が {nargs} 個必要です。",
    "Option {name!r} does not take a value.": "オプション {name!r} は値をとりません。",
    "Argument {name!r} takes {nargs} values.": "引数 {name!r} は値を {nargs} 個とります。",
    "Takes {nargs} values but 1 was given.": "値を {nargs} 個とりますが、1 個しかありません。",
    "Takes {nargs} values but {len} were given.": "値を {nargs} 個とりますが、{len} 個あります。",
    "Value must be an iterable.": "値は複数の要素の並びでなければなりません。",
    "{value!r} is not {choice}.": "{value!r} は {choice} ではありません。",
    "{value!r} is not one of {choices}.": "{value!r} は {choices} のいずれでもありません。",
    "Choose from:\n\t{choices}": "次から選んでください:\n\t{choices}",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "{value!r} is not a valid {number_type}.": "{value!r} は数値（{number_type}）として読めません。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} は真偽値として読めません。使える値: {states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} は UUID として読めません。",
    "{name} {filename!r} does not exist.": "{filename!r} がありません。",
    "{name} {filename!r} is a file.": "{filename!r} はファイルです（フォルダを指定してください）。",
    "{name} {filename!r} is a directory.": (
        "{filename!r} はフォルダです（ファイルを指定してください）。"
    ),
    "{name} {filename!r} is not readable.": "{filename!r} を読めません。",
    "{name} {filename!r} is not writable.": "{filename!r} に書き込めません。",
    "{name} {filename!r} is not executable.": "{filename!r} は実行できません。",
    "Could not open file {filename!r}: {message}": "ファイル {filename!r} を開けません: {message}",
    "unknown error": "不明なエラー",
    "Aborted!": "中止しました。",
}
"""Click's strings (its gettext message ids) → Japanese, with the same ``{}`` fields."""

_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
    "click.utils",
)


def click_text(message: str) -> str:
    """Click's ``_()``: Japanese from :data:`CLICK_JA` while one of our invocations
    speaks Japanese, else gettext's answer (so another Click program in the same
    process is left as it was)."""
    if _LANGUAGE.get() == "ja" and message in CLICK_JA:
        return CLICK_JA[message]
    return gettext.gettext(message)


def _click_plural(singular: str, plural: str, n: int) -> str:
    """Click's ``ngettext()``: as :func:`click_text` (Japanese has one form)."""
    chosen = singular if n == 1 else plural
    if _LANGUAGE.get() == "ja" and chosen in CLICK_JA:
        return CLICK_JA[chosen]
    return gettext.ngettext(singular, plural, n)


def install_click_japanese() -> None:
    """Point Click's ``_`` and ``ngettext`` to :func:`click_text` (idempotent; only
    names that are still gettext's are replaced)."""
    for name in _CLICK_MODULES:
        module = sys.modules.get(name) or __import__(name, fromlist=["_"])
        if getattr(module, "_", None) is gettext.gettext:
            module._ = click_text  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = _click_plural  # type: ignore[attr-defined]


install_click_japanese()


# --------------------------------------------------------------------------- wrapping


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide and full-width characters: two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


_NO_LINE_START = set(
    "、。，．・：；？！）」』】〕》〉ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.;:!?)]}"
)
"""Characters a line must not start with (禁則): they stay on the line before."""
_NO_LINE_END = set("（「『【〔《〈([{")
"""Characters a line must not end with: they go to the next line."""


def _tokens(text: str) -> Iterator[str]:
    """Words, single spaces and single wide characters: the places a line may break."""
    word = ""
    for char in text:
        if char == " " or _wide(char):
            if word:
                yield word
                word = ""
            yield char
        else:
            word += char
    if word:
        yield word


def wrap_line(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """One paragraph in lines of at most ``width`` columns (a longer word overflows),
    breaking at spaces or between wide characters; ``first`` / ``rest`` indent them."""
    lines: list[str] = []
    line, used = first, _width(first)
    start = True
    for token in _tokens(text):
        if token == " ":
            if not start:
                line, used = line + " ", used + 1
            continue
        size = _width(token)
        if not start and used + size > width and token[0] not in _NO_LINE_START:
            carried = ""
            while len(line) > len(rest) + 1 and line[-1] in _NO_LINE_END:
                line, carried = line[:-1], line[-1] + carried
            lines.append(line.rstrip())
            line, used = rest + carried, _width(rest + carried)
        line, used, start = line + token, used + size, False
    if not start:
        lines.append(line.rstrip())
    return lines


def _joined(lines: Iterable[str]) -> str:
    """The lines of a paragraph as one: a space between them, none between Japanese."""
    text = ""
    for line in lines:
        if text and not (_wide(text[-1]) or _wide(line[0])):
            text += " "
        text += line
    return text


def wrap_paragraphs(text: str, width: int, indent: str = "") -> str:
    """Click's paragraph wrapping with :func:`wrap_line`: blank lines part paragraphs,
    one that starts with a ``\\b`` line is kept as it is, and so is an indented one
    (an example: a command stays whole on its line)."""
    blocks: list[list[str]] = [[]]
    for line in text.expandtabs().splitlines():
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    out = []
    for block in (b for b in blocks if b):
        if block[0].strip() == "\b":
            out.append("\n".join(indent + line for line in block[1:]))
            continue
        own = indent + " " * (len(block[0]) - len(block[0].lstrip()))
        if own != indent:
            out.append("\n".join(own + line.strip() for line in block))
            continue
        paragraph = _joined(line.strip() for line in block)
        out.append("\n".join(wrap_line(paragraph, width, own, own)))
    return "\n\n".join(out)


class HelpFormatter(click.HelpFormatter):
    """Click's help formatter, wrapping by display width (:func:`wrap_paragraphs`)."""

    def write_text(self, text: str) -> None:
        """Text rewrapped at the current indent."""
        self.write(wrap_paragraphs(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """A definition list (options, commands), the second column wrapped by width."""
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(_width(first) for first, _ in rows), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if _width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_paragraphs(second, max(self.width - first_col - 2, 10)).splitlines()
            self.write(f"{lines[0] if lines else ''}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class _Context(click.Context):
    formatter_class = HelpFormatter


# --------------------------------------------------------------------------- commands


class LocalizedOption(click.Option):
    """An option whose help is a :class:`Text`: shown in the invocation's language."""

    def __init__(self, *args: Any, help: str | None = None, **kwargs: Any) -> None:  # noqa: A002
        self.texts = help if isinstance(help, Text) else None
        kwargs["help"] = None if self.texts is not None else help
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def help(self) -> str | None:
        """The help in the invocation's language."""
        if self.texts is not None:
            return inspect.cleandoc(say(self.texts))
        return self._help

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value


def _relabel_help_option(command: click.Command, ctx: click.Context) -> None:
    """``--help``'s own line in the invocation's language (Click makes the option once
    per command, with the words of the first invocation)."""
    option = command.get_help_option(ctx)
    if option is not None and not isinstance(option, LocalizedOption):
        option.help = click_text("Show this message and exit.")


class _Localized:
    """What commands and the group share: the language decided before parsing, help in
    that language, the wrapping formatter."""

    context_class: type[click.Context] = _Context
    help_ja: str | None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's ``main``, in the language of the raw arguments (``--lang``), else of
        ``OPTIMIZER_LANG``, else Japanese."""
        words = kwargs.get("args", args[0] if args else None)
        words = sys.argv[1:] if words is None else list(words)
        with use_language(language_in_args(words) or env_language()):
            return super().main(*args, **kwargs)  # type: ignore[misc]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """Click's ``--help``, its line in the invocation's language."""
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = click_text("Show this message and exit.")
        return option

    @property
    def help(self) -> str | None:
        """The help in the invocation's language."""
        if current_language() == "ja" and self.help_ja:
            return self.help_ja
        return self._help_en

    @help.setter
    def help(self, value: str | None) -> None:
        self._help_en = value

    def get_short_help_str(self, limit: int = 45) -> str:
        """The command's line in the group's help: in Japanese, the first sentence."""
        if current_language() == "ja" and self.help_ja:
            first = inspect.cleandoc(self.help_ja).split("\n\n")[0].replace("\n", "")
            return first.split("。")[0]
        return super().get_short_help_str(limit)  # type: ignore[misc]


class LocalizedCommand(_Localized, click.Command):
    """A command with English (the docstring) and Japanese (``help_ja``) help."""

    def __init__(self, *args: Any, help_ja: str | None = None, **kwargs: Any) -> None:
        self.help_ja = help_ja
        super().__init__(*args, **kwargs)


class LocalizedGroup(_Localized, click.Group):
    """The group of commands, with English (the docstring) and Japanese help."""

    def __init__(self, *args: Any, help_ja: str | None = None, **kwargs: Any) -> None:
        self.help_ja = help_ja
        super().__init__(*args, **kwargs)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Click's, with ``--help`` of a command that is not a :class:`LocalizedCommand`
        labelled in the invocation's language too."""
        name, found, rest = super().resolve_command(ctx, args)
        if found is not None and not isinstance(found, _Localized):
            _relabel_help_option(found, ctx)
        return name, found, rest


def command(
    name: str | None = None, *, ja: str, cls: type[click.Command] | None = None, **attrs: Any
) -> Callable[[Callable[..., Any]], click.Command]:
    """Click's ``command`` with Japanese help ``ja`` besides the English docstring.

    ``cls`` must be a :class:`LocalizedCommand` (the default)."""
    return click.command(name, cls=cls or LocalizedCommand, help_ja=ja, **attrs)


def option(*param_decls: str, ja: str, en: str, **attrs: Any) -> Callable[[F], F]:
    """Click's ``option`` with its help in Japanese (``ja``) and English (``en``)."""
    return click.option(*param_decls, cls=LocalizedOption, help=Text(en, ja), **attrs)
