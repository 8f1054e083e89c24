#pragma once
// Turns the authentication options of a parsed command line into what the
// sessions use (config->auth.client / .server): reads the password, loads
// the keys, parses --allow, checks the users file. Runs once, before the
// server detaches (-D) or the client connects, so every mistake is a
// parameter error at start and a prompt never waits inside a test.
#include <string>

#include "nperf/config/config.hpp"

namespace nperf::auth {

// false and *error on a problem (exit code 2); true when there was nothing to do too.
bool prepare(Config* config, std::string* error);

}  // namespace nperf::auth
