#pragma once
// getopt_long's rules, which iperf3's command lines (and the scripts that write
// them) rely on, applied to a CLI11 App. CLI11 stays the parser and its option
// table the only list of options; these functions only adjust how it is used:
// - a long option may be shortened to any unambiguous prefix (--rever, --para 2);
//   an ambiguous prefix is an error naming the candidates, as getopt's;
// - an option given twice takes the last value (-t 10 ... -t 1), flags stay set.
// Bundles (-RV), attached values (-P2) and --opt=value are CLI11's own.
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace nperf::cli {

// Makes options added from now on take the last of repeated values. Call before adding them.
void take_last_of_repeated_options(CLI::App& app);

// argv[1..] with every abbreviated long option written out ("--para" -> "--parallel",
// "--get-server=x" -> "--get-server-output=x"). Values are left alone: the argument
// after an option that needs one is skipped, as getopt skips it, and so is all after "--".
// Throws CLI::ParseError (exit 2) for an ambiguous prefix.
std::vector<std::string> expand_long_option_prefixes(const CLI::App& app,
                                                     const std::vector<std::string>& args);

// app.parse() after expand_long_option_prefixes().
void parse_like_getopt(CLI::App& app, int argc, const char* const* argv);

}  // namespace nperf::cli
