// --help, the README's options table and the man page (docs/nperf.1) all list
// the parser's options: these tests fail when one of them misses an option of
// the CLI11 table (cli/options.cpp), names one that does not exist, puts it in
// another section, or drops its mark (nperf only, newer iperf3, refused).
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "nperf/cli/help.hpp"
#include "nperf/cli/options.hpp"

namespace nperf::cli {
namespace {

const std::string kSourceDir = NPERF_GOLDEN_DIR "/../..";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string run_for_output(std::vector<std::string> args, std::string* err = nullptr) {
  args.insert(args.begin(), "nperf");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Config config;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  parse_command_line(static_cast<int>(args.size()), argv.data(), &config);
  std::string out = testing::internal::GetCapturedStdout();
  std::string error = testing::internal::GetCapturedStderr();
  if (err) *err = error;
  return out;
}

// Option names in text: "-p", "--port" from "`-p`, `--port[=N]`" or "-A n[,m]".
std::vector<std::string> option_tokens(const std::string& text) {
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    size_t dashes = current.find_first_not_of('-');
    if ((dashes == 1 || dashes == 2) && isalnum(static_cast<unsigned char>(current[dashes])))
      tokens.push_back(current);
    current.clear();
  };
  for (char ch : text) {
    if (isalnum(static_cast<unsigned char>(ch)) || ch == '-') {
      current += ch;
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

std::set<std::string> parser_names() {
  std::set<std::string> names;
  for (const HelpRow& row : option_help_rows()) names.insert(row.names.begin(), row.names.end());
  return names;
}

std::string shown(const HelpRow& row) {
  return fmt::format("{}", fmt::join(row.names, ", "));
}

TEST(CommandLineDocs, EveryOptionHasAPlaceInTheHelpLayout) {
  std::vector<HelpRow> rows = option_help_rows();
  ASSERT_GT(rows.size(), 60u);
  std::vector<std::string> sections;
  for (const HelpRow& row : rows) {
    EXPECT_NE(row.section, kSectionUnplaced) << shown(row) << " has no place in help.cpp's layout";
    if (sections.empty() || sections.back() != row.section) sections.push_back(row.section);
    EXPECT_FALSE(row.description.empty()) << shown(row);
  }
  // Each section once, in iperf3's order.
  EXPECT_EQ(sections, (std::vector<std::string>{kSectionCommon, kSectionServer, kSectionClient}));
}

TEST(CommandLineDocs, HelpListsEveryOptionUnderItsSectionWithItsMark) {
  std::string help = run_for_output({"--help"});
  EXPECT_EQ(run_for_output({"-h"}), help);
  EXPECT_EQ(help.rfind("Usage: nperf [-s|-c host] [options]\n", 0), 0u) << help;
  EXPECT_EQ(help.find("[]"), std::string::npos) << help;  // CLI11's own usage line ended in "[]"
  std::istringstream lines(help);
  std::string line, section, last_names;
  std::map<std::string, std::pair<std::string, std::string>> listed;  // name -> section, its lines
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == ':' && line[0] != ' ') section = line.substr(0, line.size() - 1);
    if (line.rfind("    ", 0) == 0) {  // a description's next line
      for (auto& [name, where] : listed)
        if (where.second == last_names) where.second += line;
      last_names += line;
      continue;
    }
    if (line.rfind("  -", 0) != 0) continue;
    std::string names = line.substr(0, line.find("  ", 2));
    for (const std::string& name : option_tokens(names)) listed[name] = {section, line};
    last_names = line;
  }
  for (const HelpRow& row : option_help_rows()) {
    for (const std::string& name : row.names) {
      ASSERT_TRUE(listed.count(name)) << name << " is missing from --help";
      EXPECT_EQ(listed[name].first, row.section) << name;
      if (!row.mark.empty()) {
        EXPECT_NE(listed[name].second.find(row.mark), std::string::npos) << name;
      }
    }
  }
}

TEST(CommandLineDocs, RefusedMarkMatchesTheOptionsNperfRefuses) {
  for (const HelpRow& row : option_help_rows()) {
    std::vector<std::string> args{"-c", "127.0.0.1", row.names.back()};
    if (!row.value.empty() && row.value[0] != '[') args.push_back("1");
    std::string err;
    run_for_output(args, &err);
    bool refused = err.find("not supported") != std::string::npos;
    EXPECT_EQ(refused, row.mark == kMarkRefused) << shown(row) << ": " << err;
  }
}

TEST(CommandLineDocs, ReadmeTableNamesEveryOptionAndNoOther) {
  std::string readme = read_text(kSourceDir + "/README.md");
  size_t begin = readme.find("\n## Options\n"), end = readme.find("\n## ", begin + 1);
  ASSERT_NE(begin, std::string::npos);
  std::istringstream lines(readme.substr(begin, end - begin));
  std::map<std::string, std::string> table;  // name in a row's first cell -> the row
  std::string refused_paragraph, line;
  bool in_refused = false;
  while (std::getline(lines, line)) {
    if (line.rfind("| `", 0) == 0) {
      std::string first_cell = line.substr(1, line.find('|', 1) - 1);
      for (const std::string& name : option_tokens(first_cell)) table[name] = line;
    }
    if (line.rfind("Not supported", 0) == 0) in_refused = true;
    if (line.empty()) in_refused = false;
    if (in_refused) refused_paragraph += line + "\n";
  }
  ASSERT_FALSE(refused_paragraph.empty());
  std::vector<std::string> refused_names = option_tokens(refused_paragraph);
  for (const HelpRow& row : option_help_rows()) {
    if (row.mark == kMarkRefused) {
      bool named = false;
      for (const std::string& name : row.names)
        named |= std::find(refused_names.begin(), refused_names.end(), name) != refused_names.end();
      EXPECT_TRUE(named) << shown(row) << " is missing from README's 'Not supported' paragraph";
      continue;
    }
    const std::string* found = nullptr;
    for (const std::string& name : row.names)
      if (table.count(name)) found = &table[name];
    if (!found) {
      ADD_FAILURE() << shown(row) << " is missing from README's options table";
      continue;
    }
    if (row.mark == kMarkNperf) {
      EXPECT_NE(found->find("nperf only"), std::string::npos) << shown(row);
    }
    if (row.mark.rfind("[iperf3 ", 0) == 0) {
      std::string version = row.mark.substr(8, row.mark.find('+') - 8);  // "3.17"
      EXPECT_NE(found->find("iperf3 ≥ " + version), std::string::npos) << shown(row) << " needs " << version;
    }
  }
  std::set<std::string> known = parser_names();
  for (const auto& [name, row] : table) {
    EXPECT_TRUE(known.count(name)) << name << " in README is no option";
  }
  for (const std::string& name : refused_names) {
    EXPECT_TRUE(known.count(name)) << name << " in README";
  }
}

TEST(CommandLineDocs, ManPageListsEveryOptionAsHelpDoes) {
  std::string page = read_text(kSourceDir + "/docs/nperf.1");
  ASSERT_FALSE(page.empty());
  std::istringstream lines(page);
  std::string line, section;
  bool in_options = false;
  struct Entry {
    std::string section, body;
  };
  std::map<std::string, Entry> listed;
  std::vector<std::string> order;  // the first name of each entry
  auto plain = [](std::string text) {
    for (const char* escape : {"\\fB", "\\fI", "\\fR", "\\fP", "\\&"})
      for (size_t at; (at = text.find(escape)) != std::string::npos;) text.erase(at, 3 - (escape[1] == '&'));
    for (size_t at; (at = text.find("\\-")) != std::string::npos;) text.erase(at, 1);
    return text;
  };
  while (std::getline(lines, line)) {
    if (line.rfind(".SH", 0) == 0) in_options = line == ".SH OPTIONS";
    if (!in_options) continue;
    if (line.rfind(".SS ", 0) == 0) {
      section = line.substr(4);
      section.erase(std::remove(section.begin(), section.end(), '"'), section.end());
    }
    if (line != ".TP") continue;
    std::string tag, body;
    std::getline(lines, tag);
    std::getline(lines, body);
    tag = plain(tag);
    std::vector<std::string> names = option_tokens(tag.substr(0, tag.find(' ', tag.rfind(", -") + 2)));
    ASSERT_FALSE(names.empty()) << tag;
    order.push_back(names.front());
    for (const std::string& name : names) listed[name] = {section, plain(body)};
  }
  std::vector<std::string> help_order;
  std::set<std::string> known;
  for (const HelpRow& row : option_help_rows()) {
    help_order.push_back(row.names.front());
    known.insert(row.names.begin(), row.names.end());
    for (const std::string& name : row.names) {
      ASSERT_TRUE(listed.count(name)) << name << " is missing from docs/nperf.1";
      EXPECT_EQ(listed[name].section, row.section) << name;
      if (!row.mark.empty()) {
        EXPECT_NE(listed[name].body.find(row.mark), std::string::npos) << name;
      }
    }
  }
  EXPECT_EQ(order, help_order) << "docs/nperf.1 lists the options in another order than --help";
  for (const auto& [name, entry] : listed) {
    EXPECT_TRUE(known.count(name)) << name << " in docs/nperf.1 is no option";
  }
}

}  // namespace
}  // namespace nperf::cli
