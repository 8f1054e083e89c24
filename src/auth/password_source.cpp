#include "nperf/auth/password_source.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

namespace nperf::auth {
namespace {

std::optional<std::string> prompt_on_terminal(std::string* error) {
  termios old_mode{};
  if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old_mode) != 0) {
    *error = "no password: set IPERF3_PASSWORD, give --password-file, or run on a terminal to be asked";
    return std::nullopt;
  }
  termios quiet = old_mode;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::cerr << "Password: " << std::flush;  // stderr: stdout may be a -J document
  std::string line;
  std::getline(std::cin, line);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
  std::cerr << "\n";
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> read_password_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = fmt::format("cannot read the password file '{}'", path);
    return std::nullopt;
  }
  std::string text(kMaxPasswordFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPasswordFileBytes) {
    *error = fmt::format("the password file '{}' is larger than {} bytes", path, kMaxPasswordFileBytes);
    return std::nullopt;
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

std::optional<std::string> obtain_password(const std::string& password_file, std::string* error) {
  if (!password_file.empty()) return read_password_file(password_file, error);
  if (const char* env = std::getenv("IPERF3_PASSWORD")) return std::string(env);
  return prompt_on_terminal(error);
}

}  // namespace nperf::auth
