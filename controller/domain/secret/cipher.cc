#include "controller/domain/secret/cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "lib/base/file_read.h"
#include "lib/base/file_write.h"

namespace skein::controller::domain::secret {
namespace {

constexpr int kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

absl::StatusOr<SecretCipher> SecretCipher::FromKey(std::string key) {
  if (key.size() != kKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a secret key has ", kKeyBytes, " bytes, not ", key.size()));
  }
  return SecretCipher(std::move(key));
}

SecretCipher SecretCipher::Ephemeral() { return SecretCipher(RandomBytes(kKeyBytes)); }

Sealed SecretCipher::Seal(const std::string& plaintext) const {
  Sealed out;
  out.nonce = RandomBytes(kNonceBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  // Failures here are programming or allocation errors, never input errors: GCM takes any
  // plaintext.
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(out.nonce)) != 1) {
    throw std::runtime_error("cannot initialise AES-256-GCM");
  }
  out.ciphertext.resize(plaintext.size() + kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.ciphertext.data());
  int len = 0;
  int total = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1) throw std::runtime_error("AES-256-GCM final failed");
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + total) != 1) {
    throw std::runtime_error("AES-256-GCM tag failed");
  }
  out.ciphertext.resize(static_cast<size_t>(total) + kTagBytes);
  return out;
}

absl::StatusOr<std::string> SecretCipher::Open(const Sealed& sealed) const {
  const absl::Status bad = absl::DataLossError("cannot decrypt secret content");
  if (sealed.nonce.size() != kNonceBytes || sealed.ciphertext.size() < static_cast<size_t>(kTagBytes)) return bad;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(sealed.nonce)) != 1) {
    return bad;
  }
  const size_t body = sealed.ciphertext.size() - kTagBytes;
  std::string plain(body, '\0');
  int len = 0;
  if (body > 0 && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                                    Bytes(sealed.ciphertext), static_cast<int>(body)) != 1) {
    return bad;
  }
  std::string tag = sealed.ciphertext.substr(body);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) return bad;
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &final_len) != 1) {
    return bad;
  }
  return plain;
}

absl::StatusOr<std::string> LoadOrCreateKeyFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string key = RandomBytes(kKeyBytes);
    if (absl::Status s = WriteFileAtomic(path, key, 0600); !s.ok()) return s;
    return key;
  }
  auto key = ReadFileCapped(path, limits::kYamlInput);
  if (!key.ok()) return absl::InternalError(absl::StrCat("cannot read the secret key: ", key.status().message()));
  if (key->size() != kKeyBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a secret key (", key->size(), " bytes, not ", kKeyBytes, ")"));
  }
  return *key;
}

}  // namespace skein::controller::domain::secret
