#include "nperf/auth/rsa_crypto.hpp"

#include <dlfcn.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace nperf::auth {

namespace {

// libcrypto is loaded on first use (dlopen), not linked: an nperf that
// authenticates nobody -- nearly every run -- would otherwise map it and pay
// about 1.4 MiB of resident memory for its relocations (measured on an idle
// `nperf -s`: 4.3 MiB against 2.8 MiB; issue #4 holds nperf below iperf3's
// 3.6 MiB). The OpenSSL headers still give every pointer its exact type.
// clang-format off
#define NPERF_LIBCRYPTO_FUNCTIONS(X)                                                   \
  X(EVP_PKEY_free) X(EVP_PKEY_get_base_id) X(EVP_PKEY_get_size)                       \
  X(BIO_new_mem_buf) X(BIO_free) X(PEM_read_bio_PUBKEY) X(PEM_read_bio_PrivateKey)    \
  X(EVP_PKEY_CTX_new) X(EVP_PKEY_CTX_free) X(EVP_PKEY_CTX_set_rsa_padding)            \
  X(EVP_PKEY_encrypt_init) X(EVP_PKEY_encrypt) X(EVP_PKEY_decrypt_init) X(EVP_PKEY_decrypt) \
  X(ERR_get_error) X(ERR_clear_error) X(ERR_error_string_n) X(SHA256) X(CRYPTO_memcmp)
// clang-format on

struct Libcrypto {
#define NPERF_DECLARE(name) decltype(&::name) name = nullptr;
  NPERF_LIBCRYPTO_FUNCTIONS(NPERF_DECLARE)
#undef NPERF_DECLARE
  std::string error;  // why it could not be loaded; "" when every function is there
};

const Libcrypto& load_libcrypto() {
  static const Libcrypto loaded = [] {
    Libcrypto l;
    const std::string soname = fmt::format("libcrypto.so.{}", OPENSSL_VERSION_MAJOR);  // the headers' ABI
    void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      l.error = fmt::format("authentication needs {} (Debian: libssl3): {}", soname, dlerror());
      return l;
    }
#define NPERF_RESOLVE(name)                                           \
  l.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name)); \
  if (!l.name && l.error.empty()) l.error = fmt::format("{} lacks {}", soname, #name);
    NPERF_LIBCRYPTO_FUNCTIONS(NPERF_RESOLVE)
#undef NPERF_RESOLVE
    return l;
  }();
  return loaded;
}

// For the functions below: only reached once libcrypto_available() said yes, or the
// process ends with a clear message instead of a null call.
const Libcrypto& lib() {
  const Libcrypto& l = load_libcrypto();
  if (!l.error.empty()) {
    std::fprintf(stderr, "nperf: error - %s\n", l.error.c_str());
    std::abort();
  }
  return l;
}

std::string openssl_error() {
  unsigned long code = lib().ERR_get_error();
  lib().ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  lib().ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Key files are small; a bigger one is not a key (and is not read whole).
constexpr size_t kMaxPemBytes = 64 * 1024;

std::optional<std::string> read_pem(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = fmt::format("cannot read the key file '{}'", path);
    return std::nullopt;
  }
  std::string text(kMaxPemBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPemBytes) {
    *error = fmt::format("the key file '{}' is larger than {} bytes", path, kMaxPemBytes);
    return std::nullopt;
  }
  return text;
}

bool is_rsa(EVP_PKEY* key) {
  return lib().EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
}

}  // namespace

struct RsaKey::Impl {
  EVP_PKEY* key = nullptr;
  ~Impl() { lib().EVP_PKEY_free(key); }
};

RsaKey::RsaKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RsaKey::RsaKey(RsaKey&&) noexcept = default;
RsaKey& RsaKey::operator=(RsaKey&&) noexcept = default;
RsaKey::~RsaKey() = default;

std::optional<RsaKey> RsaKey::public_from_pem(std::string_view pem, std::string* error) {
  BIO* bio = lib().BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) {
    *error = openssl_error();
    return std::nullopt;
  }
  auto impl = std::make_unique<Impl>();
  impl->key = lib().PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  lib().BIO_free(bio);
  if (!impl->key || !is_rsa(impl->key)) {
    *error = impl->key ? "not an RSA key" : "not a PEM public key (" + openssl_error() + ")";
    return std::nullopt;
  }
  return RsaKey(std::move(impl));
}

std::optional<RsaKey> RsaKey::private_from_pem(std::string_view pem, std::string* error) {
  BIO* bio = lib().BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) {
    *error = openssl_error();
    return std::nullopt;
  }
  auto impl = std::make_unique<Impl>();
  // No passphrase callback: an encrypted key fails here instead of prompting (iperf3 cannot use one either).
  impl->key = lib().PEM_read_bio_PrivateKey(
      bio, nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
  lib().BIO_free(bio);
  if (!impl->key || !is_rsa(impl->key)) {
    *error = impl->key ? "not an RSA key" : "not an unencrypted PEM private key (" + openssl_error() + ")";
    return std::nullopt;
  }
  return RsaKey(std::move(impl));
}

std::optional<RsaKey> RsaKey::load_public(const std::string& path, std::string* error) {
  auto pem = read_pem(path, error);
  if (!pem) return std::nullopt;
  auto key = public_from_pem(*pem, error);
  if (!key) *error = fmt::format("'{}': {}", path, *error);
  return key;
}

std::optional<RsaKey> RsaKey::load_private(const std::string& path, std::string* error) {
  auto pem = read_pem(path, error);
  if (!pem) return std::nullopt;
  auto key = private_from_pem(*pem, error);
  if (!key) *error = fmt::format("'{}': {}", path, *error);
  return key;
}

bool libcrypto_available(std::string* error) {
  const std::string& why = load_libcrypto().error;
  if (!why.empty()) *error = why;
  return why.empty();
}

size_t RsaKey::modulus_bytes() const {
  return static_cast<size_t>(lib().EVP_PKEY_get_size(impl_->key));
}

std::optional<std::vector<uint8_t>> RsaKey::encrypt(std::string_view plaintext, Padding padding,
                                                    std::string* error) const {
  EVP_PKEY_CTX* ctx = lib().EVP_PKEY_CTX_new(impl_->key, nullptr);
  std::vector<uint8_t> out(modulus_bytes());
  size_t length = out.size();
  bool ok =
      ctx && lib().EVP_PKEY_encrypt_init(ctx) > 0 &&
      lib().EVP_PKEY_CTX_set_rsa_padding(
          ctx, padding == Padding::kOaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) > 0 &&
      lib().EVP_PKEY_encrypt(ctx, out.data(), &length,
                             reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size()) > 0;
  lib().EVP_PKEY_CTX_free(ctx);
  if (!ok) {
    *error = fmt::format("RSA encryption failed (user name and password too long for a {}-bit key?): {}",
                         modulus_bytes() * 8, openssl_error());
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::optional<std::string> RsaKey::decrypt(std::span<const uint8_t> ciphertext, Padding padding) const {
  // RSA takes exactly one block; anything else is not a token for this key.
  if (ciphertext.size() != modulus_bytes()) return std::nullopt;
  EVP_PKEY_CTX* ctx = lib().EVP_PKEY_CTX_new(impl_->key, nullptr);
  std::string out(modulus_bytes(), '\0');
  size_t length = out.size();
  bool ok = ctx && lib().EVP_PKEY_decrypt_init(ctx) > 0 &&
            lib().EVP_PKEY_CTX_set_rsa_padding(
                ctx, padding == Padding::kOaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) > 0 &&
            lib().EVP_PKEY_decrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &length,
                                   ciphertext.data(), ciphertext.size()) > 0;
  lib().EVP_PKEY_CTX_free(ctx);
  lib().ERR_clear_error();  // the reason stays out of the log: it would be a padding oracle
  if (!ok) return std::nullopt;
  out.resize(length);
  return out;
}

std::array<uint8_t, 32> sha256(std::string_view data) {
  std::array<uint8_t, 32> digest{};
  lib().SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

std::array<uint8_t, 32> password_hash(std::string_view user, std::string_view password) {
  return sha256(fmt::format("{{{}}}{}", user, password));
}

bool equal_constant_time(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  return lib().CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace nperf::auth
