#include "tools/cli/commands/machine_placement.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "skein/v1/controller.grpc.pb.h"

namespace skein::cli::commands {

absl::StatusOr<std::vector<std::string>> ParsePlacement(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::string target(item);
    if (!std::all_of(target.begin(), target.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return UsageError(absl::StrCat("invalid --to placement \"", target,
                                     "\": only machine numbers are supported on the local substrate (containers, "
                                     "new machines and zones are not); add one with add-machine and use its number"));
    }
    out.push_back(std::move(target));
  }
  if (out.empty()) return UsageError("--to needs a machine number, e.g. --to 1");
  return out;
}

absl::Status CheckPlacementMachines(Session& session, const std::vector<std::string>& to) {
  skein::v1::GetStatusRequest req;
  req.set_model(session.model());
  auto status = session.connection->Call(&skein::v1::Controller::StubInterface::GetStatus, req);
  if (!status.ok()) return status.status();
  if (status->model().type() == "caas") {
    return absl::FailedPreconditionError(
        absl::StrCat("model \"", session.model(), "\" is a Kubernetes model: it has no machines"));
  }
  std::set<std::string> known;
  for (const auto& m : status->machines()) known.insert(m.id());
  known.insert("0");  // every model may use the host's machine, listed or not
  for (const std::string& id : to) {
    if (!known.count(id)) return absl::NotFoundError(absl::StrCat("machine ", id, " not found"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> AddUnitsTo(Session& session, const std::string& app, int n,
                                                    const std::vector<std::string>& to) {
  skein::v1::AddUnitsToRequest req;
  req.set_model(session.model());
  req.set_application(app);
  req.set_num_units(n);
  for (const std::string& m : to) req.add_to(m);
  auto resp = CallMachineManager(session, &skein::v1::MachineManager::StubInterface::AddUnitsTo, req);
  if (!resp.ok()) return resp.status();
  return std::vector<std::string>(resp->units().begin(), resp->units().end());
}

}  // namespace skein::cli::commands
