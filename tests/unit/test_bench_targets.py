"""Which runs the bench plans, and how its growth target compares them."""

import pytest

from bench.adversarial import SHAPES, ShapeResult
from bench.importer import ImportTiming
from bench.plan import DEFAULT_SIZES, Export, RunSpec, run_specs, wants_shapes
from bench.runner import RunResult
from bench.targets import checks

pytestmark = pytest.mark.unit

GROWTH = "100 000 rows in <= 11 x the time of 10 000 rows"


def test_default_plan_measures_ten_thousand_rows_in_both_formats() -> None:
    assert [(s.name, s.file_format, s.rows) for s in run_specs(DEFAULT_SIZES)] == [
        ("csv-1k", "csv", 1000), ("csv-10k", "csv", 10_000), ("csv-10mb", "csv", None),
        ("xlsx-10mb", "xlsx", None), ("xlsx-10k", "xlsx", 10_000),
        ("csv-100k", "csv", 100_000),  # goes as XLSX when built: over the limit as CSV
    ]


def test_adversarial_shapes_are_in_the_default_plan_and_can_run_alone() -> None:
    assert wants_shapes(DEFAULT_SIZES) and wants_shapes("Adversarial")
    assert run_specs("adversarial") == [] and not wants_shapes("10mb")


def _shape(index: int, upload_status: int, status: str, parse_mb: float) -> ShapeResult:
    return ShapeResult(SHAPES[index], 1, upload_status, status, None, 1.0,
                       {"upload": 150.0, "parse": parse_mb, "postgres": 2000.0})


def _shape_checks(shapes: list[ShapeResult]) -> list[tuple[bool | None, str]]:
    return [(c.met, c.figure) for c in checks([], shapes) if "adversarial" in c.target]


def test_adversarial_shapes_are_held_to_512_mb_per_service_and_to_their_answer() -> None:
    accepted = next(i for i, shape in enumerate(SHAPES) if shape.accepted)
    refused = next(i for i, shape in enumerate(SHAPES) if not shape.accepted)
    assert _shape_checks([_shape(accepted, 201, "completed", 512.0),
                          _shape(refused, 422, "refused", 140.0)]) == [
        (True, f"highest: parse 512 MB ({SHAPES[accepted].name})"), (True, "all 2 as expected")]
    assert _shape_checks([_shape(accepted, 201, "failed", 513.0),
                          _shape(refused, 201, "completed", 140.0)]) == [
        (False, f"highest: parse 513 MB ({SHAPES[accepted].name})"),
        (False, f"{SHAPES[accepted].name} failed, {SHAPES[refused].name} completed")]
    assert _shape_checks([]) == [(None, "(not in this run)")] * 2


def test_every_run_has_buyers_of_its_own() -> None:
    specs = run_specs(DEFAULT_SIZES)
    assert len({s.tag for s in specs}) == len(specs)


def test_unknown_format_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'10000:ods'"):
        run_specs("10000:ods")


def _run(name: str, file_format: str, rows: int, seconds: float | None) -> RunResult:
    timing = ImportTiming(status="completed" if seconds is not None else "failed",
                          seconds=seconds)
    return RunResult(Export(RunSpec(name, file_format, 1, "t", rows), [], b""), timing)


def _growth(results: list[RunResult]) -> tuple[bool | None, str]:
    check = next(c for c in checks(results) if c.target == GROWTH)
    return check.met, check.figure


def test_growth_compares_runs_of_one_format_and_shows_the_other() -> None:
    met, figure = _growth([_run("csv-10k", "csv", 10_000, 1.2),
                           _run("xlsx-10k", "xlsx", 10_000, 1.5),
                           _run("xlsx-100k", "xlsx", 100_000, 15.0)])
    assert met is True  # 10.0 x of xlsx-10k; 12.5 x of csv-10k is shown, not judged
    assert figure == "xlsx-100k 15.0 s / xlsx-10k 1.5 s = 10.0 x; / csv-10k 12.5 x"


def test_growth_over_eleven_times_is_missed() -> None:
    met, figure = _growth([_run("xlsx-10k", "xlsx", 10_000, 1.0),
                           _run("xlsx-100k", "xlsx", 100_000, 11.5)])
    assert met is False
    assert figure.endswith("= 11.5 x")


def test_growth_falls_back_to_another_format_when_alone() -> None:
    met, figure = _growth([_run("csv-10k", "csv", 10_000, 1.0),
                           _run("xlsx-100k", "xlsx", 100_000, 10.5)])
    assert met is True
    assert figure == "xlsx-100k 10.5 s / csv-10k 1.0 s = 10.5 x"


def test_growth_with_an_import_that_failed_is_missed() -> None:
    met, figure = _growth([_run("xlsx-10k", "xlsx", 10_000, None),
                           _run("xlsx-100k", "xlsx", 100_000, 9.0)])
    assert (met, figure) == (False, "one of the imports did not complete")
