// secret-add, secret-set, secret-get, secret-info-get, secret-grant, secret-revoke,
// secret-remove, secret-ids (juju-semantics §3.3; ops-compat-notes §2.2). Each call reaches the
// controller at once. Content arrives as `key=value`, `key#base64=<base64>` or
// `key#file=<path>`, or as a YAML mapping in `--file`; files are read while the tool runs,
// since ops deletes them as soon as it returns.

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/key_values.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"
#include "lib/base/secret_value.h"

namespace skein::agent::tools {
namespace {

constexpr char kBase64Suffix[] = "#base64";

// A string flag that remembers whether it was given (secret-set changes only what it names).
class OptionalString : public FlagValue {
 public:
  absl::Status Set(const std::string& text) override {
    value_ = text;
    return absl::OkStatus();
  }
  std::string String() const override { return value_.value_or(""); }
  bool QuoteDefault() const override { return true; }
  const std::optional<std::string>& value() const { return value_; }

 private:
  std::optional<std::string> value_;
};

// One content entry (lib/base/secret_value.h); files are read relative to the tool's cwd.
absl::Status AddValue(RunContext& ctx, const std::string& key_spec, const std::string& value,
                      std::map<std::string, std::string>* content) {
  return AddSecretValue(
      key_spec, value,
      [&](const std::string& path) -> absl::StatusOr<std::string> {
        std::string text;
        if (absl::Status s = ReadWholeFile(ctx.AbsPath(path), &text); !s.ok()) return s;
        return text;
      },
      content);
}

// The flags secret-add and secret-set share, and their content arguments.
class SecretUpsertCommand : public Command {
 public:
  explicit SecretUpsertCommand(HookContext& ctx, bool add) : ctx_(ctx), add_(add) {}

  void SetFlags(FlagSet& flags) override {
    flags.Var(label_, {"label"}, "a label used to identify the secret in hooks");
    flags.Var(description_, {"description"}, "the secret description");
    flags.Var(expire_, {"expire"}, "either a duration or time when the secret should expire");
    flags.Var(rotate_, {"rotate"}, "the secret rotation policy");
    flags.StringVar(&owner_, {"owner"}, "the owner of the secret, either the application or unit");
    flags.StringVar(&file_, {"file"}, "a YAML file containing secret key values");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    std::vector<std::string> values = args;
    if (!add_) {
      if (args.empty()) return absl::InvalidArgumentError("missing secret URI");
      uri_ = args[0];
      values.erase(values.begin());
    }
    if (owner_ != "application" && owner_ != "unit") {
      return absl::InvalidArgumentError(absl::StrCat("secret owner \"", owner_, "\" not valid"));
    }
    for (const std::string& arg : values) {
      size_t eq = arg.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(absl::StrCat("expected \"key=value\", got \"", arg, "\""));
      }
      pairs_.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    }
    if (add_ && pairs_.empty() && file_.empty()) return absl::InvalidArgumentError("missing secret value or filename");
    return absl::OkStatus();
  }

 protected:
  // The fields as given; content from --file and the arguments (a key given twice is an error).
  absl::StatusOr<SecretFields> Fields(RunContext& ctx) {
    SecretFields f;
    f.label = label_->value();
    f.description = description_->value();
    f.expire = expire_->value();
    f.rotate = rotate_->value();
    if (!file_.empty()) {
      std::string text;
      if (absl::Status s = ReadWholeFile(ctx.AbsPath(file_), &text); !s.ok()) return s;
      std::map<std::string, std::string> from_file;
      if (absl::Status s = ParseSettingsYaml(text, file_, &from_file); !s.ok()) return s;
      for (const auto& [k, v] : from_file) {
        if (absl::Status s = AddValue(ctx, k, v, &f.content); !s.ok()) return s;
      }
    }
    for (const auto& [k, v] : pairs_) {
      if (absl::Status s = AddValue(ctx, k, v, &f.content); !s.ok()) return s;
    }
    return f;
  }

  HookContext& ctx_;
  const bool add_;
  std::shared_ptr<OptionalString> label_ = std::make_shared<OptionalString>();
  std::shared_ptr<OptionalString> description_ = std::make_shared<OptionalString>();
  std::shared_ptr<OptionalString> expire_ = std::make_shared<OptionalString>();
  std::shared_ptr<OptionalString> rotate_ = std::make_shared<OptionalString>();
  std::string owner_ = "application";
  std::string file_;
  std::string uri_;
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// secret-add [options] [key[#base64|#file]=value...]
class SecretAddCommand : public SecretUpsertCommand {
 public:
  explicit SecretAddCommand(HookContext& ctx) : SecretUpsertCommand(ctx, true) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "secret-add";
    info.args = "[key[#base64|#file]=value...]";
    info.purpose = "Add a new secret.";
    info.doc = R"(
Adds a secret owned by the application (the leader only) or, with --owner unit, by this unit,
and prints its URI. Values are key=value, key#base64=<base64 text> or key#file=<path>; keys are
at least three lowercase letters, digits or single hyphens, starting with a letter.
)";
    info.examples = "    secret-add --label db-pass password=s3cret\n    secret-add --owner unit cert#file=/tmp/cert.pem\n";
    return info;
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<SecretFields> fields = Fields(ctx);
    if (!fields.ok()) return fields.status();
    absl::StatusOr<std::string> uri = ctx_.SecretAdd(owner_, *fields);
    if (!uri.ok()) return uri.status();
    ctx.out() = *uri + "\n";
    return absl::OkStatus();
  }
};

// secret-set <ID> [options] [key[#base64|#file]=value...]
class SecretSetCommand : public SecretUpsertCommand {
 public:
  explicit SecretSetCommand(HookContext& ctx) : SecretUpsertCommand(ctx, false) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "secret-set";
    info.args = "<ID> [key[#base64|#file]=value...]";
    info.purpose = "Update an existing secret.";
    info.doc = R"(
Changes what the options name, and with values adds a new revision (unless the content is the
same as the latest). Readers tracking an older revision then run secret-changed.
)";
    return info;
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<SecretFields> fields = Fields(ctx);
    if (!fields.ok()) return fields.status();
    return ctx_.SecretSet(uri_, *fields);
  }
};

// secret-get <ID> [key[#base64]] | --label L
class SecretGetCommand : public Command {
 public:
  explicit SecretGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "secret-get";
    info.args = "<ID> [key[#base64]]";
    info.purpose = "Get the content of a secret.";
    info.doc = R"(
Prints the content of the revision this unit tracks (the latest on first read), or with a key
just that value (`key#base64` prints it base64-encoded). --peek prints the latest revision
without tracking it; --refresh tracks the latest and prints it. With both an ID and --label,
the label is set for later use without the ID.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags, "yaml", {"json", "yaml"});
    flags.StringVar(&label_, {"label"}, "a label used to identify the secret in hooks");
    flags.BoolVar(&peek_, {"peek"}, "get the latest revision just this time");
    flags.BoolVar(&refresh_, {"refresh"}, "get the latest revision and also get this same revision for subsequent calls");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty() && label_.empty()) return absl::InvalidArgumentError("require either a secret URI or label");
    size_t next = 0;
    if (!args.empty()) uri_ = args[next++];
    if (next < args.size()) key_ = args[next++];
    if (peek_ && refresh_) return absl::InvalidArgumentError("specify one of --peek or --refresh but not both");
    return CheckEmpty(std::vector<std::string>(args.begin() + static_cast<long>(next), args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::map<std::string, std::string>> content = ctx_.SecretGet(uri_, label_, peek_, refresh_);
    if (!content.ok()) return content.status();
    if (key_.empty()) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, v] : *content) out[k] = v;
      return out_.Write(ctx, out);
    }
    std::string key = key_;
    const bool base64 = absl::EndsWith(key, kBase64Suffix);
    if (base64) key = key.substr(0, key.size() - (sizeof(kBase64Suffix) - 1));
    auto it = content->find(key);
    if (it == content->end()) return absl::NotFoundError(absl::StrCat("key \"", key, "\" not found in secret"));
    return out_.Write(ctx, base64 ? absl::Base64Escape(it->second) : it->second);
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::string label_;
  bool peek_ = false;
  bool refresh_ = false;
  std::string uri_;
  std::string key_;
};

// secret-info-get <ID> | --label L
class SecretInfoGetCommand : public Command {
 public:
  explicit SecretInfoGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "secret-info-get";
    info.args = "<ID>";
    info.purpose = "Get a secret's metadata info.";
    info.doc = R"(
Prints the metadata of a secret this unit or its application owns, by ID or by --label.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags, "yaml", {"json", "yaml"});
    flags.StringVar(&label_, {"label"}, "a label used to identify the secret");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (!args.empty()) uri_ = args[0];
    if (uri_.empty() == label_.empty()) return absl::InvalidArgumentError("specify either a secret URI or label but not both");
    return CheckEmpty(std::vector<std::string>(args.begin() + (args.empty() ? 0 : 1), args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<SecretInfo> info = ctx_.SecretInfoGet(uri_, label_);
    if (!info.ok()) return info.status();
    nlohmann::json doc = {{"revision", info->revision}, {"label", info->label}, {"owner", info->owner}};
    if (!info->description.empty()) doc["description"] = info->description;
    if (!info->rotation.empty()) doc["rotation"] = info->rotation;
    if (!info->rotates.empty()) doc["rotates"] = info->rotates;
    if (!info->expiry.empty()) doc["expiry"] = info->expiry;
    return out_.Write(ctx, nlohmann::json{{info->id, doc}});
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::string label_;
  std::string uri_;
};

// secret-grant / secret-revoke <ID> -r <relation> [--unit u]
class SecretAccessCommand : public Command {
 public:
  SecretAccessCommand(HookContext& ctx, bool grant) : ctx_(ctx), grant_(grant) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = grant_ ? "secret-grant" : "secret-revoke";
    info.args = "<ID>";
    info.purpose = grant_ ? "Grant access to a secret." : "Revoke access to a secret.";
    info.doc = grant_ ? R"(
Lets the application on the other side of the relation (or only --unit of it) read the secret.
)"
                      : R"(
Takes back what secret-grant gave over the relation (or to --unit).
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    relation_ = RelationIdValue::AddFlag(flags, ctx_, "the relation with which to associate the grant");
    flags.StringVar(&unit_, {"unit"}, "the unit to grant access");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("missing secret URI");
    uri_ = args[0];
    if (relation_->id() < 0) return absl::InvalidArgumentError("missing relation");
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext&) override {
    return grant_ ? ctx_.SecretGrant(uri_, relation_->id(), unit_) : ctx_.SecretRevoke(uri_, relation_->id(), unit_);
  }

 private:
  HookContext& ctx_;
  const bool grant_;
  std::shared_ptr<RelationIdValue> relation_;
  std::string unit_;
  std::string uri_;
};

class SecretGrantCommand : public SecretAccessCommand {
 public:
  explicit SecretGrantCommand(HookContext& ctx) : SecretAccessCommand(ctx, true) {}
};
class SecretRevokeCommand : public SecretAccessCommand {
 public:
  explicit SecretRevokeCommand(HookContext& ctx) : SecretAccessCommand(ctx, false) {}
};

// A revision number flag (`--revision N`, N >= 1).
class RevisionValue : public FlagValue {
 public:
  absl::Status Set(const std::string& text) override {
    int64_t n = 0;
    if (!ParseGoInt(text, &n) || n < 1) return absl::InvalidArgumentError("revision must be a positive integer");
    revision_ = n;
    return absl::OkStatus();
  }
  std::string String() const override { return revision_ ? std::to_string(*revision_) : "0"; }
  const std::optional<int64_t>& revision() const { return revision_; }

 private:
  std::optional<int64_t> revision_;
};

// secret-remove <ID> [--revision N]
class SecretRemoveCommand : public Command {
 public:
  explicit SecretRemoveCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "secret-remove";
    info.args = "<ID>";
    info.purpose = "Remove an existing secret.";
    info.doc = R"(
Removes the secret with every revision, or with --revision just that revision.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { flags.Var(revision_, {"revision"}, "remove the specified revision"); }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("missing secret URI");
    uri_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext&) override { return ctx_.SecretRemove(uri_, revision_->revision()); }

 private:
  HookContext& ctx_;
  std::shared_ptr<RevisionValue> revision_ = std::make_shared<RevisionValue>();
  std::string uri_;
};

// secret-ids
class SecretIdsCommand : public Command {
 public:
  explicit SecretIdsCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "secret-ids";
    info.purpose = "Print secret IDs.";
    info.doc = R"(
Prints the URIs of the secrets this unit or its application owns.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::vector<std::string>> ids = ctx_.SecretIds();
    if (!ids.ok()) return ids.status();
    return out_.Write(ctx, nlohmann::json(*ids));
  }

 private:
  HookContext& ctx_;
  Output out_;
};

}  // namespace

std::vector<ToolEntry> SecretTools() {
  return {{"secret-add", &MakeTool<SecretAddCommand>},         {"secret-get", &MakeTool<SecretGetCommand>},
          {"secret-grant", &MakeTool<SecretGrantCommand>},     {"secret-ids", &MakeTool<SecretIdsCommand>},
          {"secret-info-get", &MakeTool<SecretInfoGetCommand>}, {"secret-remove", &MakeTool<SecretRemoveCommand>},
          {"secret-revoke", &MakeTool<SecretRevokeCommand>},   {"secret-set", &MakeTool<SecretSetCommand>}};
}

}  // namespace skein::agent::tools
