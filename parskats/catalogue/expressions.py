"""The check language: a small, safe expression language over indicator codes.

    users_u18 <= users
    abs(visits - prev(visits)) <= 0.3 * prev(visits) or abs(visits - prev(visits)) < 500
    present(users) and events >= activities.count

A tokenizer and a recursive-descent parser build a tree of tuples; a checker gives every node a
type (number or truth value) and refuses mixtures at load time; the evaluator walks the tree with
Decimal arithmetic. Nothing is ever handed to Python's eval, no attribute is looked up, and the
only functions are the ones named in FUNCTIONS. A value that is missing, "not applicable" or
"unknown" makes the whole expression inapplicable (Missing), except inside present().
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any, Protocol

MAX_LENGTH = 1000
MAX_DEPTH = 40

NUM, BOOL = "number", "truth value"
# name → (argument kinds, result kind); "name" means the argument must be a bare indicator code.
FUNCTIONS: dict[str, tuple[tuple[str, ...] | None, str]] = {
    "abs": ((NUM,), NUM),
    "min": (None, NUM),
    "max": (None, NUM),
    "prev": (("name",), NUM),
    "peer_median": (("name",), NUM),
    # The robust outlier fences of the peer group (catalogue/data/peers.toml): below / above them is far.
    "peer_low": (("name",), NUM),
    "peer_high": (("name",), NUM),
    "present": (("name",), BOOL),
}
KEYWORDS = {"and", "or", "not"}
COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}

_TOKEN_RE = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)"
    r"|(?P<op><=|>=|==|!=|[-+*/<>(),]))"
)


class ExpressionError(ValueError):
    """The text is not a valid check expression; the message says where and why."""


class Missing(Exception):
    """A value the expression needs is missing, not applicable or unknown: the check does not apply."""


class Environment(Protocol):
    def value(self, name: str) -> Decimal: ...  # raises Missing

    def previous(self, name: str) -> Decimal: ...  # raises Missing

    def peer_median(self, name: str) -> Decimal: ...  # raises Missing

    def peer_fence(self, name: str, high: bool) -> Decimal: ...  # raises Missing

    def present(self, name: str) -> bool: ...


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, op, end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN_RE.match(text, position)
        if not match or match.end() == position:
            start = position + len(text[position:]) - len(text[position:].lstrip())
            raise ExpressionError(f"unexpected character {text[start]!r} at position {start + 1}")
        kind = match.lastgroup or "op"
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


Node = tuple[
    Any, ...
]  # ("num", Decimal) | ("name", str) | ("call", fn, args) | ("neg", x) | (op, left, right) | ("not", x)


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None) -> Token:
        token = self.current
        if text is not None and token.text != text:
            found = token.text or "the end"
            raise ExpressionError(f"expected {text!r} at position {token.position + 1}, found {found!r}")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.disjunction()
        if self.current.kind != "end":
            raise ExpressionError(f"unexpected {self.current.text!r} at position {self.current.position + 1}")
        return node

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep")

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.current.text == "or" and self.current.kind == "name":
            self.take()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.current.text == "and" and self.current.kind == "name":
            self.take()
            node = ("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.current.text == "not" and self.current.kind == "name":
            self.take()
            self.nested()
            node = ("not", self.negation())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        if self.current.text in COMPARISONS:
            op = self.take().text
            node = (op, node, self.sum())
            if self.current.text in COMPARISONS:
                raise ExpressionError(f"chained comparison at position {self.current.position + 1}: use and")
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.current.text in ("+", "-") and self.current.kind == "op":
            op = self.take().text
            node = (op, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.current.text in ("*", "/") and self.current.kind == "op":
            op = self.take().text
            node = (op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.current.text == "-" and self.current.kind == "op":
            self.take()
            self.nested()
            node = ("neg", self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.take()
            return ("num", Decimal(token.text))
        if token.kind == "name" and token.text not in KEYWORDS:
            self.take()
            if self.current.text == "(":
                return self.call(token)
            return ("name", token.text)
        if token.text == "(":
            self.take()
            self.nested()
            node = self.disjunction()
            self.depth -= 1
            self.take(")")
            return node
        found = token.text or "the end"
        raise ExpressionError(f"expected a number, a code or '(' at position {token.position + 1}, found {found!r}")

    def call(self, name: Token) -> Node:
        if name.text not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name.text!r} at position {name.position + 1}")
        self.take("(")
        self.nested()
        args = [self.disjunction()]
        while self.current.text == ",":
            self.take()
            args.append(self.disjunction())
        self.take(")")
        self.depth -= 1
        return ("call", name.text, tuple(args))


def kind_of(node: Node) -> str:
    """The node's type (NUM or BOOL); ExpressionError for a mixture such as `users and 3`."""
    tag = node[0]
    if tag in ("num", "name"):
        return NUM
    if tag == "neg":
        _expect(node[1], NUM, "-")
        return NUM
    if tag == "not":
        _expect(node[1], BOOL, "not")
        return BOOL
    if tag in ("and", "or"):
        _expect(node[1], BOOL, tag)
        _expect(node[2], BOOL, tag)
        return BOOL
    if tag in COMPARISONS:
        _expect(node[1], NUM, tag)
        _expect(node[2], NUM, tag)
        return BOOL
    if tag in ("+", "-", "*", "/"):
        _expect(node[1], NUM, tag)
        _expect(node[2], NUM, tag)
        return NUM
    return _call_kind(node[1], node[2])


def _call_kind(name: str, args: tuple[Node, ...]) -> str:
    """A call's type, after checking its arguments against the function's signature."""
    wanted, result = FUNCTIONS[name]
    if wanted is None:
        if not args:
            raise ExpressionError(f"{name}() needs at least one argument")
        for arg in args:
            _expect(arg, NUM, name)
        return result
    if len(args) != len(wanted):
        raise ExpressionError(f"{name}() takes {len(wanted)} argument(s), not {len(args)}")
    for arg, kind in zip(args, wanted, strict=True):
        if kind != "name":
            _expect(arg, kind, name)
        elif arg[0] != "name":
            raise ExpressionError(f"{name}() takes an indicator code")
    return result


def _expect(node: Node, kind: str, where: str) -> None:
    found = kind_of(node)
    if found != kind:
        raise ExpressionError(f"{where} needs a {kind}, not a {found}")


@dataclass(frozen=True)
class Expression:
    text: str
    tree: Node

    @property
    def names(self) -> list[str]:
        """The indicator codes (and special names) the expression reads, in order of appearance."""
        found: list[str] = []

        def walk(node: Node) -> None:
            if node[0] == "name":
                if node[1] not in found:
                    found.append(node[1])
            elif node[0] == "call":
                for arg in node[2]:
                    walk(arg)
            elif node[0] != "num":
                for child in node[1:]:
                    walk(child)

        walk(self.tree)
        return found

    @property
    def peer_names(self) -> list[str]:
        """The codes whose peer-group median the expression reads."""
        return [node[2][0][1] for node in _calls(self.tree) if node[1] in ("peer_median", "peer_low", "peer_high")]

    @property
    def functions(self) -> set[str]:
        """The functions the expression calls."""
        return {node[1] for node in _calls(self.tree)}

    def evaluate(self, env: Environment) -> bool:
        """True when the check holds; Missing when a value it needs is absent."""
        try:
            return bool(_evaluate(self.tree, env))
        except DecimalException:
            raise Missing("arithmetic out of range") from None


def compile_expression(text: str) -> Expression:
    """Parse and type-check a check expression (which must be a truth value)."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    tree = Parser(text).parse()
    if kind_of(tree) != BOOL:
        raise ExpressionError("a check must be a condition (a comparison, present(), and/or/not)")
    return Expression(text, tree)


def _calls(node: Node) -> Iterator[Node]:
    """The function calls in a tree, outermost first, in order of appearance."""
    if node[0] == "call":
        yield node
        for arg in node[2]:
            yield from _calls(arg)
    elif node[0] not in ("num", "name"):
        for child in node[1:]:
            yield from _calls(child)


def _evaluate(node: Node, env: Environment) -> Decimal | bool:
    tag = node[0]
    if tag == "num":
        number: Decimal = node[1]
        return number
    if tag == "name":
        return env.value(node[1])
    if tag == "neg":
        return -_number(node[1], env)
    if tag == "not":
        return not _evaluate(node[1], env)
    if tag == "and":
        return bool(_evaluate(node[1], env)) and bool(_evaluate(node[2], env))
    if tag == "or":
        return _either(node[1], node[2], env)
    if tag == "call":
        return _call(node[1], node[2], env)
    left, right = _number(node[1], env), _number(node[2], env)
    if tag == "/" and right == 0:
        raise Missing("division by zero")
    return _BINARY[tag](left, right)


_BINARY: dict[str, Callable[[Decimal, Decimal], Decimal | bool]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _either(first: Node, second: Node, env: Environment) -> bool:
    # A missing value on one side does not hide a failure the other side can decide alone.
    try:
        decided = bool(_evaluate(first, env))
    except Missing:
        if _evaluate(second, env):
            return True
        raise
    return decided or bool(_evaluate(second, env))


def _call(name: str, args: tuple[Node, ...], env: Environment) -> Decimal | bool:
    if name == "present":
        return env.present(args[0][1])
    if name == "prev":
        return env.previous(args[0][1])
    if name == "peer_median":
        return env.peer_median(args[0][1])
    if name in ("peer_low", "peer_high"):
        return env.peer_fence(args[0][1], name == "peer_high")
    numbers = [_number(arg, env) for arg in args]
    if name == "abs":
        return abs(numbers[0])
    return min(numbers) if name == "min" else max(numbers)


def _number(node: Node, env: Environment) -> Decimal:
    value = _evaluate(node, env)
    assert isinstance(value, Decimal)  # guaranteed by kind_of at compile time
    return value
