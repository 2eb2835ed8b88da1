#include "tools/cli/client/status_wait.h"

#include <optional>

#include "tools/cli/client/stream_watch.h"

namespace skein::cli::client {

absl::StatusOr<StatusWaitResult> WaitForStatus(Connection& connection, Clock& clock, const std::string& model,
                                               Clock::Duration timeout,
                                               const std::function<StatusCheck(const skein::v1::ModelStatus&)>& check,
                                               Clock::Duration hold) {
  const Clock::TimePoint deadline = clock.Now() + timeout;
  skein::v1::GetStatusRequest req;
  req.set_model(model);
  auto first = connection.Call(&skein::v1::Controller::StubInterface::GetStatus, req);
  if (!first.ok()) return first.status();
  StatusWaitResult result;
  result.last = std::move(*first);
  using Watch = StreamWatch<skein::v1::ModelStatus>;
  auto watch = Watch::Open(connection, clock, &Watch::Async::WatchStatus, req, timeout);
  std::optional<Clock::TimePoint> held_since;
  while (true) {
    switch (check(result.last)) {
      case StatusCheck::kFailed:
        result.end = StatusWaitEnd::kFailed;
        return result;
      case StatusCheck::kNotYet:
        held_since.reset();
        break;
      case StatusCheck::kHolds:
        if (!held_since) held_since = clock.Now();
        break;
    }
    const Watch::Next next = watch->Wait(held_since ? std::min(deadline, *held_since + hold) : deadline, &result.last);
    if (next == Watch::Next::kMessage) continue;
    if (held_since && clock.Now() >= *held_since + hold) {
      result.end = StatusWaitEnd::kHeld;
      return result;
    }
    if (next == Watch::Next::kEnded && clock.Now() < deadline) {
      grpc::Status ended = watch->status();
      return connection.Error(ended.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                        "the controller ended the status stream")
                                         : ended);
    }
    if (clock.Now() >= deadline) {
      result.end = StatusWaitEnd::kTimedOut;
      return result;
    }
  }
}

}  // namespace skein::cli::client
