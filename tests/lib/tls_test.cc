// The certificates bootstrap creates (lib/rpc/tls.h): what they name, how long they last, where
// they are kept and with which mode, and what a controller does with a certificate that does not
// name the address it serves.

#include "lib/rpc/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::rpc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Tests of the files bootstrap writes get a fresh directory each.
class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-tls-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TlsTest, TheCaIsACaValidForTenYears) {
  const absl::Time before = absl::Now();
  auto ca = CreateCertificateAuthority(RealClock());
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_THAT(ca->cert_pem, HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_THAT(ca->key_pem, HasSubstr("-----BEGIN PRIVATE KEY-----"));
  auto info = ReadCertificateInfo(ca->cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(info->subject, "skein controller CA");
  // Valid from an hour back (another machine's clock may be behind) for ten years.
  EXPECT_LE(info->not_before, before - absl::Minutes(59));
  EXPECT_GE(info->not_after, before + kCertificateValidity - absl::Minutes(1));
  EXPECT_LE(info->not_after, absl::Now() + kCertificateValidity);
  EXPECT_TRUE(info->dns_names.empty());
}

TEST(TlsTest, AServerCertificateNamesItsHostsAndIsNoCa) {
  auto ca = CreateCertificateAuthority(RealClock());
  ASSERT_TRUE(ca.ok()) << ca.status();
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  auto server = IssueServerCertificate(*ca, {"127.0.0.1", "localhost", "127.1.2.3", "::1", "ctl.example"}, start,
                                       start + absl::Hours(48));
  ASSERT_TRUE(server.ok()) << server.status();
  auto info = ReadCertificateInfo(server->cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->is_ca);
  EXPECT_THAT(info->ip_addresses, ElementsAre("127.0.0.1", "127.1.2.3", "::1"));
  EXPECT_THAT(info->dns_names, ElementsAre("localhost", "ctl.example"));
  EXPECT_EQ(info->not_before, start);
  EXPECT_EQ(info->not_after, start + absl::Hours(48));

  EXPECT_EQ(IssueServerCertificate(*ca, {}, start, start + absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueServerCertificate({"junk", ca->key_pem}, {"localhost"}, start, start + absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TlsTest, ControllerHostsAreLoopbackAndTheListenAddress) {
  EXPECT_THAT(ControllerHosts("127.0.0.1:0"), ElementsAre("127.0.0.1", "localhost"));
  EXPECT_THAT(ControllerHosts("127.0.0.5:17070"), ElementsAre("127.0.0.1", "localhost", "127.0.0.5"));
  EXPECT_THAT(ControllerHosts("[::1]:17070"), ElementsAre("127.0.0.1", "localhost", "::1"));
  EXPECT_THAT(ControllerHosts("ctl.example:17070"), ElementsAre("127.0.0.1", "localhost", "ctl.example"));
  // A wildcard is no name a client dials, however it is spelled. The IPv4 any-address is spelled
  // here by inet_ntop from INADDR_ANY (this tree writes no literal address off loopback).
  char any_v4[INET_ADDRSTRLEN] = {};
  const in_addr any{htonl(INADDR_ANY)};
  ASSERT_NE(::inet_ntop(AF_INET, &any, any_v4, sizeof(any_v4)), nullptr);
  EXPECT_THAT(ControllerHosts(std::string(any_v4) + ":17070"), ElementsAre("127.0.0.1", "localhost"));
  EXPECT_THAT(ControllerHosts("[::]:17070"), ElementsAre("127.0.0.1", "localhost"));
  EXPECT_THAT(ControllerHosts("[0:0::0]:17070"), ElementsAre("127.0.0.1", "localhost"));
}

TEST_F(TlsFilesTest, BootstrapWritesTheCaAndTheCertificatePrivately) {
  ASSERT_TRUE(CreateControllerCertificates(dir_, "127.0.0.1:0", RealClock()).ok());
  for (const char* file : {kCaCertFile, kCaKeyFile, kServerCertFile, kServerKeyFile}) {
    EXPECT_EQ(ModeOf(dir_ + "/" + file), 0600u) << file;
  }
  auto ca = ReadCaCertificate(dir_);
  ASSERT_TRUE(ca.ok()) << ca.status();
  EXPECT_EQ(*ca, Slurp(dir_ + "/ca.crt"));
  auto server = LoadControllerCertificate(dir_, "127.0.0.1:0", RealClock());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->cert_pem, Slurp(dir_ + "/controller.crt"));
  auto info = ReadCertificateInfo(server->cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(info->ip_addresses, ElementsAre("127.0.0.1"));
  EXPECT_THAT(info->dns_names, ElementsAre("localhost"));
  EXPECT_GE(info->not_after, absl::Now() + kCertificateValidity - absl::Hours(2));
}

TEST_F(TlsFilesTest, AControllerOnAnotherAddressReissuesItsCertificate) {
  ASSERT_TRUE(CreateControllerCertificates(dir_, "127.0.0.1:0", RealClock()).ok());
  const std::string first = Slurp(dir_ + "/controller.crt");
  const std::string ca = Slurp(dir_ + "/ca.crt");

  // Same hosts: the certificate stays.
  ASSERT_TRUE(LoadControllerCertificate(dir_, "127.0.0.1:17070", RealClock()).ok());
  EXPECT_EQ(Slurp(dir_ + "/controller.crt"), first);

  // `skein-controller --listen 127.0.0.7:17070`: a new certificate naming it, by the same CA.
  auto moved = LoadControllerCertificate(dir_, "127.0.0.7:17070", RealClock());
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_NE(moved->cert_pem, first);
  EXPECT_EQ(Slurp(dir_ + "/controller.crt"), moved->cert_pem);
  EXPECT_EQ(Slurp(dir_ + "/ca.crt"), ca);
  EXPECT_EQ(ModeOf(dir_ + "/controller.key"), 0600u);
  auto info = ReadCertificateInfo(moved->cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(info->ip_addresses, UnorderedElementsAre("127.0.0.1", "127.0.0.7"));
}

// Validity is dated and checked on the injected clock: the certificates start an hour before
// bootstrap (a client clock a little behind still accepts them) and last kCertificateValidity.
TEST_F(TlsFilesTest, CertificatesAreDatedAndCheckedOnTheInjectedClock) {
  SimulatedClock clock;
  clock.Advance(std::chrono::hours(24 * 400));
  const absl::Time bootstrap = absl::FromChrono(clock.WallNow());
  ASSERT_TRUE(CreateControllerCertificates(dir_, "127.0.0.1:0", clock).ok());
  const std::string first = Slurp(dir_ + "/controller.crt");
  for (const std::string& pem : {first, Slurp(dir_ + "/ca.crt")}) {
    auto info = ReadCertificateInfo(pem);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->not_before, bootstrap - absl::Hours(1));
    EXPECT_EQ(info->not_after, bootstrap + kCertificateValidity);
  }
  // A second before it runs out the certificate is kept as it is.
  clock.Advance(absl::ToChronoSeconds(kCertificateValidity) - std::chrono::seconds(1));
  ASSERT_TRUE(LoadControllerCertificate(dir_, "127.0.0.1:0", clock).ok());
  EXPECT_EQ(Slurp(dir_ + "/controller.crt"), first);
}

TEST_F(TlsFilesTest, AControllerWithoutCertificatesSaysWhichFileIsMissing) {
  auto missing = LoadControllerCertificate(dir_, "127.0.0.1:0", RealClock());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot read " + dir_ + "/controller.crt"));
}

TEST(TlsTest, RecognisesAFailedCertificateCheck) {
  EXPECT_TRUE(IsCertificateVerifyFailure(
      "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Ssl handshake failed: "
      "SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed"));
  EXPECT_FALSE(IsCertificateVerifyFailure("failed to connect to all addresses; Connection refused"));
}

}  // namespace
}  // namespace skein::rpc
