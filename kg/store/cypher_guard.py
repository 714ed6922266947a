"""The console's gate: a Cypher tokenizer and an allowlist of read-only statements.

The guard fails closed. It tokenizes the query the way Neo4j does (comments, string literals
with escapes, backtick identifiers, parameters) but is stricter wherever the two could disagree:
a ``//`` comment ends at any line break character, anything outside strings, comments and
backticks must be printable ASCII, and text it cannot tokenize is refused. Then one policy runs
for both stores:

* one statement (a single trailing ``;`` is allowed);
* it starts with a read clause (MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN, CALL), optionally
  after EXPLAIN or PROFILE;
* no write, admin, file or engine keyword anywhere as a keyword (CREATE, MERGE, SET, DELETE,
  LOAD, USE, SHOW, TERMINATE, COPY, ATTACH, INSTALL, EXPORT, IMPORT, ... ``IN TRANSACTIONS``);
* ``CALL name(...)`` only for the schema procedures in :data:`PROCEDURES`; namespaced functions
  only from :data:`FUNCTION_NAMESPACES` (so no ``dbms.*``, ``apoc.*`` or ``db.*`` side doors,
  however they are quoted with backticks).

>>> _ = check("MATCH (n:Gene) // a comment with a quote '\\nRETURN n.name LIMIT 3")
>>> check("// '\\nLOAD CSV FROM 'file:///proc/self/environ' AS l RETURN l")
Traceback (most recent call last):
...
kg.store.cypher_guard.Refused: Refused: this console is read-only and the query contains LOAD (line 2, column 1). Nothing was run and the graph is unchanged.
>>> check("CALL `dbms`.listConfig()")
Traceback (most recent call last):
...
kg.store.cypher_guard.Refused: Refused: this console is read-only and allows only the schema procedures (db.labels, db.propertyKeys, db.relationshipTypes, db.schema.nodeTypeProperties, db.schema.relTypeProperties, db.schema.visualization), not dbms.listConfig. Nothing was run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


class GuardError(ValueError):
    """The query does not pass the console's gate; nothing was run."""


class Refused(GuardError):
    """The query would write, administer, read files or leave the graph."""


class CypherSyntaxError(GuardError):
    """The query cannot be tokenized (an unclosed string, a stray character...)."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | backtick | string | number | param | punct
    text: str
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper()


#: Schema procedures a reader may call (lower case, dotted).
PROCEDURES = frozenset({"db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
                        "db.schema.nodetypeproperties", "db.schema.reltypeproperties"})
_PROCEDURE_NAMES = ("db.labels, db.propertyKeys, db.relationshipTypes, db.schema.nodeTypeProperties, "
                    "db.schema.relTypeProperties, db.schema.visualization")
#: Namespaces of built-in functions that only compute values.
FUNCTION_NAMESPACES = frozenset({"point", "vector", "date", "datetime", "localdatetime", "time", "localtime",
                                 "duration"})
#: Keywords that write, administer, read files, switch databases or drive the engine's own I/O.
DENIED = frozenset({
    "CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "FOREACH", "LOAD", "USE", "SHOW",
    "TERMINATE", "ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "START", "STOP", "ENABLE", "DISABLE",
    "IMPORT", "EXPORT", "COPY", "INSTALL", "ATTACH", "PERIODIC", "TRANSACTIONS", "INSERT",
    "CYPHER", "CHECKPOINT", "FINISH"})
FIRST_CLAUSES = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"})
_PREFIXES = frozenset({"EXPLAIN", "PROFILE"})

_WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_WORD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER_RE = re.compile(r"0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?")
_PUNCT = ("<>", "<=", ">=", "=~", "+=", "->", "<-", "..", "::", "||", "!=",
          "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "|", "+", "-", "*", "/", "%", "^", "=", "<", ">",
          "!", "&", "?")


def where(query: str, pos: int) -> str:
    """``line L, column C`` of a character offset (1-based), for error messages."""
    line = query.count("\n", 0, pos) + 1
    col = pos - (query.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {col}"


def tokenize(query: str) -> list[Token]:
    """The significant tokens of ``query`` (comments and white space dropped).

    >>> [t.text for t in tokenize("MATCH (n {name: 'it\\\\'s'}) /* x */ RETURN `a``b`")]
    ['MATCH', '(', 'n', '{', 'name', ':', "'it\\\\'s'", '}', ')', 'RETURN', '`a``b`']
    """
    out: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in _WS:
            i += 1
        elif query.startswith("//", i):
            j = i + 2
            while j < n and query[j] not in _LINE_BREAKS:
                j += 1
            i = j
        elif query.startswith("/*", i):
            j = query.find("*/", i + 2)
            if j < 0:
                raise CypherSyntaxError(f"syntax error at {where(query, i)}: the /* comment is never closed")
            i = j + 2
        elif c in "'\"":
            j = i + 1
            while j < n and query[j] != c:
                j += 2 if query[j] == "\\" else 1
            if j >= n:
                raise CypherSyntaxError(f"syntax error at {where(query, i)}: the string is never closed")
            out.append(Token("string", query[i:j + 1], i))
            i = j + 1
        elif c == "`":
            j = i + 1
            while True:
                j = query.find("`", j)
                if j < 0:
                    raise CypherSyntaxError(f"syntax error at {where(query, i)}: the `name` is never closed")
                if query.startswith("``", j):
                    j += 2
                    continue
                break
            out.append(Token("backtick", query[i:j + 1], i))
            i = j + 1
        elif c == "$":
            m = _WORD_RE.match(query, i + 1) or re.compile(r"\d+").match(query, i + 1)
            if m:
                out.append(Token("param", query[i:m.end()], i))
                i = m.end()
            elif query.startswith("`", i + 1):
                j = query.find("`", i + 2)
                if j < 0:
                    raise CypherSyntaxError(f"syntax error at {where(query, i)}: the $`name` is never closed")
                out.append(Token("param", query[i:j + 1], i))
                i = j + 1
            else:
                raise CypherSyntaxError(f"syntax error at {where(query, i)}: '$' must start a parameter name")
        elif c.isascii() and (c.isalpha() or c == "_"):
            m = _WORD_RE.match(query, i)
            assert m is not None  # the branch saw a word character
            out.append(Token("word", m.group(), i))
            i = m.end()
        elif c.isascii() and (c.isdigit() or (c == "." and i + 1 < n and query[i + 1].isdigit())):
            m = _NUMBER_RE.match(query, i)
            assert m is not None  # the branch saw a digit
            out.append(Token("number", m.group(), i))
            i = m.end()
        else:
            p = next((p for p in _PUNCT if query.startswith(p, i)), None)
            if p is None:
                shown = repr(c)
                raise CypherSyntaxError(f"syntax error at {where(query, i)}: unexpected character {shown} "
                                        "(outside strings and `names` only ASCII is accepted)")
            out.append(Token("punct", p, i))
            i += len(p)
    return out


def _name_part(tok: Token) -> str:
    return tok.text[1:-1].replace("``", "`") if tok.kind == "backtick" else tok.text


def _dotted(tokens: list[Token], i: int) -> tuple[str, int]:
    """The dotted name starting at ``tokens[i]`` (backtick parts unquoted) and the index after it."""
    parts = [_name_part(tokens[i])]
    j = i + 1
    while j + 1 < len(tokens) and tokens[j].text == "." and tokens[j + 1].kind in ("word", "backtick"):
        parts.append(_name_part(tokens[j + 1]))
        j += 2
    return ".".join(parts), j


def _refuse(query: str, tok: Token, what: str) -> Refused:
    return Refused(f"Refused: this console is read-only and the query contains {what} "
                   f"({where(query, tok.start)}). Nothing was run and the graph is unchanged.")


def check(query: str) -> list[Token]:
    """Raise :class:`GuardError` unless ``query`` is one read-only statement; return its tokens."""
    tokens = tokenize(query)
    if not tokens:
        raise CypherSyntaxError("The query is empty: type a MATCH … RETURN … query or pick a ready one.")
    for k, tok in enumerate(tokens):
        if tok.text == ";" and k != len(tokens) - 1:
            raise Refused(f"Refused: this console is read-only and runs one statement at a time; a second statement starts after the ';' at "
                          f"{where(query, tok.start)}. Nothing was run.")
    body = tokens[:-1] if tokens[-1].text == ";" else tokens
    k = 0
    while k < len(body) and body[k].kind == "word" and body[k].upper in _PREFIXES:
        k += 1
    if k >= len(body) or body[k].kind != "word" or body[k].upper not in FIRST_CLAUSES:
        first = body[k] if k < len(body) else body[-1]
        if first.kind == "word" and first.upper in DENIED:
            raise _refuse(query, first, first.upper)
        raise Refused(f"Refused: this console is read-only; a query starts with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or "
                      f"CALL; this one starts with {first.text!r} ({where(query, first.start)}). Nothing was run.")
    for j, tok in enumerate(body):
        prev = body[j - 1].text if j else ""
        if tok.kind == "word" and tok.upper in DENIED and prev not in (".", ":", "$"):
            # a map key ({set: 1}) is harmless but rare: refusing it keeps the rule simple and closed
            raise _refuse(query, tok, tok.upper)
        if tok.kind == "word" and tok.upper == "CALL":
            nxt = body[j + 1] if j + 1 < len(body) else None
            if nxt is None:
                raise CypherSyntaxError(f"syntax error at {where(query, tok.start)}: CALL needs a procedure or {{…}}")
            if nxt.text in ("{", "("):
                continue  # a subquery; IN TRANSACTIONS is refused as a keyword above
            if nxt.kind not in ("word", "backtick"):
                raise CypherSyntaxError(f"syntax error at {where(query, nxt.start)}: CALL needs a procedure name")
            name, _ = _dotted(body, j + 1)
            if name.lower() not in PROCEDURES:
                raise Refused(f"Refused: this console is read-only and allows only the schema procedures "
                              f"({_PROCEDURE_NAMES}), not {name}. Nothing was run.")
        elif tok.kind in ("word", "backtick") and prev not in (".", "CALL") and \
                not (j and body[j - 1].kind == "word" and body[j - 1].upper == "CALL"):
            name, after = _dotted(body, j)
            if "." in name and after < len(body) and body[after].text == "(":
                namespace = name.rsplit(".", 1)[0].lower()
                if namespace.split(".")[0] not in FUNCTION_NAMESPACES:
                    raise Refused(f"Refused: this console is read-only; the function {name} is not allowed "
                                  f"({where(query, tok.start)}); built-in functions and the "
                                  f"{', '.join(sorted(FUNCTION_NAMESPACES))} namespaces are. Nothing was run.")
    return tokens


def masked(query: str, *, strings: bool = True) -> str:
    """``query`` with comments blanked and (if ``strings``) string literals emptied, same length.

    >>> masked("MATCH (n {name: 'WITH'}) // UNWIND\\nRETURN n")
    "MATCH (n {name: '    '})          \\nRETURN n"
    """
    chars = list(query)
    kept = bytearray(len(query))
    for tok in tokenize(query):
        for p in range(tok.start, tok.start + len(tok.text)):
            kept[p] = 1
        if strings and tok.kind == "string":
            for p in range(tok.start + 1, tok.start + len(tok.text) - 1):
                chars[p] = " "
    return "".join(ch if kept[p] or ch in "\n" else " " for p, ch in enumerate(chars))
