#pragma once
// --help in iperf3's layout: "Server or Client", "Server specific" and "Client
// specific", in iperf3 3.12's order, each option that iperf3 3.12 lacks marked.
// The options, their names and descriptions come from the CLI11 table
// (options.cpp); this file only knows where each goes and what it is marked.
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
class FormatterBase;
}  // namespace CLI

namespace nperf::cli {

inline constexpr const char* kSectionCommon = "Server or Client";
inline constexpr const char* kSectionServer = "Server specific";
inline constexpr const char* kSectionClient = "Client specific";
// Where an option of the table without a place in the layout lands (a test keeps it empty).
inline constexpr const char* kSectionUnplaced = "Not placed";

// Markers: an option of nperf alone, one of an iperf3 newer than 3.12, one nperf refuses.
inline constexpr const char* kMarkNperf = "[nperf]";
inline constexpr const char* kMarkRefused = "[refused]";

struct HelpRow {
  std::vector<std::string> names;  // "-p", "--port": every name the parser accepts
  std::string value;               // "#", "[=FORMAT]" (optional), "" for a flag
  std::string description;
  std::string section;  // one of the kSection* names
  std::string mark;     // "", kMarkNperf, "[iperf3 3.17+]", kMarkRefused
};

// Every named option of app, in help order.
std::vector<HelpRow> help_rows(const CLI::App& app);

// The whole --help text, usage line first.
std::string format_help(const std::vector<HelpRow>& rows);

// A CLI11 formatter printing format_help(help_rows(app)), for app.formatter().
std::shared_ptr<CLI::FormatterBase> iperf3_help_formatter();

}  // namespace nperf::cli
