// The unit agent's own Prometheus metrics: the registry's text format, the HookRunner decorator
// that fills it, and the scrape endpoint on 127.0.0.1:0.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agents/unit/metrics/agent_metrics.h"
#include "agents/unit/metrics/http_server.h"
#include "agents/unit/metrics/instrumented_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::agent::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kModel[] = "0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10";

TEST(AgentMetricsTest, RendersInfoAndStartTimeBeforeAnyHook) {
  SimulatedClock clock;  // its calendar starts at 2026-01-01T00:00:00Z
  AgentMetrics m("app/0", kModel, clock);
  clock.Advance(std::chrono::seconds(30));
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("\nskein_unit_agent_start_time_seconds 1767225600.000\n"))
      << "the start time is the construction's, not the render's";
  EXPECT_THAT(text, HasSubstr("# TYPE skein_unit_agent_info gauge\nskein_unit_agent_info{model_uuid=\"" +
                              std::string(kModel) + "\",unit=\"app/0\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE skein_unit_agent_start_time_seconds gauge\n"));
  EXPECT_THAT(text, HasSubstr("# HELP skein_unit_agent_hooks_total "));
  EXPECT_THAT(text, HasSubstr("# TYPE skein_unit_agent_hooks_total counter\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE skein_unit_agent_hook_duration_seconds histogram\n"));
  EXPECT_THAT(text, Not(HasSubstr("hook=\"")));
}

TEST(AgentMetricsTest, CountsHooksErrorsAndCumulativeBuckets) {
  AgentMetrics m("app/0", kModel, RealClock());
  m.HookFinished("install", 0.001953125, false);
  m.HookFinished("install", 0.125, true);
  m.HookFinished("install", 20, false);
  m.HookFinished("start", 1, false);
  std::string text = m.Render();

  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hooks_total{hook=\"install\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hooks_total{hook=\"start\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_errors_total{hook=\"install\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_errors_total{hook=\"start\"} 0\n"));

  const std::string b = "skein_unit_agent_hook_duration_seconds_bucket{hook=\"install\",le=";
  EXPECT_THAT(text, HasSubstr(b + "\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"0.1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"0.25\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"10\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(b + "\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_sum{hook=\"install\"} 20.126953125\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_count{hook=\"install\"} 3\n"));
  // A value equal to a bound belongs to that bucket (le = less or equal).
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_bucket{hook=\"start\",le=\"0.5\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_bucket{hook=\"start\",le=\"1\"} 1\n"));

  // Every bound appears once per hook, in order.
  for (const char* le : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}) {
    EXPECT_THAT(text, HasSubstr(absl::StrCat("hook=\"start\",le=\"", le, "\"}")));
  }
}

TEST(AgentMetricsTest, CountsActionsSeparately) {
  AgentMetrics m("app/0", kModel, RealClock());
  m.ActionFinished("backup", 0.5, false);
  m.ActionFinished("backup", 0.5, true);
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE skein_unit_agent_actions_total counter\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_actions_total{action=\"backup\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_action_errors_total{action=\"backup\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("hook=\"backup\"")));
}

TEST(AgentMetricsTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  AgentMetrics m("we\"ird/0", "mo\"del", RealClock());
  m.HookFinished("x\\y\n", 0.01, false);
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_info{model_uuid=\"mo\\\"del\",unit=\"we\\\"ird/0\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hooks_total{hook=\"x\\\\y\\n\"} 1\n"));
}

// A HookRunner that returns a preset outcome after `takes` of simulated time, and remembers
// what it was asked to run.
class FakeRunner : public HookRunner {
 public:
  explicit FakeRunner(SimulatedClock* clock) : clock_(clock) {}
  HookOutcome Run(const HookInvocation& invocation, const OutputFn& output) override {
    last_hook = invocation.name;
    clock_->Advance(takes);
    return next;
  }
  void Kill() override { ++kills; }

  HookOutcome next;
  std::chrono::milliseconds takes{0};
  std::string last_hook;
  int kills = 0;

 private:
  SimulatedClock* clock_;
};

HookOutcome Outcome(HookOutcome::Kind kind) {
  HookOutcome o;
  o.kind = kind;
  return o;
}

TEST(InstrumentedRunnerTest, RecordsHooksActionsAndFailuresButNotKills) {
  SimulatedClock clock;
  FakeRunner inner(&clock);
  AgentMetrics m("app/0", kModel, clock);
  InstrumentedRunner runner(&inner, &m, clock);
  auto hook = [](const std::string& name) { return HookInvocation{.name = name}; };
  const HookInvocation backup{.name = "actions/backup", .action = "backup"};

  inner.next = Outcome(HookOutcome::Kind::kOk);
  inner.takes = std::chrono::milliseconds(2500);
  EXPECT_EQ(runner.Run(hook("install"), nullptr).kind, HookOutcome::Kind::kOk);
  EXPECT_EQ(inner.last_hook, "install");
  inner.takes = std::chrono::milliseconds(0);
  inner.next = Outcome(HookOutcome::Kind::kFailed);
  inner.next.exit_code = 3;
  HookOutcome failed = runner.Run(hook("install"), nullptr);
  EXPECT_EQ(failed.kind, HookOutcome::Kind::kFailed);
  EXPECT_EQ(failed.exit_code, 3);
  inner.next = Outcome(HookOutcome::Kind::kMissing);
  runner.Run(hook("start"), nullptr);
  inner.next = Outcome(HookOutcome::Kind::kKilled);
  EXPECT_EQ(runner.Run(hook("config-changed"), nullptr).kind, HookOutcome::Kind::kKilled);
  inner.next = Outcome(HookOutcome::Kind::kFailed);
  runner.Run(backup, nullptr);
  inner.next = Outcome(HookOutcome::Kind::kKilled);
  runner.Run(backup, nullptr);

  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hooks_total{hook=\"install\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_errors_total{hook=\"install\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_sum{hook=\"install\"} 2.5\n"))
      << "the duration is the clock's time across the hook";
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_bucket{hook=\"install\",le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hook_duration_seconds_bucket{hook=\"install\",le=\"2.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_hooks_total{hook=\"start\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("config-changed")));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_actions_total{action=\"backup\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("skein_unit_agent_action_errors_total{action=\"backup\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("actions/backup")));

  runner.Kill();
  EXPECT_EQ(inner.kills, 1);
}

// --- MetricsServer ---

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` and reads the whole response (the server closes the connection), giving up
// after `timeout`.
std::string Exchange(int port, const std::string& request,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int fd = Connect(port);
  if (fd < 0) return "connect failed";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return response;
}

std::string Body(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

TEST(MetricsServerTest, ServesMetricsWithPrometheusHeaders) {
  AgentMetrics m("app/0", kModel, RealClock());
  m.HookFinished("install", 0.1, false);
  auto server = MetricsServer::Start("127.0.0.1", 0, [&m] { return m.Render(); }, RealClock());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);

  std::string response = Exchange((*server)->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  const std::string body = Body(response);
  EXPECT_EQ(body, m.Render());
  EXPECT_THAT(response, HasSubstr("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(response, HasSubstr(absl::StrCat("\r\nContent-Length: ", body.size(), "\r\n")));
  EXPECT_THAT(response, HasSubstr("\r\nConnection: close\r\n"));
  EXPECT_THAT(body, HasSubstr("skein_unit_agent_hooks_total{hook=\"install\"} 1\n"));

  EXPECT_EQ(Exchange((*server)->port(), "GET /metrics?x=1 HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(Exchange((*server)->port(), "GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_EQ(Exchange((*server)->port(), "GET /nope HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404 ", 0), 0u);
  std::string post = Exchange((*server)->port(), "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.rfind("HTTP/1.1 405 ", 0), 0u) << post;
  EXPECT_EQ(Exchange((*server)->port(), "garbage\r\n\r\n").rfind("HTTP/1.1 400 ", 0), 0u);
}

TEST(MetricsServerTest, StopReturnsPromptlyAndIsIdempotent) {
  auto server = MetricsServer::Start("127.0.0.1", 0, [] { return std::string("x\n"); }, RealClock());
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  // A client that connected and sent nothing is being served when Stop() comes.
  int idle = Connect(port);
  ASSERT_GE(idle, 0);
  auto start = std::chrono::steady_clock::now();
  (*server)->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  (*server)->Stop();
  ::close(idle);
  EXPECT_LT(Connect(port), 0) << "still listening after Stop()";
  server->reset();
}

TEST(MetricsServerTest, SilentClientDelaysTheNextOneOnlyUntilTheReadTimeout) {
  auto server = MetricsServer::Start("127.0.0.1", 0, [] { return std::string("ok\n"); }, RealClock(),
                                     std::chrono::milliseconds(300));
  ASSERT_TRUE(server.ok()) << server.status();
  int silent = Connect((*server)->port());
  ASSERT_GE(silent, 0);
  auto start = std::chrono::steady_clock::now();
  std::string response = Exchange((*server)->port(), "GET /metrics HTTP/1.1\r\n\r\n", std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(Body(response), "ok\n") << response;
  // The silent client was dropped without an answer.
  char c;
  pollfd p{silent, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_EQ(::recv(silent, &c, 1, 0), 0);
  ::close(silent);
}

TEST(MetricsServerTest, BindErrorsAreReported) {
  auto first = MetricsServer::Start("127.0.0.1", 0, [] { return std::string(); }, RealClock());
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = MetricsServer::Start("127.0.0.1", (*first)->port(), [] { return std::string(); }, RealClock());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(MetricsServer::Start("127.0.0.1", 70000, [] { return std::string(); }, RealClock()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skein::agent::metrics
