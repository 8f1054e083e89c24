#include "nperf/protocol/json_access.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace nperf::protocol {
namespace {

using json = nlohmann::ordered_json;

json parse(std::string_view text) {
  std::string error;
  auto j = parse_json_object(text, 16, &error);
  if (!j) throw std::runtime_error("test JSON did not parse: " + error);
  return *j;
}

testing::AssertionResult contains(const std::string& haystack, std::string_view needle) {
  if (haystack.find(needle) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << haystack << "' does not contain '" << needle << "'";
}

std::string nested(int levels) {
  // levels = number of objects, outermost included: {"a":{"a":{}}} has 3.
  std::string s;
  for (int i = 1; i < levels; ++i) s += "{\"a\":";
  s += "{}";
  for (int i = 1; i < levels; ++i) s += "}";
  return s;
}

}  // namespace

TEST(JsonAccess, FindsKeysCaseInsensitively) {
  json j = parse(R"({"MSS":1460,"Tcp":true,"client_VERSION":"3.12"})");
  ASSERT_NE(find_key(j, "mss"), nullptr);
  EXPECT_EQ(*find_key(j, "mss"), 1460);
  EXPECT_EQ(get_int(j, "Mss"), 1460);
  EXPECT_EQ(get_int(j, "MSS"), 1460);
  EXPECT_TRUE(get_presence_flag(j, "tcp"));
  EXPECT_TRUE(get_presence_flag(j, "TCP"));
  EXPECT_EQ(get_string(j, "client_version"), "3.12");
}

TEST(JsonAccess, PrefersExactCaseMatch) {
  json j = parse(R"({"abc":1,"ABC":2})");
  EXPECT_EQ(get_int(j, "abc"), 1);
  EXPECT_EQ(get_int(j, "ABC"), 2);
}

TEST(JsonAccess, CaseInsensitiveMatchNeedsSameLength) {
  json j = parse(R"({"parallel":3})");
  EXPECT_EQ(find_key(j, "paralle"), nullptr);
  EXPECT_EQ(find_key(j, "parallell"), nullptr);
  EXPECT_EQ(get_int(j, "paralle"), std::nullopt);
}

TEST(JsonAccess, FindKeyOnNonObjectFindsNothing) {
  EXPECT_EQ(find_key(json::array({1, 2}), "a"), nullptr);
  EXPECT_EQ(find_key(json(5), "a"), nullptr);
  EXPECT_EQ(find_key(json(nullptr), "a"), nullptr);
}

TEST(JsonAccess, AbsentKeysGiveNulloptAndFlagOff) {
  json j = parse(R"({"other":1})");
  EXPECT_EQ(get_int(j, "time"), std::nullopt);
  EXPECT_EQ(get_number(j, "time"), std::nullopt);
  EXPECT_EQ(get_string(j, "title"), std::nullopt);
  EXPECT_FALSE(get_presence_flag(j, "reverse"));
}

TEST(JsonAccess, ReadsPlainIntegers) {
  json j = parse(R"({"a":0,"b":131072,"c":-5,"d":9223372036854775807,"e":-9223372036854775808})");
  EXPECT_EQ(get_int(j, "a"), 0);
  EXPECT_EQ(get_int(j, "b"), 131072);
  EXPECT_EQ(get_int(j, "c"), -5);
  EXPECT_EQ(get_int(j, "d"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(get_int(j, "e"), std::numeric_limits<int64_t>::min());
}

TEST(JsonAccess, UnsignedAllOnesIsMinusOneAsIperf312PrintsIt) {
  json j = parse(R"({"sender_has_retransmits":18446744073709551615,"x":18446744073709551614})");
  EXPECT_EQ(get_int(j, "sender_has_retransmits"), -1);
  EXPECT_EQ(get_int(j, "x"), -2);
}

TEST(JsonAccess, UnsignedFromTwoToThe63WrapsNegative) {
  json j = parse(R"({"x":9223372036854775808})");
  EXPECT_EQ(get_int(j, "x"), std::numeric_limits<int64_t>::min());
}

TEST(JsonAccess, IntegralFloatIsAnInteger) {
  json j = parse(R"({"a":2.0,"b":1e3,"c":-4.0})");
  EXPECT_EQ(get_int(j, "a"), 2);
  EXPECT_EQ(get_int(j, "b"), 1000);
  EXPECT_EQ(get_int(j, "c"), -4);
}

TEST(JsonAccess, FloatWithFractionForIntFieldThrows) {
  json j = parse(R"({"parallel":2.5,"tiny":0.0001,"negative":-2.5})");
  EXPECT_THROW(get_int(j, "parallel"), JsonFieldError);
  EXPECT_THROW(get_int(j, "negative"), JsonFieldError);
  EXPECT_THROW(get_int(j, "tiny"), JsonFieldError);
}

TEST(JsonAccess, HugeFloatForIntFieldThrows) {
  json j = parse(R"({"a":1e300,"b":-1e19})");
  EXPECT_THROW(get_int(j, "a"), JsonFieldError);
  EXPECT_THROW(get_int(j, "b"), JsonFieldError);
}

TEST(JsonAccess, WrongTypesForIntThrow) {
  json j = parse(R"({"s":"4","b":true,"f":false,"n":null,"a":[1],"o":{"x":1}})");
  for (const char* key : {"s", "b", "f", "n", "a", "o"}) EXPECT_THROW(get_int(j, key), JsonFieldError) << key;
}

TEST(JsonAccess, IntErrorNamesTheKey) {
  json j = parse(R"({"parallel":"4"})");
  try {
    get_int(j, "parallel");
    FAIL() << "no exception";
  } catch (const JsonFieldError& e) {
    EXPECT_TRUE(contains(e.what(), "parallel"));
  }
}

TEST(JsonAccess, ReadsNumbers) {
  json j = parse(R"({"f":2.5903722038815675,"i":3,"z":0,"neg":-0.5})");
  EXPECT_DOUBLE_EQ(*get_number(j, "f"), 2.5903722038815675);
  EXPECT_DOUBLE_EQ(*get_number(j, "i"), 3.0);
  EXPECT_DOUBLE_EQ(*get_number(j, "z"), 0.0);
  EXPECT_DOUBLE_EQ(*get_number(j, "neg"), -0.5);
}

TEST(JsonAccess, UnsignedAllOnesNumberIsMinusOne) {
  json j = parse(R"({"time":18446744073709551615})");
  EXPECT_DOUBLE_EQ(*get_number(j, "time"), -1.0);
}

TEST(JsonAccess, WrongTypesForNumberThrow) {
  json j = parse(R"({"s":"2.5","b":true,"n":null,"a":[],"o":{}})");
  for (const char* key : {"s", "b", "n", "a", "o"}) EXPECT_THROW(get_number(j, key), JsonFieldError) << key;
}

TEST(JsonAccess, ReadsStrings) {
  json j = parse(R"({"title":"hello \"world\"","empty":""})");
  EXPECT_EQ(get_string(j, "title"), "hello \"world\"");
  EXPECT_EQ(get_string(j, "empty"), "");
}

TEST(JsonAccess, WrongTypesForStringThrow) {
  // "title":5 crashed iperf3 <= 3.17 (CVE-2024-53580); it must be an error here.
  json j = parse(R"({"title":5,"b":true,"n":null,"a":["x"],"o":{"x":"y"}})");
  for (const char* key : {"title", "b", "n", "a", "o"})
    EXPECT_THROW(get_string(j, key), JsonFieldError) << key;
}

TEST(JsonAccess, PresenceFlagIsOnForAnyBoolOrNumberIncludingFalseAndZero) {
  json j = parse(R"({"t":true,"f":false,"zero":0,"one":1,"fz":0.0,"neg":-1})");
  for (const char* key : {"t", "f", "zero", "one", "fz", "neg"})
    EXPECT_TRUE(get_presence_flag(j, key)) << key;
}

TEST(JsonAccess, PresenceFlagWithWrongTypeThrows) {
  json j = parse(R"({"s":"yes","n":null,"a":[true],"o":{}})");
  for (const char* key : {"s", "n", "a", "o"}) EXPECT_THROW(get_presence_flag(j, key), JsonFieldError) << key;
}

TEST(JsonAccess, ParsesObject) {
  std::string error;
  auto j = parse_json_object(R"({"tcp":true,"omit":0})", 16, &error);
  ASSERT_TRUE(j.has_value()) << error;
  EXPECT_TRUE(j->is_object());
  EXPECT_EQ((*j)["omit"], 0);
}

TEST(JsonAccess, ParsesEmptyObject) {
  std::string error;
  auto j = parse_json_object("{}", 16, &error);
  ASSERT_TRUE(j.has_value()) << error;
  EXPECT_TRUE(j->empty());
}

TEST(JsonAccess, RejectsNonObjects) {
  for (std::string_view text : {"[1,2]", "[]", "5", "\"s\"", "true", "null"}) {
    std::string error;
    EXPECT_FALSE(parse_json_object(text, 16, &error).has_value()) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(JsonAccess, RejectsGarbage) {
  for (std::string_view text :
       {"", " ", "not json", "{", "}", "{\"a\":}", "{'a':1}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":1}{}",
        "{\"a\":NaN}", "{a:1}", "{\"a\":01}", "{\"a\":1 /* c */}"}) {
    std::string error;
    EXPECT_FALSE(parse_json_object(text, 16, &error).has_value()) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

TEST(JsonAccess, RejectsBinaryGarbage) {
  std::string text("\x00\xff\x7b\x22", 4);
  std::string error;
  EXPECT_FALSE(parse_json_object(text, 16, &error).has_value());
  EXPECT_FALSE(error.empty());
}

TEST(JsonAccess, AcceptsNestingUpToLimit) {
  std::string error;
  EXPECT_TRUE(parse_json_object(nested(3), 3, &error).has_value()) << error;
  EXPECT_TRUE(parse_json_object(nested(16), 16, &error).has_value()) << error;
  EXPECT_TRUE(parse_json_object(R"({"a":[[1]]})", 3, &error).has_value()) << error;
}

TEST(JsonAccess, RejectsNestingOverLimit) {
  std::string error;
  EXPECT_FALSE(parse_json_object(nested(4), 3, &error).has_value());
  EXPECT_TRUE(contains(error, "deep"));
  error.clear();
  EXPECT_FALSE(parse_json_object(nested(17), 16, &error).has_value());
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(parse_json_object(R"({"a":[[[1]]]})", 3, &error).has_value());  // arrays count too
  EXPECT_FALSE(error.empty());
}

TEST(JsonAccess, DepthIsMeasuredNotCountedCumulatively) {
  // Many siblings at depth 2 must not add up to a "deep" document.
  std::string text = "{";
  for (int i = 0; i < 50; ++i) {
    if (i) text += ',';
    text += fmt::format("\"k{}\":{{}}", i);  // (operator+ chains trip GCC 12's -Wrestrict at -O2)
  }
  text += "}";
  std::string error;
  EXPECT_TRUE(parse_json_object(text, 2, &error).has_value()) << error;
}

TEST(JsonAccess, RejectsVeryDeepInputWithoutCrashing) {
  std::string text = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string error;
  EXPECT_FALSE(parse_json_object(text, 16, &error).has_value());
  EXPECT_FALSE(error.empty());
}

}  // namespace nperf::protocol
