#pragma once
// What an iperf3 server saw of the path, read from the output it sends a
// client that asked for it (--get-server-output): the address and port it
// accepted the control connection from, and its own address and port. An
// iperf3 server sends no nperf "path" record, so this is the only way a
// client learns it was NAT-ed on the way there (docs/diagnosis.md, "The path").
// Pure; the output is the peer's text and is treated as hostile.
#include <optional>

#include "nperf/protocol/path_record.hpp"
#include "nperf/protocol/results.hpp"

namespace nperf::protocol {

// From server_output_json (start.accepted_connection, start.connected[0]) or
// else server_output_text ("Accepted connection from A, port P" and
// "[  5] local A port P connected to ..."): `peer` is the client as the server
// saw it, `local` the server's own end. nullopt when neither names the client.
std::optional<PathRecord> path_from_server_output(const TestResults& results);

}  // namespace nperf::protocol
