// The crypto wrapper, the client's token and the server's checks, with the
// fixed keys of tests/data/auth and a token made by iperf3 3.12 itself.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "nperf/auth/client_token.hpp"
#include "nperf/auth/rsa_crypto.hpp"
#include "nperf/auth/server_gate.hpp"
#include "nperf/auth/token_format.hpp"

namespace nperf::auth {
namespace {

const std::string kData = std::string(NPERF_GOLDEN_DIR) + "/../data/auth/";
constexpr int64_t kIperf3TokenTime = 1796584757;  // the ts inside iperf3_312_params.json's token

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string iperf3_token() {
  return nlohmann::json::parse(read_file(kData + "iperf3_312_params.json"))["authtoken"];
}

RsaKey load_private() {
  std::string error;
  auto key = RsaKey::load_private(kData + "server_private.pem", &error);
  if (!key) throw std::runtime_error(error);
  return std::move(*key);
}

RsaKey load_public(const std::string& name) {
  std::string error;
  auto key = RsaKey::load_public(kData + name, &error);
  if (!key) throw std::runtime_error(error);
  return std::move(*key);
}

ServerGate make_gate(Padding padding, std::string users = kData + "users.csv", int skew = 10) {
  return ServerGate(load_private(), ServerAuthOptions{users, skew, padding}, AccessList());
}

std::string token(const std::string& user, const std::string& password, int64_t ts, Padding padding,
                  const std::string& key = "server_public.pem") {
  std::string error;
  auto t = ClientToken(user, password, load_public(key), padding).make(ts, &error);
  if (!t) throw std::runtime_error(error);
  return *t;
}

TEST(AuthCrypto, PasswordHashIsSha256OfBracedUserThenPassword) {
  // iperf3's documented example: mario / rossi.
  EXPECT_EQ(to_hex(password_hash("mario", "rossi")),
            "bf7a49a846d44b454a5d11e7acfaf13d138bbe0b7483aa3e050879700572709b");
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AuthCrypto, ConstantTimeEqualityComparesWholeSpans) {
  std::vector<uint8_t> a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(equal_constant_time(a, b));
  EXPECT_FALSE(equal_constant_time(a, c));
  EXPECT_FALSE(equal_constant_time(a, d));
}

TEST(AuthCrypto, Iperf3312TokenIsPkcs1AndDecryptsToItsTemplate) {
  auto encrypted = base64_decode(iperf3_token());
  ASSERT_TRUE(encrypted);
  EXPECT_EQ(encrypted->size(), 256u);  // one 2048-bit block
  RsaKey key = load_private();
  auto plain = key.decrypt(*encrypted, Padding::kPkcs1);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "user: mario\npwd:  rossi\nts:   1796584757");
  EXPECT_FALSE(key.decrypt(*encrypted, Padding::kOaep));  // 3.12 does not use OAEP
  std::vector<uint8_t> shorter(encrypted->begin(), encrypted->end() - 1);
  EXPECT_FALSE(key.decrypt(shorter, Padding::kPkcs1));
}

TEST(AuthCrypto, RoundTripsBothPaddingsAndRefusesAnotherKeysToken) {
  RsaKey key = load_private();
  for (Padding padding : {Padding::kOaep, Padding::kPkcs1}) {
    std::string t = token("mario", "rossi", 42, padding);
    EXPECT_EQ(t.size(), 344u);  // 256 bytes in base64, no newlines
    auto plain = key.decrypt(*base64_decode(t), padding);
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, "user: mario\npwd:  rossi\nts:   42");
    EXPECT_FALSE(
        key.decrypt(*base64_decode(token("mario", "rossi", 42, padding, "other_public.pem")), padding));
  }
}

TEST(AuthCrypto, BadKeyFilesAreClearErrors) {
  std::string error;
  EXPECT_FALSE(RsaKey::load_public(kData + "missing.pem", &error));
  EXPECT_NE(error.find("cannot read"), std::string::npos) << error;
  EXPECT_FALSE(RsaKey::load_public(kData + "server_private.pem", &error));  // not a public key
  EXPECT_NE(error.find("server_private.pem"), std::string::npos) << error;
  EXPECT_FALSE(RsaKey::load_private(kData + "server_public.pem", &error));
  EXPECT_NE(error.find("private key"), std::string::npos) << error;
}

TEST(AuthClientToken, ParamsGetTheTokenBeforeClientVersionAsIperf3) {
  ClientToken client("mario", "rossi", load_public("server_public.pem"), Padding::kOaep);
  std::string error;
  auto params = client.add_to_params(R"({"tcp":true,"time":1,"client_version":"3.12-nperf-0.1","nperf":{}})",
                                     100, &error);
  ASSERT_TRUE(params) << error;
  auto j = nlohmann::ordered_json::parse(*params);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"tcp", "time", "authtoken", "client_version", "nperf"}));
  auto plain = load_private().decrypt(*base64_decode(j["authtoken"].get<std::string>()), Padding::kOaep);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "user: mario\npwd:  rossi\nts:   100");
}

TEST(AuthClientToken, TooLongForTheKeyIsAnError) {
  ClientToken client("mario", std::string(250, 'p'), load_public("server_public.pem"), Padding::kOaep);
  std::string error;
  EXPECT_FALSE(client.make(1, &error));
  EXPECT_NE(error.find("too long"), std::string::npos) << error;
}

TEST(AuthServerGate, AcceptsIperf3312sTokenWithinTheSkewOnly) {
  ServerGate gate = make_gate(Padding::kPkcs1);
  Verdict v = gate.check(iperf3_token(), "127.0.0.1", kIperf3TokenTime + 10, 0);
  EXPECT_TRUE(v.ok) << v.detail;
  EXPECT_EQ(v.user, "mario");
  v = gate.check(iperf3_token(), "127.0.0.1", kIperf3TokenTime - 10, 0);
  EXPECT_TRUE(v.ok) << v.detail;
  v = gate.check(iperf3_token(), "127.0.0.1", kIperf3TokenTime + 11, 0);  // a replay, 11 s later
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.detail.find("--time-skew-threshold 10"), std::string::npos) << v.detail;
  v = gate.check(iperf3_token(), "127.0.0.1", kIperf3TokenTime - 11, 0);
  EXPECT_FALSE(v.ok);
  ServerGate oaep = make_gate(Padding::kOaep);  // iperf3 >= 3.17's default refuses a 3.12 token
  v = oaep.check(iperf3_token(), "127.0.0.1", kIperf3TokenTime, 0);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.detail.find("--use-pkcs1-padding"), std::string::npos) << v.detail;
}

TEST(AuthServerGate, RefusesWrongPasswordUnknownUserOtherKeyNoTokenAndGarbage) {
  ServerGate gate = make_gate(Padding::kOaep);
  const int64_t now = 1'000'000;
  EXPECT_TRUE(gate.check(token("luigi", "verdi", now, Padding::kOaep), "a", now, 0).ok);
  struct Case {
    std::optional<std::string> token;
    const char* detail;
  } cases[] = {
      {token("mario", "wrong", now, Padding::kOaep), "unknown user or wrong password"},
      {token("wario", "rossi", now, Padding::kOaep), "unknown user or wrong password"},
      {token("luigi", "rossi", now, Padding::kOaep), "unknown user or wrong password"},  // another's password
      {token("mario", "rossi", now, Padding::kOaep, "other_public.pem"), "does not decrypt"},
      {token("mario", "rossi", now, Padding::kPkcs1), "does not decrypt"},
      {std::nullopt, "no authtoken"},
      {"not base64!", "not base64"},
      {std::string(kMaxTokenChars + 4, 'A'), "not base64"},
  };
  int source = 0;
  for (const Case& c : cases) {
    Verdict v = gate.check(c.token, std::to_string(source++), now, 0);  // a source each: no rate limit here
    EXPECT_FALSE(v.ok) << c.detail;
    EXPECT_NE(v.detail.find(c.detail), std::string::npos) << v.detail;
  }
}

TEST(AuthServerGate, RateLimitsFailuresPerSourceWithoutDecrypting) {
  ServerGate gate = make_gate(Padding::kOaep);
  const int64_t now = 1'000'000;
  std::string good = token("mario", "rossi", now, Padding::kOaep);
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(gate.check(token("mario", "bad", now, Padding::kOaep), "x", now, i).ok);
  Verdict v = gate.check(good, "x", now, 5);
  EXPECT_FALSE(v.ok);  // even the right password, for the rest of the minute
  EXPECT_NE(v.detail.find("too many failed attempts"), std::string::npos) << v.detail;
  EXPECT_TRUE(gate.check(good, "y", now, 5).ok);  // other sources are not affected
  EXPECT_TRUE(gate.check(good, "x", now, 60).ok);
}

TEST(AuthServerGate, RereadsTheUsersFileWhenItChanges) {
  std::string path = ::testing::TempDir() + "nperf_users_" + std::to_string(getpid()) + ".csv";
  std::ofstream(path) << "luigi," << to_hex(password_hash("luigi", "verdi")) << "\n";
  ServerGate gate = make_gate(Padding::kOaep, path);
  const int64_t now = 1'000'000;
  std::string mario = token("mario", "rossi", now, Padding::kOaep);
  EXPECT_FALSE(gate.check(mario, "a", now, 0).ok);
  std::ofstream(path) << "# mario added\nluigi," << to_hex(password_hash("luigi", "verdi")) << "\nmario,"
                      << to_hex(password_hash("mario", "rossi")) << "\nbroken,line\n";
  Verdict v = gate.check(mario, "a", now, 0);
  EXPECT_TRUE(v.ok) << v.detail;
  ASSERT_EQ(v.notes.size(), 1u);  // the bad line, reported once per read
  EXPECT_NE(v.notes[0].find("line 4"), std::string::npos) << v.notes[0];
  EXPECT_TRUE(gate.check(mario, "a", now, 0).notes.empty());
  std::filesystem::remove(path);
  v = gate.check(mario, "a", now, 0);
  EXPECT_FALSE(v.ok);  // fails closed
  ASSERT_FALSE(v.notes.empty());
  EXPECT_NE(v.notes[0].find("cannot read"), std::string::npos);
}

TEST(AuthServerGate, AccessListRefusalsAreLoggedOncePerMinute) {
  std::string error;
  ServerGate gate(std::nullopt, {}, *AccessList::parse("127.0.0.2/32", &error));
  std::vector<uint8_t> allowed = {127, 0, 0, 2}, other = {127, 0, 0, 1};
  std::string line;
  EXPECT_TRUE(gate.admits(allowed, 0, &line));
  EXPECT_FALSE(gate.admits(other, 0, &line));
  EXPECT_EQ(line, "refused 1 connection from 127.0.0.1: not in --allow (1 refused in all)");
  line.clear();
  EXPECT_FALSE(gate.admits(other, 30, &line));
  EXPECT_EQ(line, "");
  EXPECT_FALSE(gate.admits(other, 61, &line));
  EXPECT_EQ(line, "refused 2 connections from 127.0.0.1: not in --allow (3 refused in all)");
}

}  // namespace
}  // namespace nperf::auth
