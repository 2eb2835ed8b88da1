#pragma once

// Authentication for calls fed by the watch hub (WatchStream, WatchUnary). Their builders run on
// the executor, possibly after the call's context is gone, so the caller's claimed identity is
// read on the gRPC thread when the call starts and checked on the first build.

#include <functional>
#include <optional>

#include "controller/api/backend.h"
#include "controller/api/watch_stream.h"

namespace skein::controller::api {

// Checks `claimed` as `kind` and then `check`; on refusal sets `up->finish` and returns false.
template <typename Msg>
bool Authorize(const Backend& b, const std::optional<rpc::Identity>& claimed, domain::auth::Kind kind,
               const std::function<absl::Status(const domain::auth::Principal&)>& check,
               domain::auth::Principal* who, StreamUpdate<Msg>* up) {
  auto p = b.authn->Require(claimed, kind);
  absl::Status s = p.ok() ? check(*p) : p.status();
  if (!s.ok()) {
    up->finish = rpc::ToGrpc(s);
    return false;
  }
  *who = *p;
  return true;
}

// The admin user (the CLI's streams), checked once: `*authorized` remembers it for later builds.
template <typename Msg>
bool AuthorizeAdminOnce(const Backend& b, const std::optional<rpc::Identity>& claimed, bool* authorized,
                        StreamUpdate<Msg>* up) {
  if (*authorized) return true;
  domain::auth::Principal who;
  auto any = [](const domain::auth::Principal&) { return absl::OkStatus(); };
  *authorized = Authorize(b, claimed, domain::auth::Kind::kAdmin, any, &who, up);
  return *authorized;
}

// Ends the call with `value`'s error; true when it has one.
template <typename Msg, typename T>
bool FinishOnError(const absl::StatusOr<T>& value, StreamUpdate<Msg>* up) {
  if (value.ok()) return false;
  up->finish = rpc::ToGrpc(value.status());
  return true;
}

}  // namespace skein::controller::api
