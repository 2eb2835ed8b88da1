// storage-list, storage-get, storage-add (issue 15; juju-semantics §3.3, ops-compat-notes §2.3):
// what ops' `model.storages` and `storage_add` call.

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// `-s <id>`: the instance storage-get reads, by default the hook's own (JUJU_STORAGE_ID). Its
// default shows unquoted in help (`-s  (= data/0)`): ops before 3.4 reads the hook's storage id
// from that line of `storage-get --help`.
class StorageIdValue : public FlagValue {
 public:
  StorageIdValue(HookContext& ctx, std::string* target) : ctx_(ctx), target_(target) {}
  absl::Status Set(const std::string& text) override {
    auto info = ctx_.Storage(text);
    if (!info.ok()) return info.status();
    *target_ = text;
    return absl::OkStatus();
  }
  std::string String() const override { return *target_; }

 private:
  HookContext& ctx_;
  std::string* target_;
};

// storage-list [<storage-name>]
class StorageListCommand : public Command {
 public:
  explicit StorageListCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "storage-list";
    info.args = "[<storage-name>]";
    info.purpose = "List storage attached to the unit.";
    info.doc = R"(
Prints the ids of the unit's storage instances (`data/0`), or only those of one storage name
of the charm. Pass an id to storage-get with -s to read its attributes.
)";
    info.examples = R"(
    storage-list data
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::OkStatus();
    name_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    auto ids = ctx_.StorageIds(name_);
    if (!ids.ok()) return ids.status();
    return out_.Write(ctx, nlohmann::json(*ids));
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::string name_;
};

// storage-get [-s <id>] [<key>]
class StorageGetCommand : public Command {
 public:
  explicit StorageGetCommand(HookContext& ctx) : ctx_(ctx), id_(ctx.HookStorageId()) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "storage-get";
    info.args = "[<key>]";
    info.purpose = "Print information for the storage instance with the specified ID.";
    info.doc = R"(
Prints the attributes of one of the unit's storage instances: `kind` (filesystem or block) and
`location` (its directory; skein gives block storage a directory too). Without -s, the instance
of the storage hook being run. With a key, only that attribute.
)";
    info.examples = R"(
    storage-get location

    storage-get -s data/0 kind
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    flags.Var(std::make_shared<StorageIdValue>(ctx_, &id_), {"s"}, "specify a storage instance by id");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (id_.empty()) return absl::InvalidArgumentError("no storage instance specified");
    if (args.empty()) return absl::OkStatus();
    key_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    auto info = ctx_.Storage(id_);
    if (!info.ok()) return info.status();
    nlohmann::json attributes = {{"kind", info->kind}, {"location", info->location}};
    if (key_.empty()) return out_.Write(ctx, attributes);
    if (!attributes.contains(key_)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid storage attribute ", GoQuote(key_)));
    }
    return out_.Write(ctx, attributes[key_]);
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::string id_;
  std::string key_;
};

// storage-add <charm storage name>[=count] ...
class StorageAddCommand : public Command {
 public:
  explicit StorageAddCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "storage-add";
    info.args = "<charm storage name>[=count] ...";
    info.purpose = "Add storage instances.";
    info.doc = R"(
Asks for more instances of storage the charm declares, one by default. They are made when the
hook succeeds (not at all when it fails); each then gets its <name>-storage-attached hook. Only
a count may be given: the pool and size come from the deploy.
)";
    info.examples = R"(
    storage-add logs

    storage-add logs=2 cache
)";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("storage add requires a storage directive");
    for (const std::string& arg : args) {
      const size_t eq = arg.find('=');
      const std::string name = arg.substr(0, eq);
      int count = 1;
      if (name.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid storage directive ", GoQuote(arg)));
      if (eq != std::string::npos && (!absl::SimpleAtoi(arg.substr(eq + 1), &count) || count < 1)) {
        return absl::InvalidArgumentError(absl::StrCat("only count can be specified for ", GoQuote(name)));
      }
      counts_[name] += count;
    }
    return absl::OkStatus();
  }

  absl::Status Run(RunContext&) override {
    for (const auto& [name, count] : counts_) {
      if (absl::Status s = ctx_.StorageAdd(name, count); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  HookContext& ctx_;
  std::map<std::string, int> counts_;
};

template <typename T>
std::unique_ptr<Command> Make(HookContext& ctx) {
  return std::make_unique<T>(ctx);
}

}  // namespace

std::vector<ToolEntry> StorageTools() {
  return {{"storage-add", &Make<StorageAddCommand>},
          {"storage-get", &Make<StorageGetCommand>},
          {"storage-list", &Make<StorageListCommand>}};
}

}  // namespace skein::agent::tools
