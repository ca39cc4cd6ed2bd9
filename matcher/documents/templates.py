"""The DOCX templates (docxtpl: Jinja2 inside Word) and the institution's own in their place.

The package ships one template per document in ``matcher/templates/``. An institution replaces
any of them by a file of the same name in its own folder (``mentor-match run --templates DIR``)
or, in the service, by uploading it. A file in that folder that is not one of the known names is
an error, not ignored (Word's own lock files «~$…» and hidden files excepted); so is a template
whose Jinja2 does not parse, named in Russian with the template's name.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from lxml import etree

from matcher.documents.declension import (
    case_named,
    decline_name,
    decline_position,
    initials_first,
    surname_initials,
)
from matcher.errors import ConfigurationError


class Form(StrEnum):
    """The documents, by the template's file name."""

    ORDER = "приказ.docx"
    PROGRAMME = "программа.docx"
    CONSENT = "согласие.docx"
    MENTEE_QUESTIONNAIRE = "анкета-наставляемого.docx"
    MENTOR_QUESTIONNAIRE = "анкета-наставника.docx"


FORM_TITLES = {
    Form.ORDER: "приказ «О закреплении наставнических пар (групп)»",
    Form.PROGRAMME: "персонализированная программа наставничества",
    Form.CONSENT: "согласие на участие в наставничестве и на обработку персональных данных",
    Form.MENTEE_QUESTIONNAIRE: "анкета наставляемого по итогам программы",
    Form.MENTOR_QUESTIONNAIRE: "анкета наставника по итогам программы",
}
HEADER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_URI = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
COMPILED_PARTS = 256
"""Compiled XML parts kept; an institution's templates and the packaged ones fit many times."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACING = re.compile(r"[\t\r\n]+")


class TemplateError(ConfigurationError):
    """A template that cannot be read or rendered; the message names it, in Russian."""

    def __init__(self, form: Form, source: str, problem: str) -> None:
        super().__init__(f"шаблон «{form.value}» ({source}): {problem}")
        self.form = form
        self.source = source
        self.problem = problem


def clean_text(text: str) -> str:
    """Text a document can hold: no control characters (they break the file), tabs and line
    breaks as spaces. Markup is escaped by the renderer, and Word evaluates no text as a formula."""
    return _SPACING.sub(" ", _CONTROL.sub("", text)).strip()


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {key: _cleaned(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(item) for item in value]
    return value


def _filter(function: Callable[[str, Any], str]) -> Callable[[str, str], str]:
    def apply(text: str, case: str = "именительный") -> str:
        try:
            return function(text, case_named(case))
        except ValueError as exc:
            raise jinja2.TemplateRuntimeError(str(exc)) from None

    return apply


class _Environment(jinja2.Environment):
    """Compiles each distinct XML part once: docxtpl asks ``from_string`` for every part of every
    document, and the parts of one template are the same text each time."""

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: str | jinja2.nodes.Template, *args: Any, **kwargs: Any) -> jinja2.Template:
        if args or kwargs or not isinstance(source, str):
            return super().from_string(source, *args, **kwargs)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= COMPILED_PARTS:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


@cache
def environment() -> jinja2.Environment:
    """Jinja2 with the filters a template may use; an unknown variable is an error, not a blank."""
    env = _Environment()
    env.filters["падеж"] = _filter(decline_name)
    env.filters["падеж_должности"] = _filter(decline_position)
    env.filters["инициалы"] = initials_first
    env.filters["фамилия_инициалы"] = surname_initials
    return env


@dataclass(frozen=True, slots=True)
class TemplateSource:
    form: Form
    content: bytes
    source: str
    """Where it came from, for messages: «стандартный» or the path or «загружен …»."""

    def _template(self) -> DocxTemplate:
        try:
            return DocxTemplate(io.BytesIO(self.content))
        except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
            raise TemplateError(self.form, self.source, "это не документ Word (.docx)") from None

    def check(self) -> None:
        """Parse the template's Jinja2 without rendering it; a syntax error is a TemplateError."""
        template = self._template()
        try:
            template.init_docx()
            for xml in [template.get_xml(), *_part_xml(template)]:
                environment().parse(template.patch_xml(xml))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(self.form, self.source, _syntax_ru(exc)) from None
        except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
            raise TemplateError(self.form, self.source, "это не документ Word (.docx)") from None

    def render(self, context: Mapping[str, Any]) -> bytes:
        template = self._template()
        try:
            template.render(_cleaned(context), environment(), autoescape=True)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(self.form, self.source, _syntax_ru(exc)) from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(
                self.form, self.source, f"неизвестное поле или ошибка в выражении ({exc.message})"
            ) from None
        except jinja2.TemplateError as exc:
            raise TemplateError(self.form, self.source, f"ошибка при заполнении ({exc})") from None
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
            raise TemplateError(self.form, self.source, "это не документ Word (.docx)") from None
        buffer = io.BytesIO()
        template.save(buffer)
        return buffer.getvalue()


def _part_xml(template: DocxTemplate) -> list[str]:
    """The headers' and footers' XML, which docxtpl renders too."""
    return [
        template.get_part_xml(part)
        for uri in (HEADER_URI, FOOTER_URI)
        for _, part in template.get_headers_footers(uri)
    ]


def _syntax_ru(exc: jinja2.TemplateSyntaxError) -> str:
    return f"ошибка в разметке {{{{ … }}}} / {{% … %}}: {exc.message}"


def packaged(form: Form) -> TemplateSource:
    content = resources.files("matcher").joinpath("templates", form.value).read_bytes()
    return TemplateSource(form, content, "стандартный шаблон")


@dataclass(frozen=True, slots=True)
class TemplateSet:
    """The templates to use: the institution's own where it has one, else the packaged one."""

    custom: Mapping[Form, TemplateSource]

    def __getitem__(self, form: Form) -> TemplateSource:
        return self.custom.get(form) or packaged(form)

    @classmethod
    def standard(cls) -> TemplateSet:
        return cls({})

    @classmethod
    def from_folder(cls, folder: Path) -> TemplateSet:
        """The templates in ``folder``, checked; unknown files and broken templates are errors."""
        if not folder.is_dir():
            raise ConfigurationError(f"папка шаблонов {folder} не найдена")
        known = {form.value: form for form in Form}
        custom: dict[Form, TemplateSource] = {}
        for path in sorted(folder.iterdir()):
            if path.name.startswith(("~$", ".")):
                continue
            form = known.get(path.name)
            if form is None:
                raise ConfigurationError(
                    f"в папке шаблонов {folder} файл «{path.name}» не распознан: шаблоны называются "
                    + ", ".join(f"«{name}»" for name in known)
                )
            source = TemplateSource(form, path.read_bytes(), str(path))
            source.check()
            custom[form] = source
        return cls(custom)
