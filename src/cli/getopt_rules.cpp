#include "nperf/cli/getopt_rules.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace nperf::cli {
namespace {

// A required value: getopt takes the next argument as it is, even "-x" or "--y".
// Optional values (--cntl-ka[=..], --timestamps[=..], -d[=N], --check [HOST]) and flags take none.
bool needs_value(const CLI::Option& option) {
  return option.get_expected_min() > 0;
}

const CLI::Option* find_short(const CLI::App& app, char name) {
  for (const CLI::Option* option : app.get_options()) {
    const auto& names = option->get_snames();
    if (std::find(names.begin(), names.end(), std::string(1, name)) != names.end()) return option;
  }
  return nullptr;
}

struct LongName {
  std::string name;
  const CLI::Option* option;
};

std::vector<LongName> long_names(const CLI::App& app) {
  std::vector<LongName> names;
  for (const CLI::Option* option : app.get_options())
    for (const std::string& name : option->get_lnames()) names.push_back({name, option});
  return names;
}

// The option a long name or prefix means; nullptr when none (CLI11 then reports it unknown).
const CLI::Option* resolve_long(const std::vector<LongName>& table, std::string_view given,
                                std::string* full) {
  std::vector<const LongName*> matches;
  for (const LongName& entry : table) {
    if (entry.name == given) {
      *full = entry.name;
      return entry.option;
    }
    if (entry.name.compare(0, given.size(), given) == 0) matches.push_back(&entry);
  }
  if (matches.empty()) return nullptr;
  // Several names of one option are no ambiguity (getopt_long: same flag, val and has_arg).
  bool one_option = std::all_of(matches.begin(), matches.end(),
                                [&](const LongName* m) { return m->option == matches.front()->option; });
  if (!one_option) {
    std::string possibilities;
    for (const LongName* m : matches) possibilities += fmt::format(" '--{}'", m->name);
    throw CLI::ParseError(fmt::format("option '--{}' is ambiguous; possibilities:{}", given, possibilities),
                          CLI::ExitCodes::ExtrasError);
  }
  *full = matches.front()->name;
  return matches.front()->option;
}

}  // namespace

void take_last_of_repeated_options(CLI::App& app) {
  // Flags keep CLI11's own policy (bool: last; counting flags such as -d: summed), both "stay set".
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::vector<std::string> expand_long_option_prefixes(const CLI::App& app,
                                                     const std::vector<std::string>& args) {
  const std::vector<LongName> table = long_names(app);
  std::vector<std::string> out = args;
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string& arg = out[i];
    if (arg == "--") break;  // the rest are operands
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      size_t equals = arg.find('=');
      std::string_view given =
          std::string_view(arg).substr(2, equals == std::string::npos ? equals : equals - 2);
      if (given.empty()) continue;
      std::string full;
      const CLI::Option* option = resolve_long(table, given, &full);
      if (!option) continue;
      bool value_attached = equals != std::string::npos;
      if (full.size() != given.size()) out[i] = "--" + full + (value_attached ? arg.substr(equals) : "");
      if (!value_attached && needs_value(*option)) ++i;
    } else if (arg.size() > 1 && arg[0] == '-') {
      // A bundle such as -RVt: the first short option that needs a value takes the
      // rest of the argument, or the next argument when nothing is left.
      for (size_t j = 1; j < arg.size(); ++j) {
        const CLI::Option* option = find_short(app, arg[j]);
        if (!option) break;
        if (needs_value(*option)) {
          if (j + 1 == arg.size()) ++i;
          break;
        }
      }
    }
  }
  return out;
}

void parse_like_getopt(CLI::App& app, int argc, const char* const* argv) {
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  args = expand_long_option_prefixes(app, args);
  std::reverse(args.begin(), args.end());  // CLI11 takes the list last argument first
  app.parse(args);
}

}  // namespace nperf::cli
