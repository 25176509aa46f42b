"""Describing a failure without the personal data it may carry, for logs and stored rows.

An exception's text can hold what people wrote: SQLAlchemy appends the statement's parameters
(names, phone numbers, message texts), pydantic quotes the input it refused, a driver repeats
the duplicate key. What is kept instead: the exception's type, the database's own error type
and SQLSTATE, the names of the fields that failed validation, and where in the code it
happened. Other exceptions keep the first line of their message, which cassbot's own code
writes without people's data.
"""

from __future__ import annotations

import sysconfig
import traceback
from pathlib import PurePath

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, StatementError

MESSAGE_LIMIT = 300
_STDLIB = PurePath(sysconfig.get_paths()["stdlib"])
_FIELDS_SHOWN = 5


def describe(exc: BaseException) -> str:
    """`Type: short message` with nothing a person wrote in it."""
    name = type(exc).__name__
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
        origin = type(orig).__name__ + (f", {code}" if code else "")
        return f"{name} ({origin})"
    if isinstance(exc, StatementError):
        return f"{name} ({type(exc.orig).__name__})" if exc.orig is not None else name
    if isinstance(exc, ValidationError):
        fields = [
            ".".join(str(part) for part in error["loc"]) + f" ({error['type']})"
            for error in exc.errors(include_input=False, include_url=False)[:_FIELDS_SHOWN]
        ]
        return f"{name}: {exc.error_count()} invalid field(s): {', '.join(fields)}"
    lines = str(exc).strip().splitlines()
    if not lines:
        return name
    return f"{name}: {lines[0][:MESSAGE_LIMIT]}"


def where(exc: BaseException, frames: int = 4) -> str:
    """Where it failed, innermost first: `folder/file:line function` of the project's own
    frames (libraries' frames say little), then the library frame that raised, if any."""
    stack = traceback.extract_tb(exc.__traceback__)
    ours = [frame for frame in stack if not _is_library(frame.filename)][-frames:]
    text = " < ".join(_frame(frame) for frame in reversed(ours))
    if stack and _is_library(stack[-1].filename):
        raised = f"raised in {_frame(stack[-1])}"
        text = f"{text} ({raised})" if text else raised
    return text


def _frame(frame: traceback.FrameSummary) -> str:
    return f"{'/'.join(PurePath(frame.filename).parts[-2:])}:{frame.lineno} {frame.name}"


def _is_library(filename: str) -> bool:
    path = PurePath(filename)
    return (
        "site-packages" in path.parts
        or "dist-packages" in path.parts
        or path.is_relative_to(_STDLIB)
    )
