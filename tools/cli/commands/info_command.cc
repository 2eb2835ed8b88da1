// info: a store bundle's or charm's channel map (Juju's `juju info`, cli-and-ux §1.4).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tools/cli/commands/bundle_deploy.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/render.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::commands {
namespace {

const std::vector<std::string> kFormats = {"yaml", "json"};

// Juju's aligned channel table: `<channel>:  <revision>  <released>  (<revision>)`; `↑` for a
// closed risk served by a less risky one, `–` where nothing was ever released.
std::string ChannelTable(const nlohmann::json& channels) {
  size_t width = 0;
  for (const auto& row : channels) width = std::max(width, row["channel"].get<std::string>().size() + 1);
  std::string out;
  for (const auto& row : channels) {
    std::string label = row["channel"].get<std::string>() + ":";
    label.resize(width + 2, ' ');
    if (row.contains("revision")) {
      const std::string rev = std::to_string(row["revision"].get<int64_t>());
      std::string released = row.value("released", "");
      absl::StrAppend(&out, label, rev, "  ", released.empty() ? "-" : released, "  (", rev, ")\n");
    } else {
      absl::StrAppend(&out, label, row["closed"] == "follows" ? "↑" : "–", "\n");
    }
  }
  return out;
}

class InfoCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"info",
            "<charm or bundle>",
            "Displays detailed information about a charm or bundle in the store.",
            "Shows the summary, description and channel map of a bundle or charm of skein's store\n"
            "(the embedded one, plus --store directories and SKEIN_STORE_PATH). Each channel row\n"
            "shows the revision released there and its date; \"↑\" marks a closed risk that is served\n"
            "by the next less risky one of its track, \"–\" a channel where nothing was released.\n"
            "`revision-source: skein` means the store numbers that item's revisions itself because\n"
            "Charmhub's numbers are not known; `charmhub` means they are Charmhub's.\n",
            "    skein info kubeflow\n    skein info mlflow-server --format json\n",
            {},
            {"deploy"}};
  }
  void SetFlags(FlagSet& f) override {
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Strings("--store", &store_dirs_, "A local store directory searched before the embedded store (repeatable)");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    if (args.empty()) return UsageError("no charm or bundle specified");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    name_ = args[0];
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto store = OpenStore(env, store_dirs_);
    if (!store.ok()) return store.status();
    auto info = (*store)->Info(name_);
    if (!info.ok()) return info.status();
    if (format_ == "json") return WriteOutput(env, output_, info->dump() + "\n");
    YAML::Emitter y;
    y << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << (*info)["name"].get<std::string>();
    y << YAML::Key << "type" << YAML::Value << (*info)["type"].get<std::string>();
    y << YAML::Key << "summary" << YAML::Value << (*info)["summary"].get<std::string>();
    y << YAML::Key << "description" << YAML::Value << YAML::Literal << (*info)["description"].get<std::string>();
    y << YAML::Key << "revision-source" << YAML::Value << (*info)["revision-source"].get<std::string>();
    if (info->contains("relations")) {
      y << YAML::Key << "relations" << YAML::Value << YAML::BeginMap;
      for (const char* role : {"provides", "requires"}) {
        y << YAML::Key << role << YAML::Value << YAML::BeginMap;
        if ((*info)["relations"].contains(role)) {
          for (const auto& [ep, iface] : (*info)["relations"][role].items()) {
            y << YAML::Key << ep << YAML::Value << iface.get<std::string>();
          }
        }
        y << YAML::EndMap;
      }
      y << YAML::EndMap;
    }
    y << YAML::Key << "channels" << YAML::Value << YAML::Literal << ChannelTable((*info)["channels"]);
    y << YAML::EndMap;
    return WriteOutput(env, output_, std::string(y.c_str()) + "\n");
  }

 private:
  std::string format_ = "yaml";
  std::string output_;
  std::vector<std::string> store_dirs_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Command> NewInfoCommand() { return std::make_unique<InfoCommand>(); }

}  // namespace skein::cli::commands
