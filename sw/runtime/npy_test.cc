#include "sw/runtime/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace npu::runtime {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::string_view_literals;

// Files written by numpy 1.24.2 (Debian 12's python3-numpy) with
// np.lib.format.write_array(f, a, version=...), as hex. Regenerate with e.g.
//   python3 -c 'import io, numpy as np; b = io.BytesIO();
//     np.lib.format.write_array(b, np.array([1.5, -0.25], np.float32), version=(2, 0));
//     print(b.getvalue().hex())'
// Int8V1: [[-128, -1, 0], [1, 2, 127]] as int8 (2, 3), version 1.0 (the default), 134 bytes
constexpr char kInt8V1[] =
    "934e554d5059010076007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028322c2033292c207d2020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a80ff0001027f";
// Uint8V1: [0, 1, 128, 255] as uint8 (4,), version 1.0 (the default), 132 bytes
constexpr char kUint8V1[] =
    "934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028342c292c207d20202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a000180ff";
// Int32V1: [[-2**31, -1], [1, 2**31 - 1]] as int32 (2, 2), version 1.0 (the default), 144 bytes
constexpr char kInt32V1[] =
    "934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028322c2032292c207d2020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a00000080ffffffff01000000ffffff"
    "7f";
// Int64V1: [-2**63, 0, 2**63 - 1] as int64 (3,), version 1.0 (the default), 152 bytes
constexpr char kInt64V1[] =
    "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028332c292c207d20202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a000000000000008000000000000000"
    "00"
    "ffffffffffffff7f";
// Float32V1: [1.5, -0.25, inf] as float32 (3,), version 1.0 (the default), 140 bytes
constexpr char kFloat32V1[] =
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028332c292c207d20202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a0000c03f000080be0000807f";
// Float32ScalarV1: 3.0 as float32 (), version 1.0 (the default), 132 bytes
constexpr char kFloat32ScalarV1[] =
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028292c207d202020202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a00004040";
// Int32EmptyV1: np.zeros((0, 3)) as int32 (0, 3), version 1.0 (the default), 128 bytes
constexpr char kInt32EmptyV1[] =
    "934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028302c2033292c207d2020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a";
// Uint8NchwV1: np.arange(12).reshape(1, 3, 2, 2) as uint8 (1, 3, 2, 2), version 1.0 (the default),
// 140 bytes
constexpr char kUint8NchwV1[] =
    "934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028312c20332c20322c2032292c207d2020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a000102030405060708090a0b";
// Float32V2: [1.5, -0.25] as float32 (2,), version 2.0, 136 bytes
constexpr char kFloat32V2[] =
    "934e554d50590200740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046"
    "61"
    "6c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a0000c03f000080be";
// Int8V2: [-1, 0, 1] as int8 (3,), version 2.0, 131 bytes
constexpr char kInt8V2[] =
    "934e554d50590200740000007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a2046"
    "61"
    "6c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200aff0001";
// Int64V3: [7] as int64 (1,), version 3.0, 136 bytes
constexpr char kInt64V3[] =
    "934e554d50590300740000007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046"
    "61"
    "6c73652c20277368617065273a2028312c292c207d2020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a0700000000000000";
// FortranV1: np.asfortranarray(np.arange(6).reshape(2, 3)) as int32 (2, 3), version 1.0 (the
// default), 152 bytes
constexpr char kFortranV1[] =
    "934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a20547275"
    "65"
    "2c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a000000000300000001000000040000"
    "00"
    "0200000005000000";
// BigEndianV1: [1, 2] as >i4 (2,), version 1.0 (the default), 136 bytes
constexpr char kBigEndianV1[] =
    "934e554d5059010076007b276465736372273a20273e6934272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028322c292c207d20202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a0000000100000002";
// Float64V1: [1.0] as float64 (1,), version 1.0 (the default), 136 bytes
constexpr char kFloat64V1[] =
    "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c"
    "73"
    "652c20277368617065273a2028312c292c207d20202020202020202020202020202020202020202020202020202020"
    "20"
    "202020202020202020202020202020202020202020202020202020202020200a000000000000f03f";

std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

/// A .npy file of format @p major.0 with header text @p header (taken as is:
/// no padding or newline added) and data bytes @p data.
std::vector<uint8_t> MakeNpy(std::string_view header, std::vector<uint8_t> data = {},
                             uint8_t major = 1) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  const size_t len_size = major == 1 ? 2 : 4;
  for (size_t i = 0; i < len_size; ++i) out.push_back(static_cast<uint8_t>(header.size() >> 8 * i));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

/// The header dict numpy writes (without padding) for @p descr and @p shape.
std::string Dict(std::string_view descr, std::string_view shape) {
  return "{'descr': '" + std::string(descr) +
         "', 'fortran_order': False, 'shape': " + std::string(shape) + ", }\n";
}

/// The message of the NpyError that ParseNpy(@p bytes, "input 'x'") throws.
std::string ParseError(const std::vector<uint8_t>& bytes) {
  try {
    const NpyArray a = ParseNpy(bytes, "input 'x'");
    ADD_FAILURE() << "parsed as " << DTypeName(a.dtype) << " " << a.ShapeString();
  } catch (const NpyError& e) {
    return e.what();
  }
  return "";
}

/// Whether @p s names the input and contains @p problem.
auto Names(std::string_view problem) {
  return AllOf(HasSubstr("input 'x': "), HasSubstr(std::string(problem)));
}

template <typename T>
std::vector<T> Values(const NpyArray& a) {
  std::vector<T> out(a.data.size() / sizeof(T));
  static_assert(std::endian::native == std::endian::little);
  std::memcpy(out.data(), a.data.data(), out.size() * sizeof(T));
  return out;
}

NpyArray Parse(std::string_view hex) { return ParseNpy(FromHex(hex), "numpy file"); }

TEST(NpyDTypeTest, NamesAndSizes) {
  EXPECT_STREQ(DTypeName(DType::kInt8), "int8");
  EXPECT_STREQ(DTypeName(DType::kUint8), "uint8");
  EXPECT_STREQ(DTypeName(DType::kInt32), "int32");
  EXPECT_STREQ(DTypeName(DType::kInt64), "int64");
  EXPECT_STREQ(DTypeName(DType::kFloat32), "float32");
  EXPECT_EQ(DTypeSize(DType::kInt8), 1u);
  EXPECT_EQ(DTypeSize(DType::kUint8), 1u);
  EXPECT_EQ(DTypeSize(DType::kInt32), 4u);
  EXPECT_EQ(DTypeSize(DType::kInt64), 8u);
  EXPECT_EQ(DTypeSize(DType::kFloat32), 4u);
}

TEST(NpyArrayTest, NumElementsAndShapeString) {
  NpyArray a;
  EXPECT_EQ(a.NumElements(), 1);
  EXPECT_EQ(a.ShapeString(), "[]");
  a.shape = {1, 3, 8, 8};
  EXPECT_EQ(a.NumElements(), 192);
  EXPECT_EQ(a.ShapeString(), "[1, 3, 8, 8]");
  a.shape = {4, 0, 5};
  EXPECT_EQ(a.NumElements(), 0);
  a.shape = {2, -1};
  EXPECT_THROW(a.NumElements(), NpyError);
  a.shape = {int64_t{1} << 62, 4};
  EXPECT_THROW(a.NumElements(), NpyError);
}

TEST(NpyTest, RoundTripsEveryDTypeAndShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {1}, {7}, {2, 3}, {3, 0, 4}, {1, 3, 8, 8}, {2, 1, 1, 1, 1, 3}};
  for (DType dtype : {DType::kInt8, DType::kUint8, DType::kInt32, DType::kInt64, DType::kFloat32}) {
    for (const auto& shape : shapes) {
      NpyArray a{dtype, shape, {}};
      SCOPED_TRACE(std::string(DTypeName(dtype)) + " " + a.ShapeString());
      a.data.resize(static_cast<size_t>(a.NumElements()) * DTypeSize(dtype));
      for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = static_cast<uint8_t>(i * 37 + 11);
      const std::vector<uint8_t> bytes = SerializeNpy(a);
      ASSERT_GE(bytes.size(), 10u);
      EXPECT_EQ(bytes[6], 1) << "version 1.0";
      EXPECT_EQ((bytes.size() - a.data.size()) % 64, 0u) << "data 64-byte aligned";
      EXPECT_EQ(bytes[bytes.size() - a.data.size() - 1], '\n');
      const NpyArray b = ParseNpy(bytes, "round trip");
      EXPECT_EQ(b.dtype, a.dtype);
      EXPECT_EQ(b.shape, a.shape);
      EXPECT_EQ(b.data, a.data);
    }
  }
}

TEST(NpyTest, ParsesWhatNumpyWrote) {
  NpyArray a = Parse(kInt8V1);
  EXPECT_EQ(a.dtype, DType::kInt8);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Values<int8_t>(a), (std::vector<int8_t>{-128, -1, 0, 1, 2, 127}));

  a = Parse(kUint8V1);
  EXPECT_EQ(a.dtype, DType::kUint8);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(Values<uint8_t>(a), (std::vector<uint8_t>{0, 1, 128, 255}));

  a = Parse(kInt32V1);
  EXPECT_EQ(a.dtype, DType::kInt32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Values<int32_t>(a), (std::vector<int32_t>{INT32_MIN, -1, 1, INT32_MAX}));

  a = Parse(kInt64V1);
  EXPECT_EQ(a.dtype, DType::kInt64);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(Values<int64_t>(a), (std::vector<int64_t>{INT64_MIN, 0, INT64_MAX}));

  a = Parse(kFloat32V1);
  EXPECT_EQ(a.dtype, DType::kFloat32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(Values<float>(a), (std::vector<float>{1.5f, -0.25f, INFINITY}));

  a = Parse(kFloat32ScalarV1);
  EXPECT_EQ(a.dtype, DType::kFloat32);
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.NumElements(), 1);
  EXPECT_EQ(Values<float>(a), (std::vector<float>{3.0f}));

  a = Parse(kInt32EmptyV1);
  EXPECT_EQ(a.dtype, DType::kInt32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(a.data.empty());

  a = Parse(kUint8NchwV1);
  EXPECT_EQ(a.dtype, DType::kUint8);
  EXPECT_EQ(a.ShapeString(), "[1, 3, 2, 2]");
  EXPECT_EQ(Values<uint8_t>(a), (std::vector<uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));

  a = Parse(kFloat32V2);
  EXPECT_EQ(a.dtype, DType::kFloat32);
  EXPECT_EQ(Values<float>(a), (std::vector<float>{1.5f, -0.25f}));

  a = Parse(kInt8V2);
  EXPECT_EQ(a.dtype, DType::kInt8);
  EXPECT_EQ(Values<int8_t>(a), (std::vector<int8_t>{-1, 0, 1}));

  a = Parse(kInt64V3);
  EXPECT_EQ(a.dtype, DType::kInt64);
  EXPECT_EQ(Values<int64_t>(a), (std::vector<int64_t>{7}));
}

TEST(NpyTest, SerializesByteForByteAsNumpy) {
  for (const char* hex : {kInt8V1, kUint8V1, kInt32V1, kInt64V1, kFloat32V1, kFloat32ScalarV1,
                          kInt32EmptyV1, kUint8NchwV1}) {
    const std::vector<uint8_t> numpy = FromHex(hex);
    EXPECT_EQ(SerializeNpy(ParseNpy(numpy, "numpy file")), numpy);
  }
  // numpy's version 2.0 and 3.0 files hold the same as its 1.0 ones.
  const std::vector<uint8_t> v1 = SerializeNpy(Parse(kFloat32V2));
  EXPECT_EQ(v1[6], 1);
  EXPECT_EQ(ParseNpy(v1, "v1").data, Parse(kFloat32V2).data);
}

TEST(NpyTest, SerializeRejectsDataOfTheWrongSize) {
  NpyArray a{DType::kInt32, {2, 3}, std::vector<uint8_t>(23)};
  try {
    SerializeNpy(a);
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), HasSubstr("data has 23 bytes but shape (2, 3) of int32 needs 24"));
  }
  a.shape = {-2, 3};
  EXPECT_THROW(SerializeNpy(a), NpyError);
}

TEST(NpyTest, AcceptsAnyKeyOrderQuotesAndWhitespace) {
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6};
  for (const std::string_view header : {
           "{'shape': (2, 3), 'fortran_order': False, 'descr': '|u1'}",
           "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2, 3)}",
           "  {'descr':'|u1','fortran_order':False,'shape':(2,3,),}",
           "{\n\t'descr' : '<u1' ,\r\n 'fortran_order' : False ,\n 'shape' : ( 2 , 3 ) ,\n}\n",
           "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }      \n",
       }) {
    SCOPED_TRACE(header);
    const NpyArray a = ParseNpy(MakeNpy(header, data), "input");
    EXPECT_EQ(a.dtype, DType::kUint8);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.data, data);
  }
  EXPECT_EQ(ParseNpy(MakeNpy(Dict("<i1", "(1,)"), {0xff}), "input").dtype, DType::kInt8);
  EXPECT_EQ(ParseNpy(MakeNpy(Dict("|i1", "(1,)"), {0xff}, 2), "input").dtype, DType::kInt8);
  EXPECT_EQ(ParseNpy(MakeNpy(Dict("|i1", "(1,)"), {0xff}, 3), "input").dtype, DType::kInt8);
}

TEST(NpyErrorTest, BadMagic) {
  EXPECT_THAT(ParseError({}), Names("not a .npy file"));
  EXPECT_THAT(ParseError({0x93, 'N', 'U', 'M'}), Names("not a .npy file"));
  EXPECT_THAT(ParseError(FromHex("504b0304140000000800")), Names("not a .npy file"));
  std::vector<uint8_t> bytes = FromHex(kInt8V1);
  bytes[1] = 'n';
  EXPECT_THAT(ParseError(bytes), Names("not a .npy file"));
}

TEST(NpyErrorTest, UnsupportedVersion) {
  std::vector<uint8_t> bytes = FromHex(kInt8V1);
  bytes[6] = 4;
  EXPECT_THAT(ParseError(bytes), Names("unsupported .npy version 4.0"));
  bytes[6] = 1;
  bytes[7] = 1;
  EXPECT_THAT(ParseError(bytes), Names("unsupported .npy version 1.1"));
  bytes[6] = 0;
  bytes[7] = 0;
  EXPECT_THAT(ParseError(bytes), Names("unsupported .npy version 0.0"));
}

TEST(NpyErrorTest, TruncatedHeader) {
  const std::vector<uint8_t> bytes = FromHex(kInt8V1);
  for (size_t n : {7, 9}) {
    EXPECT_THAT(ParseError({bytes.begin(), bytes.begin() + n}), Names("truncated header"));
  }
  EXPECT_THAT(ParseError({bytes.begin(), bytes.begin() + 100}),
              Names("truncated header: it declares 118 bytes but only 90 follow"));
  const std::vector<uint8_t> v2 = FromHex(kInt8V2);
  EXPECT_THAT(ParseError({v2.begin(), v2.begin() + 11}), Names("truncated header"));
}

TEST(NpyErrorTest, HeaderOverOneMebibyte) {
  // Declares a header of 1 MiB + 1 bytes (and 16 MiB) in a file of a few bytes.
  for (const std::string_view len : {"01001000", "00000001"}) {
    std::vector<uint8_t> bytes = FromHex(std::string("934e554d50590200") + std::string(len));
    bytes.push_back('{');
    EXPECT_THAT(ParseError(bytes), Names("over the limit of 1048576 bytes"));
  }
  // A header of exactly 1 MiB (mostly padding) is still accepted.
  std::string header = Dict("|u1", "(1,)");
  header.insert(header.size() - 1, (size_t{1} << 20) - header.size(), ' ');
  EXPECT_EQ(ParseNpy(MakeNpy(header, {9}, 2), "input").data, std::vector<uint8_t>{9});
}

TEST(NpyErrorTest, MalformedHeader) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"", "malformed header at byte 0: expected the header dict"},
      {"('descr', '<f4')", "expected the header dict"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}'"},
      {"{'descr' '<f4'}", "expected ':' after key 'descr'"},
      {"{descr: '<f4'}", "expected a key (a quoted string)"},
      {"{'descr: '<f4', 'fortran_order': False, 'shape': (1,)}", "expected ':' after key"},
      {"{'descr': '<f4", "unterminated string"},
      {"{'descr': '<\\x66\\x34'}", "escape sequences"},
      {"{'descr': <f4}", "expected 'descr' to be a dtype string"},
      {"{'descr': [('a', '<f4')]}", "structured dtypes"},
      {"{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}", "expected True or False"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': 1}", "to be a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", "to be a tuple"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "a 1-d shape is written (3,)"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}", "expected ',' or ')'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (,)}", "expected a decimal integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,,)}", "expected a decimal integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1.0,)}", "expected a decimal integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1L,)}", "expected a decimal integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (0x1,)}", "expected a decimal integer"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (01,)}", "leading zero"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", "only whitespace after"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}\0"sv, "only whitespace after"},
      {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
       "duplicate key 'descr'"},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "unexpected key 'x'"},
      {"{'fortran_order': False, 'shape': (1,)}", "the header has no 'descr' key"},
      {"{'descr': '<f4', 'shape': (1,)}", "the header has no 'fortran_order' key"},
      {"{'descr': '<f4', 'fortran_order': False}", "the header has no 'shape' key"},
      {"{}", "the header has no 'descr' key"},
  };
  for (const auto& [header, problem] : cases) {
    SCOPED_TRACE(header);
    EXPECT_THAT(ParseError(MakeNpy(header, {0, 0, 0, 0})), Names(problem));
  }
}

TEST(NpyErrorTest, UnsupportedDType) {
  EXPECT_THAT(ParseError(FromHex(kFloat64V1)),
              Names("dtype '<f8' (float64) is not supported; use float32"));
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"<f2", "dtype '<f2' (float16) is not supported; use float32"},
      {"<i2", "dtype '<i2' (int16) is not supported; use int8, uint8, int32 or int64"},
      {"<u4", "dtype '<u4' (uint32) is not supported"},
      {"|b1", "dtype '|b1' (bool) is not supported; use uint8"},
      {"<c8", "dtype '<c8' (complex64) is not supported"},
      {"<U3", "dtype '<U3' (str) is not supported; supported dtypes: int8, uint8, int32"},
      {"|O", "dtype '|O' (object) is not supported"},
      {"<M8[ns]", "dtype '<M8[ns]' (datetime64) is not supported"},
      {"=i4", "dtype '=i4' (int32) is not supported; numpy writes int32 as '<i4'"},
      {"|f4", "dtype '|f4' (float32) is not supported"},
      {"f4", "dtype 'f4' (float32) is not supported"},
      {"", "dtype '' is not supported"},
      {"\xff\x01zz", "dtype '\\xff\\x01zz' is not supported"},
  };
  for (const auto& [descr, problem] : cases) {
    SCOPED_TRACE(descr);
    EXPECT_THAT(ParseError(MakeNpy(Dict(descr, "(1,)"), {0, 0, 0, 0, 0, 0, 0, 0})), Names(problem));
  }
}

TEST(NpyErrorTest, BigEndian) {
  EXPECT_THAT(ParseError(FromHex(kBigEndianV1)),
              Names("big-endian dtype '>i4' (int32) is not supported"));
  for (const std::string_view descr : {">i8", ">f4"}) {
    EXPECT_THAT(ParseError(MakeNpy(Dict(descr, "(1,)"), std::vector<uint8_t>(8))),
                Names("big-endian dtype"));
  }
  EXPECT_THAT(ParseError(MakeNpy(Dict(">f8", "(1,)"), std::vector<uint8_t>(8))),
              Names("dtype '>f8' (float64, big-endian) is not supported"));
}

TEST(NpyErrorTest, FortranOrder) {
  EXPECT_THAT(ParseError(FromHex(kFortranV1)), Names("Fortran order is not supported"));
}

TEST(NpyErrorTest, NegativeOrOverflowingShape) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"(-1,)", "negative dimension -1 in 'shape'"},
      {"(2, -3)", "negative dimension -3"},
      {"(9223372036854775808,)", "dimension 9223372036854775808 in 'shape' overflows int64"},
      {"(99999999999999999999999999999999999999999999999999,)", "overflows int64"},
      // The data of int8 of these would take 2^64 bytes (or a zero dimension
      // hides that, which numpy does not accept either).
      {"(4294967296, 4294967296)", "shape (4294967296, 4294967296) overflows"},
      {"(0, 4294967296, 4294967296)", "overflows"},
      {"(9223372036854775807, 2)", "overflows"},
  };
  for (const auto& [shape, problem] : cases) {
    SCOPED_TRACE(shape);
    EXPECT_THAT(ParseError(MakeNpy(Dict("|i1", shape), {1, 2, 3})), Names(problem));
  }
  // int64 of 2^60 elements: 2^63 bytes, one more than int64 holds.
  EXPECT_THAT(ParseError(MakeNpy(Dict("<i8", "(1152921504606846976,)"))), Names("overflows"));
  // The largest element count that fits is checked against the data, not allocated.
  EXPECT_THAT(ParseError(MakeNpy(Dict("|i1", "(9223372036854775807,)"), {1, 2, 3})),
              Names("truncated: expected 9223372036854775807 bytes of data, found 3"));

  std::string dims65;
  for (int i = 0; i < 65; ++i) dims65 += "1, ";
  EXPECT_THAT(ParseError(MakeNpy(Dict("|i1", "(" + dims65 + ")"), {1})),
              Names("shape has more than 64 dimensions"));
  std::string dims64;
  for (int i = 0; i < 64; ++i) dims64 += "1, ";
  EXPECT_EQ(ParseNpy(MakeNpy(Dict("|i1", "(" + dims64 + ")"), {1}), "input").shape.size(), 64u);
}

TEST(NpyErrorTest, TruncatedData) {
  const std::vector<uint8_t> bytes = FromHex(kInt32V1);
  EXPECT_THAT(ParseError({bytes.begin(), bytes.end() - 5}),
              Names("truncated: expected 16 bytes of data, found 11"));
  EXPECT_THAT(ParseError(MakeNpy(Dict("<f4", "()"))),
              Names("truncated: expected 4 bytes of data, found 0"));
}

TEST(NpyErrorTest, TrailingBytes) {
  std::vector<uint8_t> bytes = FromHex(kInt32V1);
  bytes.insert(bytes.end(), {0, 0, 0});
  EXPECT_THAT(ParseError(bytes), Names("3 bytes after the data"));
  EXPECT_THAT(ParseError(MakeNpy(Dict("<i4", "(0, 3)"), {7})), Names("1 bytes after the data"));
}

/// A fresh empty folder under the test's temporary folder, removed at the end.
class NpyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = ::testing::TempDir() + "npy_test_XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  /// The names in the folder.
  std::vector<std::string> Listing() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static NpyArray Example() {
    return NpyArray{DType::kInt32, {2}, {1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff}};
  }

  std::filesystem::path dir_;
};

TEST_F(NpyFileTest, WriteThenReadLeavesOnlyTheFile) {
  const std::string path = (dir_ / "x.npy").string();
  WriteNpy(path, Example());
  EXPECT_EQ(Listing(), std::vector<std::string>{"x.npy"});
  const NpyArray a = ReadNpy(path);
  EXPECT_EQ(a.dtype, DType::kInt32);
  EXPECT_EQ(a.shape, std::vector<int64_t>{2});
  EXPECT_EQ(Values<int32_t>(a), (std::vector<int32_t>{1, -2}));

  // Overwriting replaces the file.
  WriteNpy(path, NpyArray{DType::kUint8, {}, {42}});
  EXPECT_EQ(Listing(), std::vector<std::string>{"x.npy"});
  EXPECT_EQ(ReadNpy(path).data, std::vector<uint8_t>{42});
  EXPECT_EQ(std::filesystem::file_size(path), 129u);
}

TEST_F(NpyFileTest, WriteToAMissingFolderLeavesNothing) {
  const std::string path = (dir_ / "missing" / "x.npy").string();
  try {
    WriteNpy(path, Example());
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(path), HasSubstr("No such file or directory")));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing"));
  EXPECT_TRUE(Listing().empty());
}

TEST_F(NpyFileTest, FailedWriteLeavesNoTemporaryFile) {
  // Renaming over a folder fails after the temporary file was written.
  std::filesystem::create_directory(dir_ / "sub");
  const std::string path = (dir_ / "sub").string();
  try {
    WriteNpy(path, Example());
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ": cannot write"));
  }
  EXPECT_EQ(Listing(), std::vector<std::string>{"sub"});

  // An invalid array: nothing is created.
  const std::string bad = (dir_ / "bad.npy").string();
  try {
    WriteNpy(bad, NpyArray{DType::kInt8, {3}, {1}});
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), HasSubstr(bad + ": data has 1 bytes"));
  }
  EXPECT_EQ(Listing(), std::vector<std::string>{"sub"});
}

TEST_F(NpyFileTest, ReadErrorsNameThePath) {
  const std::string missing = (dir_ / "missing.npy").string();
  try {
    ReadNpy(missing);
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(missing + ": cannot open"),
                                HasSubstr("No such file or directory")));
  }
  try {
    ReadNpy(dir_.string());
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir_.string() + ": cannot read"));
  }
  const std::string text = (dir_ / "text.npy").string();
  std::ofstream(text) << "hello";
  try {
    ReadNpy(text);
    ADD_FAILURE() << "no NpyError";
  } catch (const NpyError& e) {
    EXPECT_THAT(e.what(), HasSubstr(text + ": not a .npy file"));
  }
}

}  // namespace
}  // namespace npu::runtime
