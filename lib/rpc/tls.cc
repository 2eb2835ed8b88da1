#include "lib/rpc/tls.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/file_read.h"
#include "lib/base/file_write.h"
#include "lib/base/limits.h"

namespace skein::rpc {
namespace {

// Owners of OpenSSL objects.
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

absl::Status OpenSslError(absl::string_view what) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
  return absl::InternalError(absl::StrCat(what, ": ", buf));
}

bool IsIpAddress(const std::string& host) {
  unsigned char addr[16];
  return ::inet_pton(AF_INET, host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<std::string> CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("cannot encode a certificate");
  return BioText(bio.get());
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("cannot encode a private key");
  }
  return BioText(bio.get());
}

absl::StatusOr<Cert> ParseCert(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return absl::InvalidArgumentError("not a PEM certificate");
  return cert;
}

absl::StatusOr<Key> ParseKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  return key;
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return OpenSslError(absl::StrCat("cannot make the extension ", value));
  int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) return OpenSslError(absl::StrCat("cannot add the extension ", value));
  return absl::OkStatus();
}

// A certificate for `key` named `common_name`, valid over [not_before, not_after], with a random
// 128-bit serial and the issuer's name (its own when `issuer` is null); not yet signed.
absl::StatusOr<Cert> NewCert(EVP_PKEY* key, const std::string& common_name, X509* issuer, absl::Time not_before,
                             absl::Time not_after) {
  Cert cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return OpenSslError("cannot create a certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return OpenSslError("cannot draw a serial number");
  serial[0] &= 0x7f;  // positive, as RFC 5280 requires
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  bool serial_set = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  if (!serial_set) return OpenSslError("cannot set a serial number");
  time_t after = absl::ToTimeT(not_after);
  time_t before = absl::ToTimeT(not_before);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), after) == nullptr) {
    return OpenSslError("cannot set the validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("skein"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  if (X509_set_pubkey(cert.get(), key) != 1) return OpenSslError("cannot set the public key");
  return cert;
}

absl::StatusOr<Key> NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("cannot generate a P-256 key");
  return key;
}

// Certificates and keys are a few KiB; a file far bigger than that is not one of ours.
constexpr limits::Cap kPemFile{64 * limits::kKiB, "a certificate or key file"};

absl::StatusOr<std::string> ReadPemFile(const std::string& path) {
  auto text = ReadFileCapped(path, kPemFile);
  if (text.status().code() == absl::StatusCode::kNotFound) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", path, " (a controller bootstrapped before skein had TLS needs a new bootstrap)"));
  }
  return text;
}

std::string InDir(const std::string& dir, const char* file) { return (std::filesystem::path(dir) / file).string(); }

absl::Time AsnTime(const ASN1_TIME* t) {
  struct tm parts = {};
  if (ASN1_TIME_to_tm(t, &parts) != 1) return absl::InfinitePast();
  return absl::FromTimeT(timegm(&parts));
}

}  // namespace

absl::StatusOr<KeyedCertificate> CreateCertificateAuthority(const Clock& clock, absl::Duration validity) {
  auto key = NewKey();
  if (!key.ok()) return key.status();
  const absl::Time now = absl::FromChrono(clock.WallNow());
  auto cert = NewCert(key->get(), "skein controller CA", nullptr, now - absl::Hours(1), now + validity);
  if (!cert.ok()) return cert.status();
  for (const auto& [nid, value] : {std::pair<int, std::string>{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                   {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                   {NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExtension(cert->get(), cert->get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(cert->get(), key->get(), EVP_sha256()) == 0) return OpenSslError("cannot sign the CA certificate");
  auto cert_pem = CertPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return KeyedCertificate{*cert_pem, *key_pem};
}

absl::StatusOr<KeyedCertificate> IssueServerCertificate(const KeyedCertificate& ca,
                                                        const std::vector<std::string>& hosts, absl::Time not_before,
                                                        absl::Time not_after) {
  if (hosts.empty()) return absl::InvalidArgumentError("a server certificate needs at least one host");
  auto ca_cert = ParseCert(ca.cert_pem);
  if (!ca_cert.ok()) return absl::InvalidArgumentError("the CA certificate is not a PEM certificate");
  auto ca_key = ParseKey(ca.key_pem);
  if (!ca_key.ok()) return absl::InvalidArgumentError("the CA key is not a PEM private key");
  auto key = NewKey();
  if (!key.ok()) return key.status();
  auto cert = NewCert(key->get(), "skein controller", ca_cert->get(), not_before, not_after);
  if (!cert.ok()) return cert.status();
  std::vector<std::string> names;
  for (const std::string& host : hosts) names.push_back(absl::StrCat(IsIpAddress(host) ? "IP:" : "DNS:", host));
  for (const auto& [nid, value] : {std::pair<int, std::string>{NID_basic_constraints, "critical,CA:FALSE"},
                                   {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                                   {NID_ext_key_usage, "serverAuth"},
                                   {NID_authority_key_identifier, "keyid"},
                                   {NID_subject_alt_name, absl::StrJoin(names, ",")}}) {
    if (absl::Status s = AddExtension(cert->get(), ca_cert->get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(cert->get(), ca_key->get(), EVP_sha256()) == 0) {
    return OpenSslError("cannot sign the controller certificate");
  }
  auto cert_pem = CertPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return KeyedCertificate{*cert_pem, *key_pem};
}

// The any-address of IPv4 or IPv6, however it is spelled (`::`, `0:0::0`, ...): a listening
// wildcard, never an address a client dials.
bool IsWildcardAddress(const std::string& host) {
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return v4.s_addr == htonl(INADDR_ANY);
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_UNSPECIFIED(&v6);
  return false;
}

std::vector<std::string> ControllerHosts(const std::string& listen) {
  std::vector<std::string> hosts = {"127.0.0.1", "localhost"};
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && !IsWildcardAddress(host) && std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
    hosts.push_back(host);
  }
  return hosts;
}

absl::StatusOr<CertificateInfo> ReadCertificateInfo(const std::string& cert_pem) {
  auto cert = ParseCert(cert_pem);
  if (!cert.ok()) return cert.status();
  CertificateInfo info;
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert->get()), NID_commonName, cn, sizeof(cn)) > 0) {
    info.subject = cn;
  }
  info.not_before = AsnTime(X509_get0_notBefore(cert->get()));
  info.not_after = AsnTime(X509_get0_notAfter(cert->get()));
  info.is_ca = X509_check_ca(cert->get()) != 0;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* s = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), ASN1_STRING_length(s));
    } else if (name->type == GEN_IPADD) {
      const ASN1_STRING* s = name->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = {};
      int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
      if (::inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof(text)) != nullptr) {
        info.ip_addresses.emplace_back(text);
      }
    }
  }
  GENERAL_NAMES_free(names);
  return info;
}

absl::Status CreateControllerCertificates(const std::string& dir, const std::string& listen, const Clock& clock) {
  auto ca = CreateCertificateAuthority(clock);
  if (!ca.ok()) return ca.status();
  const absl::Time now = absl::FromChrono(clock.WallNow());
  auto server = IssueServerCertificate(*ca, ControllerHosts(listen), now - absl::Hours(1), now + kCertificateValidity);
  if (!server.ok()) return server.status();
  for (const auto& [file, text] : {std::pair<const char*, const std::string*>{kCaKeyFile, &ca->key_pem},
                                   {kCaCertFile, &ca->cert_pem},
                                   {kServerKeyFile, &server->key_pem},
                                   {kServerCertFile, &server->cert_pem}}) {
    if (absl::Status s = WriteFileAtomic(InDir(dir, file), *text, 0600); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<KeyedCertificate> LoadControllerCertificate(const std::string& dir, const std::string& listen,
                                                            const Clock& clock) {
  KeyedCertificate server;
  for (const auto& [file, text] : {std::pair<const char*, std::string*>{kServerCertFile, &server.cert_pem},
                                   {kServerKeyFile, &server.key_pem}}) {
    auto read = ReadPemFile(InDir(dir, file));
    if (!read.ok()) return read.status();
    *text = std::move(*read);
  }
  auto info = ReadCertificateInfo(server.cert_pem);
  if (!info.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(InDir(dir, kServerCertFile), " is not a certificate"));
  }
  const std::vector<std::string> hosts = ControllerHosts(listen);
  bool covers = absl::FromChrono(clock.WallNow()) < info->not_after;
  for (const std::string& host : hosts) {
    const auto& names = IsIpAddress(host) ? info->ip_addresses : info->dns_names;
    covers = covers && std::find(names.begin(), names.end(), host) != names.end();
  }
  if (covers) return server;
  KeyedCertificate ca;
  for (const auto& [file, text] :
       {std::pair<const char*, std::string*>{kCaCertFile, &ca.cert_pem}, {kCaKeyFile, &ca.key_pem}}) {
    auto read = ReadPemFile(InDir(dir, file));
    if (!read.ok()) return read.status();
    *text = std::move(*read);
  }
  const absl::Time now = absl::FromChrono(clock.WallNow());
  auto issued = IssueServerCertificate(ca, hosts, now - absl::Hours(1), now + kCertificateValidity);
  if (!issued.ok()) return issued.status();
  for (const auto& [file, text] : {std::pair<const char*, const std::string*>{kServerKeyFile, &issued->key_pem},
                                   {kServerCertFile, &issued->cert_pem}}) {
    if (absl::Status s = WriteFileAtomic(InDir(dir, file), *text, 0600); !s.ok()) return s;
  }
  return issued;
}

absl::StatusOr<std::string> ReadCaCertificate(const std::string& dir) { return ReadPemFile(InDir(dir, kCaCertFile)); }

std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(const std::string& ca_pem) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_pem;
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const KeyedCertificate& server) {
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({server.key_pem, server.cert_pem});
  return grpc::SslServerCredentials(options);
}

bool IsCertificateVerifyFailure(const std::string& grpc_message) {
  // OpenSSL 3 words it "certificate verify failed", BoringSSL "CERTIFICATE_VERIFY_FAILED".
  return grpc_message.find("certificate verify failed") != std::string::npos ||
         grpc_message.find("CERTIFICATE_VERIFY_FAILED") != std::string::npos;
}

}  // namespace skein::rpc
