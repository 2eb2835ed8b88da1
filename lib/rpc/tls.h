#pragma once

// TLS for every connection to the controller (README "TLS").
//
// `skein bootstrap` creates a certificate authority (a P-256 key and a self-signed certificate)
// and the controller's certificate, signed by it, for the hosts it serves on. All four files live
// in the controller's data directory with mode 0600:
//
//   ca.crt  ca.key  controller.crt  controller.key
//
// The CA certificate (never its key) travels in every agent.conf and in client.yaml; agents and
// the CLI trust only it, so they talk to no controller but the one that was bootstrapped, and
// credentials never leave the process unencrypted.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "lib/base/clock.h"

namespace skein::rpc {

inline constexpr char kCaCertFile[] = "ca.crt";
inline constexpr char kCaKeyFile[] = "ca.key";
inline constexpr char kServerCertFile[] = "controller.crt";
inline constexpr char kServerKeyFile[] = "controller.key";

// How long what bootstrap creates stays valid: Juju's controller CA lasts ten years as well,
// and skein has no rotation yet.
inline constexpr absl::Duration kCertificateValidity = absl::Hours(24 * 365 * 10);

// A certificate and its private key, both PEM.
struct KeyedCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// What a certificate says, for the checks a user (or a test) makes.
struct CertificateInfo {
  std::string subject;                    // the common name
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, as text
  absl::Time not_before;
  absl::Time not_after;
  bool is_ca = false;
};

// A new CA valid from an hour ago (clock skew between machines) for `validity`.
absl::StatusOr<KeyedCertificate> CreateCertificateAuthority(const Clock& clock,
                                                           absl::Duration validity = kCertificateValidity);

// A server certificate signed by `ca` for `hosts` (IP addresses become IP entries, anything else
// a DNS entry), valid from `not_before` to `not_after`. InvalidArgument when `ca` does not parse
// or `hosts` is empty.
absl::StatusOr<KeyedCertificate> IssueServerCertificate(const KeyedCertificate& ca,
                                                        const std::vector<std::string>& hosts, absl::Time not_before,
                                                        absl::Time not_after);

// The hosts every controller certificate names: 127.0.0.1 and localhost, plus the host part of
// `listen` ("ctl.example:17070", "127.0.0.5:17070") when it is a specific address (the IPv4 or
// IPv6 any-address adds nothing: the certificate then serves the local clients only).
std::vector<std::string> ControllerHosts(const std::string& listen);

// CertificateInfo of a PEM certificate; InvalidArgument when it does not parse.
absl::StatusOr<CertificateInfo> ReadCertificateInfo(const std::string& cert_pem);

// Writes a new CA and a controller certificate for ControllerHosts(listen) into `dir` (mode
// 0600). Bootstrap's one call.
absl::Status CreateControllerCertificates(const std::string& dir, const std::string& listen, const Clock& clock);

// The controller's certificate from `dir`, re-issued first (with the CA in `dir`) when it does
// not name every host of ControllerHosts(listen) or has expired: a controller restarted with
// another --listen serves a certificate for it. FailedPrecondition naming the missing file when
// `dir` has no certificates (a controller bootstrapped before TLS).
absl::StatusOr<KeyedCertificate> LoadControllerCertificate(const std::string& dir, const std::string& listen,
                                                            const Clock& clock);

// The CA certificate (PEM) in the controller's directory `dir`.
absl::StatusOr<std::string> ReadCaCertificate(const std::string& dir);

// Client credentials that trust `ca_pem` alone.
std::shared_ptr<grpc::ChannelCredentials> ClientCredentials(const std::string& ca_pem);
// Server credentials presenting `server`; clients need no certificate of their own (they prove
// who they are with their credential, lib/rpc/auth.h).
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const KeyedCertificate& server);

// True when a failed call's message says the controller's certificate did not verify against
// the CA the client trusts (another controller on that address, or a CA from another bootstrap).
bool IsCertificateVerifyFailure(const std::string& grpc_message);

}  // namespace skein::rpc
