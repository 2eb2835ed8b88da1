// The ServiceAccount credentials of a unit of a Kubernetes model (agents/unit/serviceaccount/
// token_keeper.h): the files lightkube reads and a kubeconfig are written, the hooks' variables
// come from the server URL, the token is written again before 80% of its lifetime on the agent's
// clock (a simulated one here), a failed refresh is retried, and a local model gets nothing.

#include "agents/unit/serviceaccount/token_keeper.h"

#include <sys/stat.h>

#include <atomic>
#include <string>

#include "gtest/gtest.h"
#include "lib/base/mutex.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent::serviceaccount {
namespace {

using testing::ReadFile;
using testing::TempDir;

// Hands out numbered tokens valid for an hour of the clock's wall time; can be made to fail.
struct FakeController {
  explicit FakeController(Clock& clock) : clock(clock) {}
  absl::StatusOr<std::optional<Credentials>> Fetch() {
    MutexLock lock(mu);
    ++calls;
    cv.NotifyAll();
    if (!fail.ok()) return fail;
    Credentials c;
    c.server = "https://127.0.0.1:6443";
    c.ca_pem = "CA PEM\n";
    c.ns = "kf";
    c.token = "token-" + std::to_string(calls);
    c.expiry = clock.WallNow() + std::chrono::hours(1);
    return c;
  }
  // Blocks (real time, bounded) until Fetch has been called `n` times.
  bool AwaitCalls(int n) {
    MutexLock lock(mu);
    return RealClock().WaitFor(mu, cv, std::chrono::seconds(10), [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return calls >= n;
    });
  }
  Clock& clock;
  Mutex mu;
  CondVar cv;
  int calls ABSL_GUARDED_BY(mu) = 0;
  absl::Status fail ABSL_GUARDED_BY(mu);
};

TEST(TokenKeeperTest, WritesTheFilesAndRewritesTheTokenBefore80PercentOfItsLifetime) {
  TempDir dir;
  SimulatedClock clock;
  FakeController controller(clock);
  TokenKeeper keeper({dir.path() + "/serviceaccount", dir.path() + "/kubeconfig"},
                     [&] { return controller.Fetch(); }, clock);
  auto env = keeper.Start();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ((*env)["KUBERNETES_SERVICE_HOST"], "127.0.0.1");
  EXPECT_EQ((*env)["KUBERNETES_SERVICE_PORT"], "6443");
  EXPECT_EQ((*env)["KUBECONFIG"], dir.path() + "/kubeconfig");
  EXPECT_EQ(ReadFile(dir.path() + "/serviceaccount/token"), "token-1");
  EXPECT_EQ(ReadFile(dir.path() + "/serviceaccount/ca.crt"), "CA PEM\n");
  EXPECT_EQ(ReadFile(dir.path() + "/serviceaccount/namespace"), "kf");
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/serviceaccount/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(ReadFile(dir.path() + "/kubeconfig").find("token-1"), std::string::npos);

  // Due before 80% of the hour: not at 40 minutes, but by 48.
  auto due = keeper.NextRefresh();
  ASSERT_TRUE(due.has_value());
  EXPECT_LT(*due - clock.Now(), std::chrono::minutes(48));
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  clock.Advance(std::chrono::minutes(40));
  EXPECT_EQ(ReadFile(dir.path() + "/serviceaccount/token"), "token-1");
  clock.Advance(std::chrono::minutes(8));
  ASSERT_TRUE(controller.AwaitCalls(2));
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));  // the keeper waits for the next one
  EXPECT_EQ(ReadFile(dir.path() + "/serviceaccount/token"), "token-2");
  EXPECT_NE(ReadFile(dir.path() + "/kubeconfig").find("token-2"), std::string::npos);

  // A failed refresh is tried again after the backoff, well before the token expires.
  {
    MutexLock lock(controller.mu);
    controller.fail = absl::UnavailableError("controller away");
  }
  clock.Advance(std::chrono::minutes(48));
  ASSERT_TRUE(controller.AwaitCalls(3));
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  {
    MutexLock lock(controller.mu);
    controller.fail = absl::OkStatus();
  }
  clock.Advance(std::chrono::seconds(1));
  ASSERT_TRUE(controller.AwaitCalls(4));
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  EXPECT_EQ(ReadFile(dir.path() + "/serviceaccount/token"), "token-4");
  keeper.Stop();
}

TEST(TokenKeeperTest, ALocalModelGetsNoFilesAndNoVariables) {
  TempDir dir;
  SimulatedClock clock;
  TokenKeeper keeper({dir.path() + "/serviceaccount", dir.path() + "/kubeconfig"},
                     []() -> absl::StatusOr<std::optional<Credentials>> { return std::nullopt; }, clock);
  auto env = keeper.Start();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_TRUE(env->empty());
  EXPECT_FALSE(keeper.NextRefresh().has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/kubeconfig"));
}

TEST(TokenKeeperTest, HostAndPortComeFromTheServerUrl) {
  EXPECT_EQ(*HostPortOf("https://127.0.0.1:6443"), std::make_pair(std::string("127.0.0.1"), std::string("6443")));
  EXPECT_EQ(*HostPortOf("https://k8s.example"), std::make_pair(std::string("k8s.example"), std::string("443")));
  EXPECT_EQ(*HostPortOf("https://[::1]:8443/"), std::make_pair(std::string("::1"), std::string("8443")));
  EXPECT_FALSE(HostPortOf("127.0.0.1:6443").ok());
  EXPECT_FALSE(HostPortOf("https://h:99999").ok());
}

}  // namespace
}  // namespace skein::agent::serviceaccount
