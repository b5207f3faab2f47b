"""Text columns carried across a process boundary through the Arrow C data interface.

The guarded Excel reader runs in a child process that stays small by not importing polars:
it copies the buffers of fastexcel's Arrow export (validity bitmap, offsets, bytes) into
plain ``bytes``, which pickle sends without converting them. The parent lends those same
buffers to polars through the interface again, so no cell becomes a Python object.
https://arrow.apache.org/docs/format/CDataInterface.html
"""

import ctypes
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar

Consumed = TypeVar("Consumed")


@dataclass(frozen=True)
class TextColumn:
    format: bytes  # b"u" / b"U": text with 32 / 64-bit offsets; b"n": no value at all
    length: int
    null_count: int
    offset: int
    validity: bytes | None
    offsets: bytes
    values: bytes


@dataclass(frozen=True)
class TextSheet:
    height: int
    columns: list[TextColumn]


class _ArrowSchema(ctypes.Structure):
    pass


class _ArrowArray(ctypes.Structure):
    pass


_SchemaRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowSchema))
_ArrayRelease = ctypes.CFUNCTYPE(None, ctypes.POINTER(_ArrowArray))
_ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(_ArrowSchema))),
    ("dictionary", ctypes.POINTER(_ArrowSchema)), ("release", _SchemaRelease),
    ("private_data", ctypes.c_void_p),
]  # fmt: skip
_ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(_ArrowArray))),
    ("dictionary", ctypes.POINTER(_ArrowArray)), ("release", _ArrayRelease),
    ("private_data", ctypes.c_void_p),
]  # fmt: skip

_OFFSET_BYTES: Final = {b"u": 4, b"U": 8}
_NULLABLE: Final = 2  # ARROW_FLAG_NULLABLE

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_new_capsule = ctypes.pythonapi.PyCapsule_New
_new_capsule.restype = ctypes.py_object
_new_capsule.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


# --- out of an exporter (the child) --------------------------------------------------------

def copy_sheet(exported: tuple[object, object]) -> TextSheet:
    """Copies a struct array of text columns, given as (schema, array) capsules."""
    schema = _ArrowSchema.from_address(_capsule_pointer(exported[0], b"arrow_schema"))
    array = _ArrowArray.from_address(_capsule_pointer(exported[1], b"arrow_array"))
    if schema.format != b"+s" or array.offset != 0:
        raise ValueError(f"expected a table of text columns, got format {schema.format!r}")
    columns = [
        _copy_column(schema.children[index].contents, array.children[index].contents)
        for index in range(array.n_children)
    ]
    return TextSheet(array.length, columns)


def _copy_column(schema: _ArrowSchema, array: _ArrowArray) -> TextColumn:
    if schema.format == b"n":
        return TextColumn(b"n", array.length, array.length, 0, None, b"", b"")
    width = _OFFSET_BYTES.get(schema.format)
    if width is None:
        raise ValueError(f"expected text cells, got Arrow format {schema.format!r}")
    end = array.offset + array.length  # offsets and validity count from the buffers' start
    validity_at, offsets_at, values_at = array.buffers[0], array.buffers[1], array.buffers[2]
    offsets_size = (end + 1) * width
    # An empty array may come without an offsets buffer: its one offset is 0.
    offsets = ctypes.string_at(offsets_at, offsets_size) if offsets_at else bytes(offsets_size)
    values_size = int.from_bytes(offsets[-width:], "little", signed=True)
    return TextColumn(
        schema.format, array.length, array.null_count, array.offset,
        ctypes.string_at(validity_at, (end + 7) // 8) if validity_at else None,
        offsets, ctypes.string_at(values_at, values_size) if values_size else b"",
    )  # fmt: skip


# --- into a consumer (the parent) ---------------------------------------------------------

# What a lent array points into stays here until its consumer releases it. The release
# callback is the consumer's to call, whenever it drops the data.
_LENT: dict[int, object] = {}
_TOKENS = itertools.count(1)


def _forget_schema(schema: Any) -> None:
    _LENT.pop(schema.contents.private_data or 0, None)
    schema.contents.release = _SchemaRelease()


def _forget_array(array: Any) -> None:
    _LENT.pop(array.contents.private_data or 0, None)
    array.contents.release = _ArrayRelease()


_release_schema = _SchemaRelease(_forget_schema)
_release_array = _ArrayRelease(_forget_array)


def lend_sheet(sheet: TextSheet, names: Sequence[str],
               consume: Callable[[Any], Consumed]) -> Consumed:
    """``consume`` (e.g. ``pl.DataFrame``) gets an object exporting the sheet's columns."""
    lent = _LentSheet(sheet, [name.encode() for name in names])
    try:
        return consume(lent)
    finally:
        lent.release_unconsumed()


class _LentSheet:
    def __init__(self, sheet: TextSheet, names: list[bytes]) -> None:
        self._sheet = sheet
        self._names = names
        self._given: list[_ArrowSchema | _ArrowArray] = []

    def __arrow_c_schema__(self) -> object:
        schema = self._schema()
        return _new_capsule(ctypes.addressof(schema), b"arrow_schema", None)

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        schema, array = self._schema(), self._array()
        return (_new_capsule(ctypes.addressof(schema), b"arrow_schema", None),
                _new_capsule(ctypes.addressof(array), b"arrow_array", None))

    def release_unconsumed(self) -> None:
        """A consumer takes a struct by moving it out; anything still here was not taken."""
        for struct in self._given:
            if struct.release:
                struct.release(ctypes.pointer(struct))

    def _schema(self) -> _ArrowSchema:
        children = [
            _ArrowSchema(format=column.format, name=name, flags=_NULLABLE,
                         release=_release_schema)
            for column, name in zip(self._sheet.columns, self._names, strict=True)
        ]
        pointers = (ctypes.POINTER(_ArrowSchema) * len(children))(
            *(ctypes.pointer(child) for child in children))
        token = next(_TOKENS)
        schema = _ArrowSchema(format=b"+s", name=b"", n_children=len(children),
                              children=pointers, release=_release_schema, private_data=token)
        _LENT[token] = (children, pointers, schema)
        self._given.append(schema)
        return schema

    def _array(self) -> _ArrowArray:
        kept: list[object] = [self._sheet]
        children = [_column_array(column, kept) for column in self._sheet.columns]
        pointers = (ctypes.POINTER(_ArrowArray) * len(children))(
            *(ctypes.pointer(child) for child in children))
        no_validity = (ctypes.c_void_p * 1)()
        token = next(_TOKENS)
        array = _ArrowArray(length=self._sheet.height, n_buffers=1, buffers=no_validity,
                            n_children=len(children), children=pointers,
                            release=_release_array, private_data=token)
        _LENT[token] = (kept, children, pointers, no_validity, array)
        self._given.append(array)
        return array


def _column_array(column: TextColumn, kept: list[object]) -> _ArrowArray:
    if column.format == b"n":
        return _ArrowArray(length=column.length, null_count=column.null_count,
                           release=_release_array)
    buffers = (ctypes.c_void_p * 3)(
        _address(column.validity) if column.validity is not None else None,
        _address(column.offsets), _address(column.values))
    kept.append(buffers)
    return _ArrowArray(length=column.length, null_count=column.null_count,
                       offset=column.offset, n_buffers=3, buffers=buffers,
                       release=_release_array)


def _address(data: bytes) -> int | None:
    # The bytes object's own storage: immutable, and kept alive by _LENT while lent.
    return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
