#pragma once

// The TLS material of in-process test servers (the real controller started by a test, and the
// fakes that stand in for it): one CA and one certificate for 127.0.0.1 and localhost, made once
// per test process by the same code bootstrap uses (lib/rpc/tls.h).

#include <cstdlib>
#include <iostream>

#include "lib/rpc/tls.h"

namespace skein::testing {

struct TestTls {
  rpc::KeyedCertificate ca;
  rpc::KeyedCertificate server;
};

inline const TestTls& TestCertificates() {
  static const TestTls tls = [] {
    auto ca = rpc::CreateCertificateAuthority(RealClock());
    if (!ca.ok()) {
      std::cerr << "cannot create the test CA: " << ca.status() << std::endl;
      std::abort();
    }
    const absl::Time now = absl::Now();
    auto server = rpc::IssueServerCertificate(*ca, rpc::ControllerHosts("127.0.0.1:0"), now - absl::Hours(1),
                                              now + absl::Hours(24));
    if (!server.ok()) {
      std::cerr << "cannot issue the test certificate: " << server.status() << std::endl;
      std::abort();
    }
    return TestTls{*ca, *server};
  }();
  return tls;
}

// The CA certificate (PEM) test clients trust.
inline const std::string& TestCaPem() { return TestCertificates().ca.cert_pem; }

}  // namespace skein::testing
