#include "tools/cli/output/history_output.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/cli/output/table.h"

namespace skein::cli::output {
namespace {

// Helm's colours for release states: deployed green, failed red, pending yellow, the rest plain.
Style HistoryStatusStyle(const std::string& status) {
  if (status == "deployed") return Style::kGreen;
  if (status == "failed") return Style::kRed;
  if (status.rfind("pending-", 0) == 0) return Style::kYellow;
  return Style::kNone;
}

}  // namespace

std::string HistoryBundleName(const skein::v1::DeploymentRevision& revision) {
  if (revision.bundle_revision() <= 0) return revision.bundle();
  return absl::StrCat(revision.bundle(), "-", revision.bundle_revision());
}

std::string HistoryToTabular(const std::vector<skein::v1::DeploymentRevision>& revisions, bool color) {
  Table table(color);
  table.AddHeader({"REVISION", "UPDATED", "STATUS", "BUNDLE", "CHANNEL", "DESCRIPTION"});
  for (const auto& r : revisions) {
    table.AddRow({absl::StrCat(r.revision()), r.updated(), Cell(r.status(), HistoryStatusStyle(r.status())),
                  HistoryBundleName(r), r.channel(), r.description()});
  }
  return table.Render();
}

nlohmann::json HistoryToJson(const std::vector<skein::v1::DeploymentRevision>& revisions) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : revisions) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& c : r.changes()) {
      nlohmann::json change = {{"id", c.id()},
                               {"description", c.description()},
                               {"status", absl::AsciiStrToLower(skein::v1::PlanProgress::State_Name(c.state()))},
                               {"updated", c.updated()}};
      if (!c.message().empty()) change["message"] = c.message();
      changes.push_back(std::move(change));
    }
    nlohmann::json rev = {{"revision", r.revision()},       {"updated", r.updated()},
                          {"status", r.status()},           {"bundle", r.bundle()},
                          {"channel", r.channel()},         {"description", r.description()},
                          {"changes", std::move(changes)}};
    if (r.bundle_revision() > 0) rev["bundle-revision"] = r.bundle_revision();
    out.push_back(std::move(rev));
  }
  return out;
}

}  // namespace skein::cli::output
