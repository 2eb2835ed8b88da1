// `skein storage` and `skein show-storage` (issue 15): the model's storage instances in Juju's
// shapes (tools/cli/output/storage_output.h).

#include "tools/cli/commands/storage_commands.h"

#include "absl/strings/str_cat.h"
#include "skein/v1/storage.grpc.pb.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/storage_output.h"

namespace skein::cli::commands {

absl::StatusOr<std::vector<skein::v1::StorageInstanceInfo>> ListStorage(Session& session,
                                                                       const std::vector<std::string>& ids) {
  auto stub = skein::v1::Storage::NewStub(session.connection->channel());
  skein::v1::ListStorageRequest req;
  req.set_model(session.model());
  for (const std::string& id : ids) req.add_ids(id);
  auto resp = session.connection->Call(*stub, &skein::v1::Storage::Stub::ListStorage, req);
  if (!resp.ok()) return resp.status();
  return std::vector<skein::v1::StorageInstanceInfo>(resp->storage().begin(), resp->storage().end());
}

namespace {

class StorageCommand : public ModelQueryCommand {
 public:
  StorageCommand() : ModelQueryCommand({"tabular", "json", "yaml"}) {}
  CommandInfo Info() const override {
    return {"storage",
            "[<storage id> ...]",
            "Lists storage details.",
            "Lists the model's storage instances (all, or the ids given): the unit each is attached\n"
            "to (none once detached), its kind, pool, directory, size and status. On the local\n"
            "substrate every instance is a directory on the unit's machine, block storage too.\n"
            "--format json|yaml gives Juju's document: `storage` by id, and `filesystems` or\n"
            "`volumes` by number.\n",
            "    skein storage\n    skein storage --format json\n",
            {},
            {"show-storage", "deploy", "add-unit", "remove-unit"}};
  }

 protected:
  void AddFlags(FlagSet& f) override {
    f.Ignored("--filesystem", false, "List filesystem storage (every instance is one here)");
    f.Ignored("--volume", false, "List volume storage (none here: block storage is a directory)");
  }
  absl::Status InitArgs(const std::vector<std::string>& args) override {
    ids_ = args;
    return absl::OkStatus();
  }
  absl::Status Query(Environment& env, Session& session) override {
    auto instances = ListStorage(session, ids_);
    if (!instances.ok()) return instances.status();
    if (format() == "tabular") {
      if (instances->empty()) {
        *env.err << "No storage to display.\n";
        return absl::OkStatus();
      }
      return PrintText(env, output::StorageTabular(*instances, env.ColorStdout()));
    }
    return PrintData(env, output::CombinedStorageJson(*instances));
  }

 private:
  std::vector<std::string> ids_;
};

class ShowStorageCommand : public ModelQueryCommand {
 public:
  ShowStorageCommand() : ModelQueryCommand({"yaml", "json"}) {}
  CommandInfo Info() const override {
    return {"show-storage",
            "<storage id> [...]",
            "Shows storage instance information.",
            "Shows each storage instance named (`data/0`): kind, life, status, persistent and the\n"
            "unit it is attached to with its directory.\n",
            "    skein show-storage data/0\n    skein show-storage data/0 logs/1 --format json\n",
            {},
            {"storage"}};
  }

 protected:
  absl::Status InitArgs(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("must specify storage id(s)");
    ids_ = args;
    return absl::OkStatus();
  }
  absl::Status Query(Environment& env, Session& session) override {
    auto instances = ListStorage(session, ids_);
    if (!instances.ok()) return instances.status();
    nlohmann::json doc = nlohmann::json::object();
    for (const auto& s : *instances) doc[s.id()] = output::StorageInstanceJson(s);
    return PrintData(env, doc);
  }

 private:
  std::vector<std::string> ids_;
};

}  // namespace

std::unique_ptr<Command> NewStorageCommand() { return std::make_unique<StorageCommand>(); }
std::unique_ptr<Command> NewShowStorageCommand() { return std::make_unique<ShowStorageCommand>(); }

}  // namespace skein::cli::commands
