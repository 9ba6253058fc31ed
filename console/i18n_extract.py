"""Babel extraction for console/services/labels.py: its `_()` calls and the words of its label tables.

The label tables are plain dictionaries of English words, translated where they are shown; this method
puts those words in the catalogs too (babel.cfg maps labels.py to it), so a label has its Chinese however
the table is looked up.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any


def extract_label_tables(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Any
) -> Iterator[tuple[Any, ...]]:
    from babel.messages.extract import extract_python

    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
                    yield value.lineno, "", value.value, []
