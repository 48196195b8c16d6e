"""Read the monthly entry page as a browser does (no Django here: locust imports it too)."""

from __future__ import annotations

import html
import re

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_NAME = re.compile(r'\bname="([vc]-\d+-\d+)"')
_VALUE = re.compile(r'\bvalue="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea\b[^>]*\bname="(c-\d+-\d+)"[^>]*>(.*?)</textarea>', re.S)
_VERSION = re.compile(r'data-version="(\d+)"|name="version" value="(\d+)"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(page: str) -> str:
    found = _CSRF.search(page)
    return found.group(1) if found else ""


def entry_version(page: str) -> int | None:
    found = _VERSION.search(page)
    return int(found.group(1) or found.group(2)) if found else None


def entry_fields(page: str) -> dict[str, str]:
    """Every `v-<village>-<service>` input and `c-<village>-<service>` comment with its value."""
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(page):
        name = _NAME.search(tag)
        if name:
            value = _VALUE.search(tag)
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in _TEXTAREA.findall(page):
        fields[name] = html.unescape(text)
    return fields


def rows(fields: dict[str, str]) -> dict[str, list[str]]:
    """Value fields by desa: {"<village id>": ["v-<village>-<service>", ...]}."""
    by_village: dict[str, list[str]] = {}
    for name in fields:
        if name.startswith("v-"):
            by_village.setdefault(name.split("-")[1], []).append(name)
    return by_village
