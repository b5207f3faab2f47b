from collections.abc import Callable
from typing import TypeVar

Parsed = TypeVar("Parsed")


class ParseCache(dict[str, Parsed | ValueError]):
    # Exports repeat the same amounts, dates, statuses and currencies many times; each
    # distinct text is parsed once and its value (or the ValueError) remembered.
    def __init__(self, parse: Callable[[str], Parsed]) -> None:
        super().__init__()
        self._parse = parse

    def __missing__(self, text: str) -> Parsed | ValueError:
        value: Parsed | ValueError
        try:
            value = self._parse(text)
        except ValueError as error:
            value = error
        self[text] = value
        return value


def parse_all(
    texts: list[str | None], parse: Callable[[str], Parsed], blank: Parsed
) -> list[Parsed | ValueError]:
    cache = ParseCache(parse)
    return [blank if text is None else cache[text] for text in texts]
