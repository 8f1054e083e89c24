"""A whole mesh run: discover the nodes, plan the tests, keep what a previous
run in the same output directory finished, run the rest, and write the CSV,
the -J documents, the text matrix and the heatmap."""
import dataclasses
import os
import re
import shlex

from . import heatmap, matrix
from .plan import PlanError, directions, nperf_client_args, plan_tests, test_timeout
from .results import rows_for
from .scheduler import Progress, run_all
from .table import ResultsTable, check_run_file, completed_rows, header, with_labels

EXIT_OK, EXIT_TESTS_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
HEATMAP_FILE = "heatmap.svg"
MATRIX_FILE = "matrix.txt"


@dataclasses.dataclass
class Options:
    paths: list
    nperf_args: list
    out: str = None
    port: int = 5201
    labels: list = dataclasses.field(default_factory=list)  # [(key, value)]
    concurrency: int = 1
    include_self: bool = False
    dry_run: bool = False
    retry_failed: bool = False
    test_timeout: int = None

    def identity(self):
        """What a resumed run must share with the run it continues."""
        return {"nperf_args": self.nperf_args, "paths": self.paths, "port": self.port,
                "labels": [list(kv) for kv in self.labels], "include_self": self.include_self}


def json_name(test):
    """json/<path>/<source>__<destination>.json, relative to the output directory."""
    safe = lambda s: re.sub(r"[^A-Za-z0-9._-]", "_", s)
    return os.path.join("json", test.path.replace("->", "-to-"),
                        f"{safe(test.source.node)}__{safe(test.destination.node)}.json")


def run_mesh(options, runner, stdout, stderr):
    nodes = runner.discover()
    for warning in runner.warnings:
        print(f"nperf-mesh: {warning}", file=stderr)
    if len(nodes) < (1 if options.include_self else 2):
        raise PlanError(f"{len(nodes)} node(s) with both servers ready: a mesh needs at least two")
    tests = plan_tests(nodes, options.paths, options.include_self)
    timeout = options.test_timeout or test_timeout(options.nperf_args)
    if options.dry_run:
        print_plan(options, runner, nodes, tests, timeout, stdout)
        return EXIT_OK
    return _run(options, runner, tests, timeout, stdout, stderr)


def print_plan(options, runner, nodes, tests, timeout, stdout):
    at_once = "one at a time" if options.concurrency <= 1 else f"up to {options.concurrency} at once on distinct nodes"
    print(f"nperf-mesh plan: {len(nodes)} nodes, {len(options.paths)} paths, {len(tests)} tests, {at_once}, "
          f"each stopped after {timeout} s", file=stdout)
    for node in nodes:
        print(f"  {node.name}: node side {node.node.pod} ({node.node.address}), "
              f"pod side {node.pod.pod} ({node.pod.address})", file=stdout)
    for test in tests:
        args = nperf_client_args(test, options.port, options.nperf_args)
        print(f"[{test.index + 1}/{len(tests)}] {test.path} {test.source.node} -> {test.destination.node}: "
              f"{runner.describe(test.source, args)}", file=stdout)


def _run(options, runner, tests, timeout, stdout, stderr):
    out = options.out
    os.makedirs(out, exist_ok=True)
    check_run_file(out, options.identity())
    table = ResultsTable(out, header(options.labels))
    wanted = directions(options.nperf_args)
    kept, foreign = completed_rows(table.load(), tests, wanted, options.retry_failed)
    table.rewrite([r for t in tests for r in kept.get(t.key, [])] + foreign)
    results = dict(kept)
    todo = [t for t in tests if t.key not in kept]
    if kept:
        print(f"nperf-mesh: {out} already holds {len(kept)} of {len(tests)} tests; running the other {len(todo)}",
              file=stderr)

    def execute(test):
        return runner.run(test.source, nperf_client_args(test, options.port, options.nperf_args), timeout)

    def on_done(test, outcome):
        rows = with_labels(rows_for(test, outcome, wanted, _store(out, test, outcome)), options.labels)
        table.append(rows)
        results[test.key] = rows

    progress = Progress(stderr, len(tests), len(kept))
    try:
        run_all(todo, execute, on_done, options.concurrency, progress, stop=runner.stop_all)
    except KeyboardInterrupt:
        print(f"nperf-mesh: interrupted with {len(results)} of {len(tests)} tests done; run the same command "
              f"again to go on where it stopped", file=stderr)
        return EXIT_INTERRUPTED
    final = [r for t in tests for r in results.get(t.key, [])] + foreign
    table.rewrite(final)
    return _write_pictures(options, final, out, stdout)


def _store(out, test, outcome):
    """Keeps the -J document (and stderr, when there was any) beside the CSV."""
    name = json_name(test)
    os.makedirs(os.path.dirname(os.path.join(out, name)), exist_ok=True)
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.write(outcome.stdout)
    stderr_path = os.path.join(out, name[: -len(".json")] + ".stderr")
    if outcome.stderr.strip():
        with open(stderr_path, "w", encoding="utf-8") as f:
            f.write(outcome.stderr)
    elif os.path.exists(stderr_path):
        os.remove(stderr_path)
    return name


def _write_pictures(options, rows, out, stdout):
    text = matrix.render(rows)
    subtitle = f"nperf {shlex.join(options.nperf_args) or '(defaults)'}" + "".join(
        f"; {k}={v}" for k, v in options.labels)
    with open(os.path.join(out, MATRIX_FILE), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(out, HEATMAP_FILE), "w", encoding="utf-8") as f:
        f.write(heatmap.render(rows, subtitle))
    stdout.write(text)
    stdout.write(f"CSV: {os.path.join(out, 'results.csv')}  heatmap: {os.path.join(out, HEATMAP_FILE)}\n")
    failed = any(r["status"] != "ok" for r in rows)
    return EXIT_TESTS_FAILED if failed else EXIT_OK
