"""The CSV file of a mesh run, written so that a killed run can go on.

Each test's rows are appended as whole lines and flushed to disk before the
next test starts; a run killed in the middle of a write leaves at most one
torn last line, which the next run cuts off. Every value is kept on one line
(newlines become spaces), so a line is a row. At the end the file is
rewritten in the plan's order, so a resumed run and an uninterrupted one
write the same table.
"""
import csv
import io
import json
import os

from .results import FIELDS

RESULTS_FILE = "results.csv"
RUN_FILE = "run.json"


class TableError(Exception):
    pass


def header(labels):
    """The fixed columns, then one column per --label key."""
    return FIELDS + [key for key, _ in labels]


def with_labels(rows, labels):
    return [dict(row, **dict(labels)) for row in rows]


def format_rows(rows, columns):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    for row in rows:
        writer.writerow({k: _one_line(row.get(k, "")) for k in columns})
    return out.getvalue()


def _one_line(value):
    return " ".join(str(value).splitlines()) if isinstance(value, str) else value


class ResultsTable:
    def __init__(self, directory, columns):
        self.path = os.path.join(directory, RESULTS_FILE)
        self.columns = columns

    def load(self):
        """The rows a previous run left (none when there is no file). Cuts a
        torn last line off the file, and refuses a file with other columns."""
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb+") as f:
            data = f.read()
            whole = data[: data.rfind(b"\n") + 1]
            if len(whole) != len(data):
                f.truncate(len(whole))
        reader = csv.DictReader(io.StringIO(whole.decode("utf-8")))
        if reader.fieldnames is None:
            return []
        if reader.fieldnames != self.columns:
            raise TableError(f"{self.path} has the columns {','.join(reader.fieldnames)}; this run writes "
                             f"{','.join(self.columns)} (other --label keys?): use another output directory")
        return list(reader)

    def append(self, rows):
        new_file = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        text = ""
        if new_file:
            text += ",".join(self.columns) + "\n"
        text += format_rows(rows, self.columns)
        with open(self.path, "a", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    def rewrite(self, rows):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(self.columns) + "\n" + format_rows(rows, self.columns))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def check_run_file(directory, identity):
    """Records what this run measures (nperf options, paths, port, labels) in
    run.json, or checks that a previous run in this directory measured the
    same: rows of different tests must not end up in one table."""
    path = os.path.join(directory, RUN_FILE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            previous = json.load(f)
        for key in identity:
            if previous.get(key) != identity[key]:
                raise TableError(f"{directory} holds a run with {key} = {previous.get(key)!r}, this one has "
                                 f"{identity[key]!r}: use another output directory to start a new run")
        return
    with open(path, "w", encoding="utf-8") as f:
        json.dump(identity, f, indent=2)
        f.write("\n")


def completed_rows(rows, tests, directions, retry_failed=False):
    """The rows to keep from a previous run: those of tests that have a row
    for every direction (a test cut in half by a kill runs again), without
    failed ones when retry_failed. Returns (kept rows by test key, rows of
    tests not in this plan)."""
    by_key = {}
    for row in rows:
        by_key.setdefault((row["path"], row["source_node"], row["destination_node"]), []).append(row)
    planned = {t.key for t in tests}
    kept, foreign = {}, []
    for key, group in by_key.items():
        if key not in planned:
            foreign.extend(group)
            continue
        if sorted(r["direction"] for r in group) != sorted(directions):
            continue
        if retry_failed and any(r["status"] != "ok" for r in group):
            continue
        kept[key] = group
    return kept, foreign
