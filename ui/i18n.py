"""The message catalogue of the command line (GNU gettext, managed with Babel).

Every user-facing English text of the CLI layer is a msgid of the domain
``ledger``; ``ui/locale/ja/LC_MESSAGES/ledger.po`` holds its Japanese and
``ledger.mo`` is the compiled form read at run time (regenerate both with
``python tools/i18n.py``; ``tests/cli/test_i18n.py`` fails on a msgid without a
translation and on a .mo that does not match its .po).

Domain refusals (``ledger.errors.LedgerError``) still carry their own en/ja
pair; see README "Languages" for how they move into this catalogue later.

Texts with values in them use ``{name}`` placeholders in the msgid; texts made
elsewhere in English (click's help, pydantic's validation messages, task
actions of projections) are translated here, at the edge, by a stable key: the
paragraph, the pydantic error type, or the task template.
"""
from __future__ import annotations

import gettext as _gettext
import re
from pathlib import Path

LOCALEDIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "ledger"
LANGUAGES = ("en", "ja")

_state = {"lang": "en"}
_cache: dict[str, _gettext.NullTranslations] = {}
MISSING: set[str] = set()  # msgids asked for in Japanese without a translation (the tests check it stays empty)


def set_language(lang: str) -> None:
    _state["lang"] = lang if lang in LANGUAGES else "en"


def language() -> str:
    return _state["lang"]


def lang_from_env(environ) -> str:
    """``LANG=ja_JP.UTF-8`` (or LC_ALL / LC_MESSAGES / LANGUAGE starting with ja) means Japanese."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        value = environ.get(var) or ""
        if value:
            return "ja" if value.startswith("ja") else "en"
    return "en"


def translation(lang: str) -> _gettext.NullTranslations:
    if lang not in _cache:
        _cache[lang] = (_gettext.NullTranslations() if lang == "en" else
                        _gettext.translation(DOMAIN, str(LOCALEDIR), [lang], fallback=True))
    return _cache[lang]


def _(msgid: str) -> str:
    """The text in the current language (the msgid itself in English)."""
    lang = language()
    if lang == "en" or not msgid:
        return msgid
    t = translation(lang)
    if msgid not in getattr(t, "_catalog", {msgid: None}) and re.search(r"[A-Za-z]{3}", msgid):
        MISSING.add(msgid)
    return t.gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    if language() == "en":
        return singular if n == 1 else plural
    return _(singular if n == 1 else plural)


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated later, where it is shown."""
    return msgid


def f_(msgid: str, **values: object) -> str:
    """A translated template with its ``{name}`` values filled in."""
    return _(msgid).format(**values)


# --- click: its own texts, and help by paragraph -------------------------------------

def install_into_click() -> None:
    """Route click's own texts ("Usage:", "Options", "Missing option", …) through this catalogue.

    click looks its texts up with ``gettext.gettext`` bound as ``_`` in each of
    its modules; pointing those names here is the documented way click is
    translated (its msgids are in our catalogue).
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.shell_completion
    import click.termui
    import click.types

    for mod in (click.core, click.decorators, click.exceptions, click.formatting, click.parser,
                click.shell_completion, click.termui, click.types):
        mod._ = _
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext


# Paragraph templates: text built with values (the value part is kept as it is).
HELP_TEMPLATES = [N_('The same as the JSON Lines command "{name}".')]
ONE_OF = N_("One of: {choices}.")


def pattern(template: str) -> re.Pattern:
    """A regular expression matching the English text a ``{name}`` template makes."""
    return re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(template)) + "$", re.S)


def _template(templates: list[str], text: str) -> str | None:
    for t in templates:
        m = pattern(t).match(text)
        if m:
            return f_(t, **m.groupdict())
    return None


def help_units(text: str) -> list[str]:
    """The msgids of one help text: each paragraph with its lines joined; a
    ``\\b`` block (examples) contributes only its heading lines."""
    units = []
    for para in text.split("\n\n"):
        if para.lstrip().startswith("\b"):
            units.extend(line.strip() for line in para.splitlines()[1:] if re.fullmatch(r"\s*\w[\w ]*:", line))
            continue
        key = " ".join(para.split())
        if key:
            head, _sep, choices = key.partition(" One of: ")
            units.extend([t for t in HELP_TEMPLATES if pattern(t).match(head)] or [head])
    return units


def help_paragraph(key: str) -> str:
    head, sep, choices = key.partition(" One of: ")
    text = _template(HELP_TEMPLATES, head) or _(head)
    if sep:
        text = f"{text}{'' if language() == 'ja' else ' '}{f_(ONE_OF, choices=choices.rstrip('.'))}"
    return text


def help_text(text: str) -> str:
    """A help text in the current language, paragraph by paragraph."""
    if language() == "en":
        return text
    out = []
    for para in text.split("\n\n"):
        if para.lstrip().startswith("\b"):
            out.append("\n".join(re.sub(r"^(\s*)(\w[\w ]*):$", lambda m: f"{m.group(1)}{_(m.group(2) + ':')}", line)
                                 for line in para.splitlines()))
        else:
            key = " ".join(para.split())
            out.append(help_paragraph(key) if key else para)
    return "\n\n".join(out)


def option_help(text: str) -> str:
    """An option's help record: the help text, then click's own ``[default: …]`` part."""
    if language() == "en":
        return text
    m = re.match(r"^(.*?)((?:\s\s)?\[[^\]]*\])?$", text, re.S)
    body, extra = (m.group(1), m.group(2) or "") if m else (text, "")
    return (help_paragraph(" ".join(body.split())) if body.strip() else "") + extra


# --- pydantic's validation messages, by error type ------------------------------------

# msgid per pydantic error type: its English template with the ctx values as {names}.
VALIDATION = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": N_("Input should be a valid integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "bool_type": N_("Input should be a valid boolean"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "string_too_long": N_("String should have at most {max_length} characters"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_type": N_("Input should be a valid date"),
    "date_from_datetime_inexact": N_("Datetimes provided to dates should have zero time - e.g. be exact dates"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_type": N_("Input should be a valid datetime"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "dict_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "value_error": N_("Value error, {error}"),
    "assertion_error": N_("Assertion failed, {error}"),
}
# Texts raised by our own validators (commands/models.py), and pydantic's date sub-errors.
VALUE_TEMPLATES = [
    N_("must be the card processor's token (a letter, then letters, digits, _ or -), never a card number"),
    N_("on ({on}) and at ({at}) name different days; give one of them"),
    N_("input is too short"), N_("input is too long"), N_("invalid character in year"),
    N_("invalid character in month"), N_("invalid character in day"), N_("month value is outside expected range of 1-12"),
    N_("day value is outside expected range"), N_("invalid date separator, expected `-`"),
    N_("unexpected extra characters at the end of the input"), N_("invalid character in hour"),
    N_("invalid datetime separator, expected `T`, `t`, `_` or space"),
]


def validation_message(v: dict) -> str:
    """Pydantic's message for one error, in the current language."""
    if language() == "en":
        return v["msg"]
    template = VALIDATION.get(v["type"])
    if template is None:
        return _(v["msg"])
    ctx = dict(v.get("ctx") or {})
    for key in ("error",):
        if key in ctx:
            ctx[key] = _template(VALUE_TEMPLATES, ctx[key]) or _(ctx[key])
    try:
        return f_(template, **ctx)
    except (KeyError, IndexError):
        return _(v["msg"])


FIELD_ERROR = N_("{command}: field '{field}': {message}{shown}.")


def error_message(err) -> str:
    """A LedgerError's message; a validation error's pydantic text through the catalogue."""
    lang = language()
    v = getattr(err, "validation", None)
    if v is None or lang == "en":
        return err.message(lang)
    shown = v["shown"].replace(" (got ", " (" + _("got") + " ") if v["shown"] else ""
    return f_(FIELD_ERROR, command=v["command"], field=v["field"], message=validation_message(v), shown=shown)


def error_dict(err) -> dict:
    out = err.as_dict(language())
    out["message"] = error_message(err)
    return out


# click's own texts this CLI can show (its msgids, so the catalogue holds their Japanese).
CLICK = [
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."), N_("Show the version and exit."),
    N_("required"), N_("default: {default}"), N_("env var: {var}"), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Missing option"), N_("Missing argument"), N_("Missing command."),
    N_("Missing parameter"), N_("Missing {param_type}"), N_("Missing parameter: {param_name}"),
    N_("No such command {name!r}."), N_("No such option {name!r}."), N_("Option {name!r} does not take a value."),
    N_("Option {name!r} requires an argument."), N_("Option {name!r} requires {nargs} arguments."),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"),
    N_("{value!r} is not {choice}."), N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("Did you mean {possibility}?"), N_("(Did you mean one of: {possibilities}?)"),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."), N_("{name} {filename!r} is not readable."),
    N_("Could not open file {filename!r}: {message}"), N_("file"), N_("path"), N_("directory"), N_("Aborted!"),
    N_("unknown error"), N_("Choose from:\n\t{choices}"), N_("%(prog)s, version %(version)s"),
]
