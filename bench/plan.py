"""Which exports the bench imports, generated before the stack starts."""

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.exports import Sale, csv_bytes, first_sales, sales_within, write_xlsx

UPLOAD_LIMIT_BYTES: Final = 10 * 1024 * 1024  # the product answers 413 above this
TEN_MB: Final = "10mb"
ADVERSARIAL: Final = "adversarial"  # the hostile shapes of bench/adversarial.py, not an export
# 10 MB before 100 000 rows: its memory target is then not inflated by a bigger import.
# 100 000 rows are over the upload limit as CSV and go as XLSX, so 10 000 rows go as XLSX
# too: the growth from 10 000 to 100 000 rows is then measured on one format.
DEFAULT_SIZES: Final = f"1000,10000,{TEN_MB},10000:xlsx,100000,{ADVERSARIAL}"
FORMATS: Final = ("csv", "xlsx")


@dataclass(frozen=True)
class RunSpec:
    name: str
    file_format: str
    seed: int
    tag: str  # keeps each run's buyers apart from every other run's
    rows: int | None = None  # None: as many rows as fit in UPLOAD_LIMIT_BYTES


@dataclass(frozen=True)
class Export:
    spec: RunSpec
    sales: list[Sale]
    data: bytes
    note: str | None = None

    @property
    def file_name(self) -> str:
        return f"{self.spec.name}.{self.spec.file_format}"


def _tokens(sizes: str) -> list[str]:
    return [token.strip().lower() for token in sizes.split(",") if token.strip()]


def wants_shapes(sizes: str) -> bool:
    return ADVERSARIAL in _tokens(sizes)


def run_specs(sizes: str) -> list[RunSpec]:
    specs: list[RunSpec] = []
    for position, token in enumerate(_tokens(sizes)):
        seed = 1000 + position
        if token == ADVERSARIAL:
            continue
        if token == TEN_MB:
            specs += [RunSpec("csv-10mb", "csv", seed, _tag(len(specs))),
                      RunSpec("xlsx-10mb", "xlsx", seed, _tag(len(specs) + 1))]
        else:
            count, _, file_format = token.partition(":")
            file_format = file_format or "csv"
            if file_format not in FORMATS:
                raise ValueError(f"{token!r}: the format after ':' is one of {', '.join(FORMATS)}")
            rows = int(count)
            specs.append(RunSpec(f"{file_format}-{_label(rows)}", file_format, seed,
                                 _tag(len(specs)), rows))
    return specs


def _tag(index: int) -> str:
    return f"r{index:03d}"


def _label(rows: int) -> str:
    return f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


def build_export(spec: RunSpec, work_dir: Path) -> Export:
    if spec.rows is None:
        sales = sales_within(UPLOAD_LIMIT_BYTES, spec.seed, spec.tag)
    else:
        sales = first_sales(spec.rows, spec.seed, spec.tag)
    if spec.file_format == "xlsx":
        return Export(spec, sales, write_xlsx(sales, work_dir / f"{spec.name}.xlsx"))
    data = csv_bytes(sales)
    if len(data) <= UPLOAD_LIMIT_BYTES:
        return Export(spec, sales, data)
    return _as_xlsx(spec, sales, len(data), work_dir)


def _as_xlsx(spec: RunSpec, sales: list[Sale], csv_size: int, work_dir: Path) -> Export:
    # Over the product's upload limit as CSV: the same rows still fit as a workbook.
    name = spec.name.replace("csv-", "xlsx-")
    xlsx_spec = RunSpec(name, "xlsx", spec.seed, spec.tag, spec.rows)
    note = (f"{spec.name}: {csv_size / 2**20:.1f} MB is over the {UPLOAD_LIMIT_BYTES // 2**20} MB"
            f" upload limit, so the same rows go as XLSX ({name})")
    return Export(xlsx_spec, sales, write_xlsx(sales, work_dir / f"{name}.xlsx"), note)
