"""The tables a piece of SQL names, and the SQL string constants of a Python file.

Pure functions over text, used by ``tools/check_architecture.py``. The SQL scan works on
tokens, not regular expressions over the whole text, so it is not misled by comments,
string literals, casts (``$1::journey_row_input[]``), function calls in a FROM list
(``unnest(...)``, ``jsonb_array_elements(...)``), ``extract(epoch FROM ...)``,
``IS DISTINCT FROM``, aliases, or the names of CTEs and transition tables.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$)
  | (?P<string>[EeBbXxUu]?'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<param>\$\d+)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<cast>::)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Words after which a parenthesis opens a subquery or a list, not a function's arguments:
# a FROM inside such a parenthesis names a table, one inside extract(...) does not.
_NOT_FUNCTIONS = {
    "as", "in", "exists", "any", "all", "some", "array", "from", "join", "values", "using",
    "on", "where", "and", "or", "not", "select", "with", "lateral", "union", "intersect",
    "except", "when", "then", "else", "materialized", "returning", "set", "by",
}
# Words that end a FROM item (so are never its alias).
_CLAUSE_WORDS = {
    "select", "where", "group", "order", "limit", "values", "set", "on", "using", "as",
    "join", "inner", "left", "right", "full", "outer", "cross", "natural", "lateral", "only",
    "union", "intersect", "except", "returning", "window", "having", "offset", "fetch", "for",
    "and", "or", "not", "when", "then", "else", "end", "case", "with", "into", "do",
    "conflict", "default", "from", "tablesample", "ordinality",
}
_TABLE_AFTER_TABLE = {"create", "alter", "drop", "truncate", "unlogged", "temp", "temporary",
                      "lock", "global", "local"}
_SKIPPED_BEFORE_NAME = {"if", "not", "exists", "only"}
# What may come right before a statement: nothing, a parenthesis (a CTE's body), or, in a
# PL/pgSQL body, a block or branch keyword.
_STATEMENT_OPENERS = {None, "(", ")", ";", "begin", "then", "else", "loop", "do"}


@dataclass(frozen=True)
class Token:
    kind: str  # word, quoted, punct, param, number, string, cast
    text: str  # a word lowercased; a quoted identifier unquoted
    offset: int


@dataclass(frozen=True)
class TableRef:
    table: str
    offset: int  # where in the SQL text the name starts


def tokens(sql: str, base: int = 0) -> Iterator[Token | tuple[str, int]]:
    """Tokens of ``sql``; a dollar-quoted body is yielded as ("body", its text, offset)."""
    position = 0
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        assert match is not None  # the last alternative matches any character
        kind = match.lastgroup if match.lastgroup != "tag" else "dollar"
        if kind == "dollar":
            closing = sql.find(match.group("dollar"), match.end())
            end = len(sql) if closing < 0 else closing
            yield (sql[match.end():end], base + match.end())
            position = end + len(match.group("dollar")) if closing >= 0 else len(sql)
            continue
        text = match.group(0)
        if kind == "word":
            yield Token("word", text.lower(), base + match.start())
        elif kind == "quoted":
            yield Token("word", text[1:-1].replace('""', '"'), base + match.start())
        elif kind not in ("space", "comment"):
            yield Token(kind or "punct", text, base + match.start())
        position = match.end()


def statements(sql: str, base: int = 0) -> Iterator[list[Token]]:
    """The statements of ``sql`` as token lists; a dollar-quoted body (a function's) is
    scanned as SQL of its own."""
    current: list[Token] = []
    for token in tokens(sql, base):
        if isinstance(token, tuple):
            yield from statements(token[0], token[1])
        elif token.kind == "punct" and token.text == ";":
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


def _word(statement: list[Token], index: int) -> str | None:
    if 0 <= index < len(statement) and statement[index].kind == "word":
        return statement[index].text
    return None


def _text(statement: list[Token], index: int) -> str | None:
    return statement[index].text if 0 <= index < len(statement) else None


def _matching(statement: list[Token], index: int) -> int:
    """Index just past the parenthesis that closes the one at ``index``."""
    depth = 0
    for position in range(index, len(statement)):
        token = statement[position]
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
            if depth == 0:
                return position + 1
    return len(statement)


def _name_at(statement: list[Token], index: int,
             columns: bool = False) -> tuple[TableRef | None, int]:
    """A (possibly schema-qualified) relation name at ``index``, or None for a function
    call, a subquery, a parameter; and the index just past it. ``columns``: a parenthesis
    after the name is its column list (CREATE TABLE t (...), INSERT INTO t (...)), not a
    call."""
    while _word(statement, index) in _SKIPPED_BEFORE_NAME:
        index += 1
    first = _word(statement, index)
    if first is None or first in _CLAUSE_WORDS:
        if _text(statement, index) == "(":
            return None, _matching(statement, index)
        return None, index
    end, name, qualified = index + 1, first, False
    while _text(statement, end) == "." and _word(statement, end + 1) is not None:
        name, end, qualified = statement[end + 1].text, end + 2, True
    if not columns and _text(statement, end) == "(":  # a call: unnest(...), generate_series(...)
        return None, _matching(statement, end)
    if qualified and first in ("pg_catalog", "information_schema"):
        return None, end
    return TableRef(name, statement[index].offset), end


def _from_list(statement: list[Token], index: int) -> Iterator[TableRef]:
    """Every table of a FROM / USING list starting at ``index`` (comma-separated items)."""
    while True:
        while _word(statement, index) in ("lateral", "only"):
            index += 1
        ref, index = _name_at(statement, index)
        if ref is not None:
            yield ref
        if _word(statement, index) == "with" and _word(statement, index + 1) == "ordinality":
            index += 2
        if _word(statement, index) == "as":
            index += 2
        elif _word(statement, index) is not None and _word(statement, index) not in (
                _CLAUSE_WORDS):
            index += 1
        if _text(statement, index) == "(":  # column aliases: AS e(email)
            index = _matching(statement, index)
        if _text(statement, index) != ",":
            return
        index += 1


def local_names(statement: list[Token]) -> tuple[set[str], set[str]]:
    """The CTE names the statement defines (its own), and the transition tables
    (REFERENCING NEW TABLE AS x) and temporary tables it defines (for the whole text: a
    trigger's function is written before the trigger)."""
    names, lasting = set(), set()
    for index, token in enumerate(statement):
        if token.kind != "word":
            continue
        before = _text(statement, index - 1)
        if before in ("with", "recursive", ","):
            after = index + 1
            if _text(statement, after) == "(":
                after = _matching(statement, after)
            if _word(statement, after) == "as" and (
                    _text(statement, after + 1) == "("
                    or _word(statement, after + 1) in ("materialized", "not")):
                names.add(token.text)
        if before == "as" and _word(statement, index - 2) == "table" and _word(
                statement, index - 3) in ("new", "old"):
            lasting.add(token.text)
        if token.text == "table" and before in ("temp", "temporary"):
            ref, _ = _name_at(statement, index + 1, columns=True)
            if ref is not None:
                lasting.add(ref.table)
    return names, lasting


def _reads_list(word: str, before: str | None, in_call: bool, deletes: bool) -> bool:
    """Whether a FROM / USING list starts after ``word``."""
    if word == "from":
        return before != "distinct" and not in_call  # not IS DISTINCT FROM, extract(x FROM y)
    return word == "join" or (word == "using" and deletes)


def _names_one(word: str, before: str | None, after: str | None) -> bool:
    """Whether one relation name follows ``word`` (INSERT INTO t, ALTER TABLE t, ...)."""
    return ((word == "into" and before in ("insert", "merge"))
            or (word == "update" and before in (_STATEMENT_OPENERS | {"with"}) - {"do"})
            or (word == "table" and before in _TABLE_AFTER_TABLE)
            or (word in ("truncate", "copy") and before in _STATEMENT_OPENERS
                and after != "table")
            or word == "references"
            or (word == "view" and before in ("create", "replace", "materialized", "drop",
                                              "alter")))


def _statement_refs(statement: list[Token]) -> Iterator[TableRef]:
    opener = [t.text for t in statement[:4] if t.kind == "word"]
    is_index = opener[:2] == ["create", "index"] or opener[:3] == ["create", "unique", "index"]
    is_trigger = opener[:1] == ["create"] and "trigger" in opener
    deletes = any(t.kind == "word" and t.text in ("delete", "merge") for t in statement)
    seen_on = False
    calls: list[bool] = []  # for each open parenthesis: a function's arguments?
    for index, token in enumerate(statement):
        before = _text(statement, index - 1)
        if token.kind == "punct" and token.text == "(":
            calls.append(index > 0 and statement[index - 1].kind == "word"
                         and before not in _NOT_FUNCTIONS)
            continue
        if token.kind == "punct" and token.text == ")":
            if calls:
                calls.pop()
            continue
        if token.kind != "word" or before in ("::", "."):
            continue
        word = token.text
        if _reads_list(word, before, bool(calls) and calls[-1], deletes):
            yield from _from_list(statement, index + 1)
        elif _names_one(word, before, _word(statement, index + 1)):
            yield from _first(statement, index + 1)
        elif word == "on" and (is_index or is_trigger) and not seen_on and not calls:
            seen_on = True
            yield from _first(statement, index + 1)


def _first(statement: list[Token], index: int) -> Iterator[TableRef]:
    ref, _ = _name_at(statement, index, columns=True)
    if ref is not None:
        yield ref


def tables_in_sql(sql: str) -> list[TableRef]:
    """Every relation ``sql`` names, except CTEs, transition and temporary tables it defines
    and PostgreSQL's own catalogs (pg_*)."""
    found: list[TableRef] = []
    parsed = [(statement, *local_names(statement)) for statement in statements(sql)]
    lasting = {name for _, _, names in parsed for name in names}
    for statement, ctes, _ in parsed:
        local = ctes | lasting
        found.extend(ref for ref in _statement_refs(statement)
                     if ref.table not in local and not ref.table.startswith("pg_"))
    return found


# --------------------------------------------------------------------------- Python files
_LOOKS_LIKE_SQL = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH|CREATE|ALTER|DROP|TRUNCATE|FROM|JOIN)"
    r"\b")


@dataclass(frozen=True)
class SqlString:
    text: str
    pieces: tuple[tuple[int, int], ...]  # (offset in text, source line) of each literal

    def line_of(self, offset: int) -> int:
        start, line = max((p for p in self.pieces if p[0] <= offset), default=self.pieces[0])
        return line + self.text.count("\n", start, offset)


def _rendered(literal: str) -> str | None:
    """The value of one string literal token; an f-string's fields become ``0``."""
    node = ast.parse(literal, mode="eval").body
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) if isinstance(part, ast.Constant) else " 0 "
                       for part in node.values)
    return None


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(
                    body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                lines.add(body[0].value.lineno)
    return lines


_COPY_METHODS = {"copy_records_to_table", "copy_to_table", "copy_from_table"}


def copied_tables(source: str) -> list[tuple[str, int]]:
    """(table, line) of asyncpg's COPY helpers, which name a table as an argument:
    ``conn.copy_records_to_table("clients", records=...)``."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _COPY_METHODS):
            named = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "table_name")]
            found.extend((arg.value, arg.lineno) for arg in named
                         if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    return found


def sql_strings(source: str) -> list[SqlString]:
    """The string constants of a Python source that look like SQL (an upper-case keyword),
    implicit concatenations joined, docstrings left out."""
    docstrings = _docstring_lines(ast.parse(source))
    groups: list[list[tokenize.TokenInfo]] = []
    previous_was_string = False
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            if previous_was_string:
                groups[-1].append(token)
            else:
                groups.append([token])
            previous_was_string = True
        elif token.type not in (tokenize.NL, tokenize.COMMENT):
            previous_was_string = False
    found = []
    for group in groups:
        if group[0].start[0] in docstrings:
            continue
        text, pieces = "", []
        for token in group:
            value = _rendered(token.string)
            if value is None:
                break
            pieces.append((len(text), token.start[0]))
            text += value
        else:
            if _LOOKS_LIKE_SQL.search(text):
                found.append(SqlString(text, tuple(pieces)))
    return found
