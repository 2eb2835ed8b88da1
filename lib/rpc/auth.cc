#include "lib/rpc/auth.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "lib/base/clock.h"
#include "lib/rpc/tls.h"

namespace skein::rpc {

void PrepareContext(grpc::ClientContext* ctx, const Identity& id, std::chrono::milliseconds deadline) {
  ctx->AddMetadata(kEntityKey, id.entity);
  ctx->AddMetadata(kCredentialKey, id.credential);
  // gRPC measures deadlines in real time whatever clock the caller runs on (Clock::Deadline).
  if (deadline.count() > 0) ctx->set_deadline(RealClock().Deadline(deadline));
}

std::optional<Identity> ClaimedIdentity(const grpc::ServerContextBase& ctx) {
  return ClaimedIdentity(ctx.client_metadata());
}

std::optional<Identity> ClaimedIdentity(const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
  auto e = md.find(kEntityKey);
  auto c = md.find(kCredentialKey);
  if (e == md.end() || c == md.end()) return std::nullopt;
  return Identity{std::string(e->second.data(), e->second.size()), std::string(c->second.data(), c->second.size())};
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const std::string& ca_pem) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // A fixed flow-control window per stream. With BDP probing, gRPC grows a stream's window to
  // many MiB while a charm streams in 1 MiB chunks, and the receiving side buffers that much
  // (measured: +22 MiB in the controller and +15 MiB in a unit agent for a 200 MiB charm,
  // against +6 and +4 MiB with this window, at the same speed on loopback).
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, kStreamWindowBytes);
  // Reconnect quickly after a controller restart (agents back off on their own).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  // gRPC gives each connection attempt until the later of its next backoff time and now plus
  // this "minimum backoff", so this is the time a connection has to finish its TCP and HTTP/2
  // handshake. A refused connection still fails at once, so it does not slow reconnecting; at
  // 100 ms a loaded machine (CI, the sanitizer builds) failed handshakes that were merely slow,
  // with "connection attempt timed out before receiving SETTINGS frame". With TLS it must also
  // outlast several rounds of gRPC's backup poller (every 5 s): an agent that is between
  // retries has no call in flight, so nothing but that poller moves a reconnection through its
  // TCP connect and the TLS handshake, and at 5 s every attempt after a controller restart
  // timed out ("Handshake timed out") just before the agent's next call would have carried it.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20000);
  // Everything the controller sends was capped when it was written (lib/base/limits.h), but a
  // reply can gather many capped values (a model's status, a unit's snapshot with its config and
  // queued actions), so no per-message cap here can be right: gRPC's default of 4 MiB is what
  // wedged units and broke `status`. Requests are bounded by the controller
  // (limits::kMaxRequestBytes) and by the caps the clients check before they send.
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(address, ClientCredentials(ca_pem), args);
}

}  // namespace skein::rpc
