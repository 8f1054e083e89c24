"""nperf -J documents -> CSV rows (results.py), on real nperf output kept in
data/ (nperf 0.1.0 on loopback: TCP forward, -R, --bidir -P 2, UDP -b 100M,
and a refused connection)."""
import json
import unittest

import _paths  # noqa: F401 (puts tools/ on sys.path)
from nperf_mesh.plan import plan_tests
from nperf_mesh.results import FIELDS, Outcome, rows_for

TEST = plan_tests(_paths.three_nodes(), ["pod->node"])[0]


def doc(name):
    return json.loads(_paths.data(name + ".json"))


def rows(name, directions, returncode=0):
    return rows_for(TEST, Outcome(returncode, _paths.data(name + ".json")), directions, "json/x.json")


class ResultsTest(unittest.TestCase):
    def test_forward_tcp_row_takes_rate_retransmits_rtt_and_verdict_from_the_document(self):
        [row] = rows("tcp-forward", ["forward"])
        end = doc("tcp-forward")["end"]
        self.assertEqual(FIELDS, list(row))
        self.assertEqual(round(end["sum_received"]["bits_per_second"]), row["rate_bps"])
        self.assertEqual(end["sum_sent"]["retransmits"], row["retransmits"])
        self.assertEqual(end["nperf"]["streams"][0]["evidence"]["local"]["rtt_us"], row["rtt_us"])
        self.assertEqual(end["nperf"]["verdict"]["verdict"], row["verdict"])
        self.assertEqual(("ok", "forward", "pod->node", "TCP", 1), (row["status"], row["direction"], row["path"],
                                                                     row["protocol"], row["streams"]))
        self.assertEqual(("n1", "pod-1", "127.0.0.1"), (row["source_node"], row["source_pod"], row["source_address"]))
        self.assertEqual(("n2", "host-2", "198.18.160.12"),
                         (row["destination_node"], row["destination_pod"], row["destination_address"]))
        self.assertEqual(("", "", "json/x.json"), (row["lost_percent"], row["error"], row["json"]))

    def test_reverse_takes_the_rtt_of_the_sending_server(self):
        [row] = rows("tcp-reverse", ["reverse"])
        end = doc("tcp-reverse")["end"]
        self.assertEqual("reverse", row["direction"])
        self.assertEqual(end["nperf"]["streams"][0]["evidence"]["remote"]["rtt_us"], row["rtt_us"])
        self.assertEqual("receiver-CPU-bound", row["verdict"])
        self.assertEqual(round(end["sum_received"]["bits_per_second"]), row["rate_bps"])

    def test_bidir_gives_a_row_per_direction_with_its_own_rate_rtt_and_verdict(self):
        forward, reverse = rows("tcp-bidir", ["forward", "reverse"])
        end = doc("tcp-bidir")["end"]
        self.assertEqual(round(end["sum_received"]["bits_per_second"]), forward["rate_bps"])
        self.assertEqual(round(end["sum_received_bidir_reverse"]["bits_per_second"]), reverse["rate_bps"])
        self.assertEqual(end["sum_sent_bidir_reverse"]["retransmits"], reverse["retransmits"])
        streams = end["nperf"]["streams"]  # two client-sent streams, then two server-sent ones
        self.assertEqual(round((streams[0]["evidence"]["local"]["rtt_us"] + streams[1]["evidence"]["local"]["rtt_us"]) / 2),
                         forward["rtt_us"])
        self.assertEqual(round((streams[2]["evidence"]["remote"]["rtt_us"] + streams[3]["evidence"]["remote"]["rtt_us"]) / 2),
                         reverse["rtt_us"])
        # reverse streams: undetermined and network-limited, a tie: the first one seen
        self.assertEqual(streams[2]["verdict"]["verdict"], reverse["verdict"])

    def test_udp_reports_loss_and_jitter_instead_of_retransmits_and_rtt(self):
        [row] = rows("udp", ["forward"])
        received = doc("udp")["end"]["sum_received"]
        self.assertEqual(("UDP", "rate-limited", "", ""), (row["protocol"], row["verdict"], row["retransmits"], row["rtt_us"]))
        self.assertEqual(round(received["lost_percent"], 4), row["lost_percent"])
        self.assertEqual(round(received["jitter_ms"], 4), row["jitter_ms"])

    def test_a_refused_connection_is_a_failed_row_per_direction_with_nperfs_error(self):
        failed = rows("refused", ["forward", "reverse"], returncode=1)
        self.assertEqual(["forward", "reverse"], [r["direction"] for r in failed])
        for row in failed:
            self.assertEqual(("failed", "failed", ""), (row["status"], row["verdict"], row["rate_bps"]))
            self.assertIn("Connection refused", row["error"])

    def test_a_killed_or_silent_client_is_a_failed_row_saying_why(self):
        [late] = rows_for(TEST, Outcome(-9, "", "", timed_out_after=31), ["forward"], "j")
        self.assertIn("no result after 31 s", late["error"])
        [silent] = rows_for(TEST, Outcome(1, "", "error: unable to upgrade connection\n\n"), ["forward"], "j")
        self.assertEqual("exit status 1: error: unable to upgrade connection", silent["error"])
        [garbage] = rows_for(TEST, Outcome(0, "not json", ""), ["forward"], "j")
        self.assertEqual("failed", garbage["status"])


if __name__ == "__main__":
    unittest.main()
