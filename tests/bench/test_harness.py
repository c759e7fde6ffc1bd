"""The pure parts of the benchmark harness (bench/run.py): no wrk, no gunicorn, no database."""

import importlib.util
import json
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bench" / "run.py"
_spec = importlib.util.spec_from_file_location("bench_run", _PATH)
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:41713/centers/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    52.31ms   10.12ms 200.01ms   80.00%
    Req/Sec    76.50     12.30   100.00     70.00%
  Latency Distribution
     50%   48.50ms
     75%   55.00ms
     90%   70.00ms
     99%    1.20s
  1530 requests in 10.01s, 20.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:    152.85
Transfer/sec:      2.00MB
"""


def test_parse_wrk_reads_throughput_percentiles_and_errors():
    result = run.parse_wrk(WRK_OUTPUT)
    assert result == {
        "rps": 152.85,
        "p50_ms": 48.5,
        "p99_ms": 1200.0,
        "requests": 1530,
        "errors": 3,
        "non_2xx": 4,
    }


def test_parse_wrk_clean_run_has_no_errors():
    output = WRK_OUTPUT.replace("  Socket errors: connect 0, read 1, write 0, timeout 2\n", "")
    output = output.replace("  Non-2xx or 3xx responses: 4\n", "")
    result = run.parse_wrk(output)
    assert result["errors"] == 0 and result["non_2xx"] == 0


@pytest.mark.parametrize(
    ("text", "ms"), [("812.00us", 0.812), ("1.52ms", 1.52), ("2.01s", 2010.0), ("1.00m", 60000.0)]
)
def test_parse_duration_units(text, ms):
    assert run.parse_duration_ms(text) == pytest.approx(ms)


def test_parse_wrk_without_latency_distribution_is_refused():
    output = WRK_OUTPUT.split("  Latency Distribution")[0] + "Requests/sec:    152.85\n"
    with pytest.raises(ValueError, match="--latency"):
        run.parse_wrk(output)


def test_page_row_and_document_have_the_documented_keys():
    row = run.page_row(
        page="center directory",
        path="/centers/",
        cached=True,
        run=run.parse_wrk(WRK_OUTPUT),
        baseline_rps=1528.5,
        queries=7,
        rss_mb=101.234,
    )
    assert {"page", "path", "cached", "rps", "p50_ms", "p99_ms", "queries", "ratio", "rss_mb"} <= (
        row.keys()
    )
    assert row["ratio"] == 0.1 and row["rss_mb"] == 101.2 and row["queries"] == 7
    document = run.build_document(machine={"cpu_count": 2}, pages=[row])
    assert json.loads(json.dumps(document)) == {"machine": {"cpu_count": 2}, "pages": [row]}


def test_format_table_lists_every_page_with_its_ratio():
    rows = [
        run.page_row(
            page=name,
            path=path,
            cached=cached,
            run={"rps": rps, "p50_ms": 1.0, "p99_ms": 2.0},
            baseline_rps=2000.0,
            queries=queries,
            rss_mb=None,
        )
        for name, path, cached, rps, queries in [
            ("home", "/", True, 1000.0, 5),
            ("annual report", "/manage/reports/annual/x/2025/", False, 20.0, 12),
        ]
    ]
    table = run.format_table(rows).splitlines()
    assert table[0].split()[:2] == ["page", "cached"]
    assert table[2].startswith("home") and "50.0%" in table[2] and table[2].endswith("-")
    assert table[3].startswith("annual report") and "1.0%" in table[3]
