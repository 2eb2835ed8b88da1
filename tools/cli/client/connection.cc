#include "tools/cli/client/connection.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "lib/base/names.h"
#include "lib/rpc/status_convert.h"
#include "lib/rpc/tls.h"

namespace skein::cli::client {
namespace {

std::string ReadAddressFile(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return "";
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

Connection::Connection(const std::string& data_dir, const std::string& controller_name, const ControllerEntry& entry)
    : controller_name_(controller_name), ca_source_(ClientConfigPath(data_dir)) {
  address_ = ReadAddressFile(data_dir + "/controller/address");
  if (address_.empty()) address_ = entry.address;
  identity_ = rpc::Identity{std::string(kAdminTag), entry.admin_credential};
  channel_ = rpc::MakeChannel(address_, entry.ca_cert);
  stub_ = skein::v1::Controller::NewStub(channel_);
}

void Connection::Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds deadline) const {
  rpc::PrepareContext(ctx, identity_, deadline);
}

bool Connection::IsConnectFailure(const grpc::Status& status) {
  // A refused connection means no controller listens there, and a certificate that does not
  // verify will not verify on a second try: fail at once instead of waiting.
  return status.error_code() == grpc::StatusCode::UNAVAILABLE &&
         status.error_message().find("failed to connect") != std::string::npos &&
         status.error_message().find("Connection refused") == std::string::npos &&
         !rpc::IsCertificateVerifyFailure(status.error_message());
}

absl::Status Connection::Error(const grpc::Status& status) const {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && rpc::IsCertificateVerifyFailure(status.error_message())) {
    return absl::UnavailableError(absl::StrCat("cannot connect to controller \"", controller_name_, "\" at ", address_,
                                               ": its certificate is not signed by the CA in ", ca_source_,
                                               " (another controller listens there, or ", ca_source_,
                                               " is from another bootstrap)"));
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(absl::StrCat("cannot connect to controller \"", controller_name_, "\" at ",
                                               address_, ": ", status.error_message()));
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::DeadlineExceededError(
        absl::StrCat("controller \"", controller_name_, "\" did not answer in time: ", status.error_message()));
  }
  return rpc::FromGrpc(status);
}

}  // namespace skein::cli::client
