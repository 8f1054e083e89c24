#pragma once
// The only file that talks to OpenSSL (libcrypto, loaded at first use): RSA keys from PEM files,
// RSA encryption with OAEP (OpenSSL's defaults: SHA-1, MGF1-SHA-1, no label,
// as iperf3 >= 3.17) or PKCS#1 v1.5 (iperf3 <= 3.16), SHA-256, and a
// constant-time comparison. Errors come back as text, never as exceptions.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nperf::auth {

enum class Padding { kOaep, kPkcs1 };

// libcrypto is loaded when first needed (rsa_crypto.cpp says why); false and
// *error when it cannot be. Call it before anything else here: the other
// functions end the process with that message instead.
bool libcrypto_available(std::string* error);

class RsaKey {
 public:
  // PEM files: "PUBLIC KEY" (SubjectPublicKeyInfo, `openssl rsa -pubout`) and
  // an unencrypted private key (`openssl genrsa`), as iperf3 reads them.
  static std::optional<RsaKey> load_public(const std::string& path, std::string* error);
  static std::optional<RsaKey> load_private(const std::string& path, std::string* error);
  static std::optional<RsaKey> public_from_pem(std::string_view pem, std::string* error);
  static std::optional<RsaKey> private_from_pem(std::string_view pem, std::string* error);

  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;
  ~RsaKey();

  size_t modulus_bytes() const;
  std::optional<std::vector<uint8_t>> encrypt(std::string_view plaintext, Padding padding,
                                              std::string* error) const;
  // nullopt for any ciphertext that does not decrypt (wrong key, padding, length).
  std::optional<std::string> decrypt(std::span<const uint8_t> ciphertext, Padding padding) const;

 private:
  struct Impl;
  explicit RsaKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

std::array<uint8_t, 32> sha256(std::string_view data);
// iperf3's password hash: SHA-256 of "{user}password".
std::array<uint8_t, 32> password_hash(std::string_view user, std::string_view password);
// CRYPTO_memcmp: the time taken does not depend on where the inputs differ.
bool equal_constant_time(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace nperf::auth
