// The pure parts of authentication: the credentials text, base64, hex, the
// users file, the access list and the per-source limits (auth/*.hpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nperf/auth/access_list.hpp"
#include "nperf/auth/source_limits.hpp"
#include "nperf/auth/token_format.hpp"
#include "nperf/auth/users_file.hpp"

namespace nperf::auth {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

TEST(AuthCredentials, FormatIsIperf3sTemplateByteForByte) {
  // "user: %s\npwd:  %s\nts:   %ld": one, two and three blanks, no final newline.
  EXPECT_EQ(format_credentials({"mario", "rossi", 1796584757}), "user: mario\npwd:  rossi\nts:   1796584757");
  EXPECT_EQ(format_credentials({"u", "p", -5}), "user: u\npwd:  p\nts:   -5");
}

TEST(AuthCredentials, ParseReadsWhatIperf3WritesAndWhatItsSscanfAccepts) {
  auto c = parse_credentials("user: mario\npwd:  rossi\nts:   1796584757");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "mario");
  EXPECT_EQ(c->password, "rossi");
  EXPECT_EQ(c->timestamp, 1796584757);
  // A blank in sscanf's format matches any run of blanks, none included.
  c = parse_credentials("user:mario pwd:rossi ts:+12\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "mario");
  EXPECT_EQ(c->timestamp, 12);
}

TEST(AuthCredentials, ParseRefusesEverythingElse) {
  for (std::string_view bad :
       {"", "user: mario", "user: mario\npwd:  rossi", "user: mario\npwd:  rossi\nts:   ",
        "user: mario\npwd:  rossi\nts: x", "user: mario\npwd:  rossi\nts:   12 trailing",
        "usr: mario\npwd:  rossi\nts:   1", "user: mario\npassword: rossi\nts:   1",
        "user: \npwd:  rossi\nts:   1", "user: mario\npwd:  rossi\nts:   99999999999999999999"})
    EXPECT_FALSE(parse_credentials(bad)) << bad;
  using namespace std::string_view_literals;  // found by fuzzing: a NUL inside a word
  EXPECT_FALSE(parse_credentials("user: ma\0rio\npwd:  rossi\nts:   1"sv));
  std::string long_user = "user: " + std::string(kMaxCredentialLength + 1, 'u') + "\npwd:  p\nts:   1";
  EXPECT_FALSE(parse_credentials(long_user));
}

TEST(AuthCredentials, ProblemsNameWhatCannotTravel) {
  EXPECT_EQ(credential_problem("password", "rossi"), "");
  EXPECT_NE(credential_problem("password", "two words").find("whitespace"), std::string::npos);
  EXPECT_NE(credential_problem("password", "").find("empty"), std::string::npos);
  EXPECT_NE(credential_problem("user name", std::string(256, 'x')).find("longer"), std::string::npos);
}

TEST(AuthBase64, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"f", "Zg=="},        {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, bytes_of(plain));
  }
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(AuthBase64, DecodeIsStrictAndBounded) {
  for (std::string_view bad :
       {"", "Zg=", "Zg", "Zm9v\n", "Zm 9v", "Z===", "Zg==Zm9v", "Zh==", "Zm9=", "Zm-v", "=Zm9"})
    EXPECT_FALSE(base64_decode(bad)) << bad;
  std::string big(kMaxTokenChars + 4, 'A');
  EXPECT_FALSE(base64_decode(big));
  EXPECT_TRUE(base64_decode(std::string(kMaxTokenChars, 'A')));
}

TEST(AuthHex, BothWays) {
  EXPECT_EQ(to_hex(bytes_of("\x01\xab")), "01ab");
  EXPECT_EQ(from_hex("01AB"), bytes_of("\x01\xab"));
  EXPECT_FALSE(from_hex("0"));
  EXPECT_FALSE(from_hex("0g"));
}

constexpr std::string_view kMarioHash = "bf7a49a846d44b454a5d11e7acfaf13d138bbe0b7483aa3e050879700572709b";

TEST(AuthUsersFile, SkipsCommentsBlankLinesAndLinesWithoutAComma) {
  std::string text = "# a comment, with a comma\n\nno comma here\r\nmario," + std::string(kMarioHash) +
                     "\r\nluigi," + std::string(kMarioHash) + ",ignored third field\n";
  UsersTable t = parse_users_file(text);
  ASSERT_EQ(t.users.size(), 2u);
  EXPECT_EQ(t.users[0].name, "mario");
  EXPECT_EQ(to_hex(t.users[0].hash), kMarioHash);
  EXPECT_EQ(t.users[1].name, "luigi");
  EXPECT_TRUE(t.problems.empty());
}

TEST(AuthUsersFile, ReportsBadLinesByNumberAndKeepsTheRest) {
  std::string text = std::string("mario,nothex\n,") + std::string(kMarioHash) + "\nmario," +
                     std::string(kMarioHash) + " \nluigi," + std::string(kMarioHash).substr(2) + "\n" +
                     std::string(1100, 'x') + ",y\nok," + std::string(kMarioHash);
  UsersTable t = parse_users_file(text);
  ASSERT_EQ(t.users.size(), 1u);
  EXPECT_EQ(t.users[0].name, "ok");
  ASSERT_EQ(t.problems.size(), 5u);
  EXPECT_NE(t.problems[0].find("line 1: user 'mario'"), std::string::npos) << t.problems[0];
  EXPECT_NE(t.problems[1].find("line 2: empty user name"), std::string::npos) << t.problems[1];
  EXPECT_NE(t.problems[2].find("line 3"), std::string::npos) << t.problems[2];  // trailing blank
  EXPECT_NE(t.problems[3].find("line 4"), std::string::npos) << t.problems[3];  // 62 digits
  EXPECT_NE(t.problems[4].find("line 5: longer than 1023"), std::string::npos) << t.problems[4];
}

TEST(AuthUsersFile, AnOversizedFileGrantsNothing) {
  std::string line = "mario," + std::string(kMarioHash) + "\n";
  std::string text;
  while (text.size() <= kMaxUsersFileBytes) text += line;
  UsersTable t = parse_users_file(text);
  EXPECT_TRUE(t.users.empty());
  EXPECT_EQ(t.problems.size(), 1u);
}

std::vector<uint8_t> v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {a, b, c, d};
}
std::vector<uint8_t> mapped(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}
std::vector<uint8_t> loopback6() {
  std::vector<uint8_t> a(16);
  a[15] = 1;
  return a;
}

TEST(AuthAccessList, MatchesPrefixesOfBothFamiliesAndV4MappedAddresses) {
  std::string error;
  auto list = AccessList::parse("10.0.0.0/8, 192.0.2.7,::1/128,2001:db8::/32,172.16.0.0/12", &error);
  ASSERT_TRUE(list) << error;
  EXPECT_TRUE(list->allows(v4(10, 1, 2, 3)));
  EXPECT_TRUE(list->allows(mapped(10, 1, 2, 3)));  // an IPv4 client of a dual-stack listener
  EXPECT_TRUE(list->allows(v4(192, 0, 2, 7)));
  EXPECT_FALSE(list->allows(v4(192, 0, 2, 8)));
  EXPECT_TRUE(list->allows(v4(172, 31, 255, 255)));
  EXPECT_FALSE(list->allows(v4(172, 32, 0, 0)));
  EXPECT_FALSE(list->allows(v4(127, 0, 0, 1)));
  EXPECT_TRUE(list->allows(loopback6()));
  std::vector<uint8_t> doc(16);
  doc[0] = 0x20, doc[1] = 0x01, doc[2] = 0x0d, doc[3] = 0xb8, doc[15] = 9;
  EXPECT_TRUE(list->allows(doc));
  doc[3] = 0xb9;
  EXPECT_FALSE(list->allows(doc));
  auto only = AccessList::parse("127.0.0.2/32", &error);
  ASSERT_TRUE(only);
  EXPECT_FALSE(only->allows(v4(127, 0, 0, 1)));
  EXPECT_FALSE(only->allows(loopback6()));  // ::1 is not 127.0.0.2
  auto all4 = AccessList::parse("0.0.0.0/0", &error);
  ASSERT_TRUE(all4);
  EXPECT_TRUE(all4->allows(mapped(8, 8, 8, 8)));
  EXPECT_FALSE(all4->allows(loopback6()));
}

TEST(AuthAccessList, BadItemsAreParameterErrors) {
  for (std::string_view bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0.1/8", "host.example",
                               "::1/129", "10.0.0.0/8,", "1.2.3.4/-1"}) {
    std::string error;
    EXPECT_FALSE(AccessList::parse(bad, &error)) << bad;
    EXPECT_NE(error.find("--allow"), std::string::npos) << bad;
  }
}

TEST(AuthAccessList, AddressText) {
  EXPECT_EQ(address_text(v4(127, 0, 0, 1)), "127.0.0.1");
  EXPECT_EQ(address_text(loopback6()), "::1");
}

TEST(AuthLimits, FailuresBlockASourceForTheRestOfItsWindowOnly) {
  FailureLimiter limiter(3, 60, 2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.blocked("a", 10 + i));
    limiter.record_failure("a", 10 + i);
  }
  EXPECT_TRUE(limiter.blocked("a", 13));
  EXPECT_FALSE(limiter.blocked("b", 13));  // per source
  EXPECT_TRUE(limiter.blocked("a", 69.9));
  EXPECT_FALSE(limiter.blocked("a", 70));  // the window began with the first failure
  limiter.record_failure("a", 70);         // a new window
  EXPECT_FALSE(limiter.blocked("a", 71));
  limiter.record_success("a");
  limiter.record_failure("b", 1);
  limiter.record_failure("c", 2);
  limiter.record_failure("d", 3);  // the table holds two: the oldest ("b") made room
  for (int i = 0; i < 2; ++i) limiter.record_failure("b", 4);
  EXPECT_FALSE(limiter.blocked("b", 5));  // only two failures counted since it was dropped
}

TEST(AuthLimits, RefusalLogSaysOncePerSourcePerIntervalWithTheCount) {
  RefusalLog log(60);
  EXPECT_EQ(log.refused("a", 0), 1);
  EXPECT_EQ(log.refused("a", 1), std::nullopt);
  EXPECT_EQ(log.refused("b", 2), 1);
  EXPECT_EQ(log.refused("a", 30), std::nullopt);
  EXPECT_EQ(log.refused("a", 60), 3);  // the two unlogged ones and this one
  EXPECT_EQ(log.refused("a", 61), std::nullopt);
  EXPECT_EQ(log.total(), 6);
}

}  // namespace
}  // namespace nperf::auth
