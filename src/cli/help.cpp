#include "nperf/cli/help.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace nperf::cli {
namespace {

// One option's place: named by one of its names, in iperf3 3.12's help order
// (iperf3's later options where its later help puts them, nperf's next to their kin).
struct Place {
  const char* name;
  const char* section;
  const char* value;  // the placeholder iperf3 prints; "" for a flag
  const char* mark = "";
};

constexpr const char* kIperf3_17 = "[iperf3 3.17+]";
constexpr const char* kIperf3_19 = "[iperf3 3.19+]";
constexpr const char* kIperf3_20 = "[iperf3 3.20+]";
constexpr const char* kIperf3_21 = "[iperf3 3.21+]";

constexpr Place kLayout[] = {
    {"--port", kSectionCommon, "#"},
    {"--format", kSectionCommon, "[kmgtKMGT]"},
    {"--interval", kSectionCommon, "#"},
    {"--pidfile", kSectionCommon, "file"},
    {"--file", kSectionCommon, "name"},
    {"--affinity", kSectionCommon, "n[,m]"},
    {"--bind", kSectionCommon, "<host>[%<dev>]"},
    {"--bind-dev", kSectionCommon, "<dev>"},
    {"--verbose", kSectionCommon, ""},
    {"--json", kSectionCommon, ""},
    {"--json-stream", kSectionCommon, "", kIperf3_17},
    {"--json-stream-full-output", kSectionCommon, "", kIperf3_20},
    {"--csv", kSectionCommon, "", kMarkNperf},
    {"--logfile", kSectionCommon, "f"},
    {"--forceflush", kSectionCommon, ""},
    {"--timestamps", kSectionCommon, "[=format]"},
    {"--rcv-timeout", kSectionCommon, "#"},
    {"--snd-timeout", kSectionCommon, "#"},
    {"--cntl-ka", kSectionCommon, "[=#/#/#]", kIperf3_19},
    {"--mptcp", kSectionCommon, "", kIperf3_19},
    {"--debug", kSectionCommon, "[=#]"},
    {"--check", kSectionCommon, "[HOST]", kMarkNperf},
    {"--version", kSectionCommon, ""},
    {"--help", kSectionCommon, ""},
    {"--server", kSectionServer, ""},
    {"--daemon", kSectionServer, ""},
    {"--one-off", kSectionServer, ""},
    {"--server-bitrate-limit", kSectionServer, "#[KMG][/#]"},
    {"--idle-timeout", kSectionServer, "#"},
    {"--server-max-duration", kSectionServer, "#", kIperf3_20},
    {"--metrics", kSectionServer, "[ADDR:]PORT", kMarkNperf},
    {"--max-tests", kSectionServer, "#", kMarkNperf},
    {"--rsa-private-key-path", kSectionServer, "file"},
    {"--authorized-users-path", kSectionServer, "file"},
    {"--time-skew-threshold", kSectionServer, "#"},
    {"--use-pkcs1-padding", kSectionServer, "", kIperf3_17},
    {"--allow", kSectionServer, "CIDR[,CIDR...]", kMarkNperf},
    {"--client", kSectionClient, "<host>[%<dev>]"},
    {"--sctp", kSectionClient, "", kMarkRefused},
    {"--xbind", kSectionClient, "<name>", kMarkRefused},
    {"--nstreams", kSectionClient, "#", kMarkRefused},
    {"--udp", kSectionClient, ""},
    {"--connect-timeout", kSectionClient, "#"},
    {"--busy-retry", kSectionClient, "#", kMarkNperf},
    {"--bitrate", kSectionClient, "#[KMG][/#]"},
    {"--pacing-timer", kSectionClient, "#[KMG]"},
    {"--fq-rate", kSectionClient, "#[KMG]"},
    {"--no-fq-socket-pacing", kSectionClient, ""},
    {"--time", kSectionClient, "#"},
    {"--bytes", kSectionClient, "#[KMG]"},
    {"--blockcount", kSectionClient, "#[KMG]"},
    {"--length", kSectionClient, "#[KMG]"},
    {"--cport", kSectionClient, "<port>"},
    {"--parallel", kSectionClient, "#"},
    {"--reverse", kSectionClient, ""},
    {"--bidir", kSectionClient, ""},
    {"--window", kSectionClient, "#[KMG]"},
    {"--congestion", kSectionClient, "<algo>"},
    {"--set-mss", kSectionClient, "#"},
    {"--no-delay", kSectionClient, ""},
    {"--version4", kSectionClient, ""},
    {"--version6", kSectionClient, ""},
    {"--tos", kSectionClient, "N"},
    {"--dscp", kSectionClient, "N|val"},
    {"--flowlabel", kSectionClient, "N"},
    {"--zerocopy", kSectionClient, ""},
    {"--skip-rx-copy", kSectionClient, "", kIperf3_19},
    {"--omit", kSectionClient, "N"},
    {"--title", kSectionClient, "str"},
    {"--extra-data", kSectionClient, "str"},
    {"--get-server-output", kSectionClient, ""},
    {"--udp-counters-64bit", kSectionClient, ""},
    {"--repeating-payload", kSectionClient, ""},
    {"--dont-fragment", kSectionClient, ""},
    {"--gsro", kSectionClient, "", kIperf3_21},
    {"--username", kSectionClient, "str"},
    {"--rsa-public-key-path", kSectionClient, "file"},
    {"--password-file", kSectionClient, "file", kMarkNperf},
};

std::vector<std::string> names_of(const CLI::Option& option) {
  std::vector<std::string> names;
  for (const std::string& s : option.get_snames()) names.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) names.push_back("--" + l);
  return names;
}

// Descriptions in the table say whose option it is ("client: ..."); under a
// "Client specific" heading that is said twice.
std::string without_role_prefix(const std::string& description, std::string_view section) {
  std::string_view prefix = section == kSectionClient   ? "client: "
                            : section == kSectionServer ? "server: "
                                                        : "";
  if (!prefix.empty() && description.starts_with(prefix)) return description.substr(prefix.size());
  return description;
}

// Words of text on lines of at most width characters, each after indent spaces but the first.
std::string wrapped(std::string_view text, size_t indent, size_t width) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    start = end + 1;
  }
  return out + line;
}

class Iperf3HelpFormatter : public CLI::FormatterBase {
 public:
  std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const override {
    return format_help(help_rows(*app));
  }
};

}  // namespace

std::vector<HelpRow> help_rows(const CLI::App& app) {
  std::vector<HelpRow> rows;
  std::vector<size_t> order;  // index into kLayout, or the layout's size when unplaced
  for (const CLI::Option* option : app.get_options()) {
    if (!option->nonpositional()) continue;  // `--check -J HOST`'s HOST: part of --check
    HelpRow row;
    row.names = names_of(*option);
    const Place* place = std::find_if(std::begin(kLayout), std::end(kLayout), [&](const Place& p) {
      return std::find(row.names.begin(), row.names.end(), p.name) != row.names.end();
    });
    if (place == std::end(kLayout)) {
      row.section = kSectionUnplaced;
    } else {
      row.section = place->section;
      row.value = place->value;
      row.mark = place->mark;
    }
    row.description = without_role_prefix(option->get_description(), row.section);
    order.push_back(static_cast<size_t>(place - std::begin(kLayout)));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> index(rows.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = i;
  std::stable_sort(index.begin(), index.end(), [&](size_t a, size_t b) { return order[a] < order[b]; });
  std::vector<HelpRow> sorted;
  for (size_t i : index) sorted.push_back(rows[i]);
  return sorted;
}

std::string format_help(const std::vector<HelpRow>& rows) {
  constexpr size_t kColumn = 30, kWidth = 100;
  std::string out =
      "Usage: nperf [-s|-c host] [options]\n"
      "       nperf [-h|--help] [-v|--version]\n"
      "       nperf --check [HOST] [-4|-6] [-J]\n";
  std::string section;
  for (const HelpRow& row : rows) {
    if (row.section != section) {
      section = row.section;
      out += (section == kSectionCommon ? "\n" : "") + section + ":\n";
    }
    std::string names = "  " + fmt::format("{}", fmt::join(row.names, ", "));
    if (!row.value.empty()) names += (row.value.compare(0, 2, "[=") == 0 ? "" : " ") + row.value;
    std::string description = row.mark.empty() ? row.description : row.mark + " " + row.description;
    out += names.size() + 1 < kColumn ? names + std::string(kColumn - names.size(), ' ')
                                      : names + "\n" + std::string(kColumn, ' ');
    out += wrapped(description, kColumn, kWidth) + "\n";
  }
  out += fmt::format(
      "\n[KMG] sizes (-n -k -l -w) take K/M/G/T = 2^10..2^40, rates (-b --fq-rate) 10^3..10^12\n"
      "{:<15} nperf only: iperf3 has no such option\n"
      "{:<15} from an iperf3 newer than 3.12, the version nperf is checked against\n"
      "{:<15} an iperf3 option nperf does not implement: refused by name, exit 2\n",
      kMarkNperf, "[iperf3 3.N+]", kMarkRefused);
  return out;
}

std::shared_ptr<CLI::FormatterBase> iperf3_help_formatter() {
  return std::make_shared<Iperf3HelpFormatter>();
}

}  // namespace nperf::cli
