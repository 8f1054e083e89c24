"""One test's outcome (nperf -J on stdout, exit status, stderr) -> the CSV
rows of the directions it measured. Pure: the caller stores the document.

Where the figures come from in nperf's -J (iperf3's schema plus nperf's
"nperf" extension object, docs/diagnosis.md):
  rate          end.sum_received.bits_per_second (what arrived), or
                end.sum_received_bidir_reverse for --bidir's reverse half
  retransmits   end.sum_sent.retransmits (TCP)
  lost_percent  end.sum_received.lost_percent, jitter_ms likewise (UDP)
  rtt_us        the sending end's smoothed RTT: end.nperf.streams[].evidence
                .local.rtt_us where the client sent, .remote.rtt_us where
                the server sent; the mean over the direction's streams
  verdict       end.nperf.verdict.verdict (and .reason); with --bidir the
                verdict most of the direction's streams share
"""
import collections
import dataclasses
import json

FIELDS = [
    "path", "direction", "source_node", "source_pod", "source_address",
    "destination_node", "destination_pod", "destination_address",
    "protocol", "streams", "rate_bps", "retransmits", "lost_percent", "jitter_ms", "rtt_us",
    "verdict", "verdict_reason", "status", "error", "json",
]
FAILED = "failed"


@dataclasses.dataclass
class Outcome:
    """What running one client produced."""
    returncode: int
    stdout: str
    stderr: str = ""
    timed_out_after: float = 0.0  # seconds, when the mesh killed it


def rows_for(test, outcome, directions, json_path):
    """The rows of one test: one per direction in `directions` (from the
    nperf options, so a failed test has as many rows as a good one)."""
    doc = _load(outcome.stdout)
    error = _error_of(outcome, doc)
    base = _base_row(test, doc, json_path)
    if error:
        return [dict(base, direction=d, status=FAILED, verdict=FAILED, error=error) for d in directions]
    end = doc["end"]
    bidir = len(directions) > 1
    return [dict(base, **_direction_figures(end, d, bidir), direction=d, status="ok") for d in directions]


def _load(text):
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _error_of(outcome, doc):
    """"" for a test that measured, else one line saying why not."""
    if outcome.timed_out_after:
        return f"no result after {outcome.timed_out_after:g} s; the mesh stopped the client"
    if doc and doc.get("error"):
        return str(doc["error"])
    if doc is None or not doc.get("end", {}).get("sum_received"):
        lines = [l for l in outcome.stderr.splitlines() if l.strip()]
        why = lines[-1].strip() if lines else "no -J document on stdout"
        return f"exit status {outcome.returncode}: {why}"
    if outcome.returncode != 0:
        return f"exit status {outcome.returncode}"
    return ""


def _base_row(test, doc, json_path):
    row = {f: "" for f in FIELDS}
    start = (doc or {}).get("start", {})
    connected = start.get("connected") or [{}]
    test_start = start.get("test_start", {})
    row.update(
        path=test.path,
        source_node=test.source.node, source_pod=test.source.pod,
        # the client's own address as it saw it (before any masquerade)
        source_address=connected[0].get("local_host", test.source.address),
        destination_node=test.destination.node, destination_pod=test.destination.pod,
        destination_address=test.destination.address,
        protocol=test_start.get("protocol", ""), streams=test_start.get("num_streams", ""),
        json=json_path,
    )
    return row


def _direction_figures(end, direction, bidir):
    reverse_half = bidir and direction == "reverse"
    sent = end.get("sum_sent_bidir_reverse" if reverse_half else "sum_sent", {})
    received = end.get("sum_received_bidir_reverse" if reverse_half else "sum_received", {})
    udp = "lost_percent" in received
    verdict, reason = _verdict(end.get("nperf", {}), direction, bidir)
    return {
        "rate_bps": _int(received.get("bits_per_second")),
        "retransmits": "" if udp else _int(sent.get("retransmits")),
        "lost_percent": _round(received.get("lost_percent"), 4) if udp else "",
        "jitter_ms": _round(received.get("jitter_ms"), 4) if udp else "",
        "rtt_us": _int(_mean_rtt(end.get("nperf", {}), direction)),
        "verdict": verdict,
        "verdict_reason": reason,
    }


def _stream_direction(stream):
    """"forward" where the client's end of this stream sent the data."""
    local = stream.get("evidence", {}).get("local", {})
    return "forward" if local.get("sender") else "reverse"


def _mean_rtt(extension, direction):
    rtts = []
    for stream in extension.get("streams", []):
        if _stream_direction(stream) != direction:
            continue
        evidence = stream.get("evidence", {})
        sender = evidence.get("local" if direction == "forward" else "remote", {})
        if isinstance(sender.get("rtt_us"), (int, float)):
            rtts.append(sender["rtt_us"])
    return sum(rtts) / len(rtts) if rtts else None


def _verdict(extension, direction, bidir):
    """The test's verdict; with --bidir, the one most of this direction's
    streams share (the test's own verdict mixes both directions)."""
    if bidir:
        verdicts = [s["verdict"] for s in extension.get("streams", [])
                    if _stream_direction(s) == direction and isinstance(s.get("verdict"), dict)]
        if verdicts:
            counts = collections.Counter(v.get("verdict", "") for v in verdicts)
            top = counts.most_common(1)[0][0]
            return top, next(v.get("reason", "") for v in verdicts if v.get("verdict") == top)
    verdict = extension.get("verdict") or {}
    return verdict.get("verdict", ""), verdict.get("reason", "")


def _int(value):
    return int(round(value)) if isinstance(value, (int, float)) else ""


def _round(value, digits):
    return round(value, digits) if isinstance(value, (int, float)) else ""
