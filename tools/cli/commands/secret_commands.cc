// User secrets (juju-cli-client-contract §3.5, §3.17, §3.25, §3.28, §3.30, §3.36, §7):
// add-secret, update-secret, remove-secret, secrets, show-secret, grant-secret, revoke-secret.
// Content is `key=value` (also `key#base64=` and `key#file=`) or a YAML mapping in --file.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/file_read.h"
#include "lib/base/secret_value.h"
#include "lib/format/yaml_json.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using Content = std::map<std::string, std::string>;

// One content entry (lib/base/secret_value.h); `#file` paths are the user's.
absl::Status AddEntry(const std::string& key_spec, const std::string& value, Content* content) {
  return AddSecretValue(
      key_spec, value,
      [](const std::string& path) { return ReadFileCapped(path, limits::kYamlInput, FileKinds::kAnyReadable); },
      content);
}

// --file (a YAML mapping) and the `key=value` arguments; a key given twice is an error.
absl::StatusOr<Content> ReadContent(const std::string& file, const std::vector<std::string>& pairs) {
  Content content;
  if (!file.empty()) {
    auto text = ReadFileCapped(file, limits::kYamlInput, FileKinds::kAnyReadable);
    if (!text.ok()) return text.status();
    auto doc = format::YamlToJson(*text, format::YamlDialect::kJuju);
    if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", file, "\": ", doc.status().message()));
    if (!doc->is_object()) return absl::InvalidArgumentError(absl::StrCat("\"", file, "\" is not a YAML mapping"));
    for (auto it = doc->begin(); it != doc->end(); ++it) {
      std::string value = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      if (absl::Status s = AddEntry(it.key(), value, &content); !s.ok()) return s;
    }
  }
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (absl::Status s = AddEntry(pair.substr(0, eq), pair.substr(eq + 1), &content); !s.ok()) return s;
  }
  return content;
}

// Checks `key=value` arguments (usage errors).
absl::Status CheckPairs(const std::vector<std::string>& pairs) {
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) return UsageError(absl::StrCat("expected \"key=value\", got \"", pair, "\""));
  }
  return absl::OkStatus();
}

// `secrets` and `show-secret`'s document for one secret (§7).
nlohmann::json SecretDocument(const v1::SecretInfo& s, bool revisions) {
  nlohmann::json doc = nlohmann::json::object();
  doc["revision"] = s.latest_revision();
  doc["owner"] = s.owner_kind() == "model" ? "<model>" : s.owner();
  if (!s.name().empty()) doc["name"] = s.name();
  if (!s.label().empty()) doc["label"] = s.label();
  if (!s.description().empty()) doc["description"] = s.description();
  if (!s.rotate().empty()) doc["rotation"] = s.rotate();
  if (!s.next_rotate().empty()) doc["rotates"] = s.next_rotate();
  if (!s.expire().empty()) doc["expires"] = s.expire();
  doc["created"] = s.created();
  doc["updated"] = s.updated();
  if (s.access_size() > 0) {
    nlohmann::json access = nlohmann::json::array();
    for (const v1::SecretAccess& a : s.access()) {
      access.push_back({{"target", a.target()}, {"scope", a.scope()}, {"role", a.role()}});
    }
    doc["access"] = access;
  }
  if (revisions) {
    nlohmann::json list = nlohmann::json::array();
    for (const v1::SecretRevision& r : s.revisions()) {
      nlohmann::json rev = {{"revision", r.revision()}, {"created", r.created()}, {"updated", r.updated()}};
      if (!r.expire().empty()) rev["expires"] = r.expire();
      list.push_back(rev);
    }
    doc["revisions"] = list;
  }
  return doc;
}

const std::vector<std::string> kFormats = {"yaml", "json"};

// add-secret <name> [key[#base64|#file]=value...] [--info] [--file]
class AddSecretCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"add-secret",
            "<name> [key[#base64|#file]=value...]",
            "Add a new secret.",
            "Adds a user secret to the model and prints its URI. Content comes as key=value pairs\n"
            "(key#base64=<base64 text>, key#file=<path>) or as a YAML mapping in --file. Grant it to\n"
            "applications with grant-secret; their units read it with secret-get.\n",
            "    skein add-secret db-login username=admin password=s3cret\n"
            "    skein add-secret db-login --info \"the db login\" --file login.yaml\n",
            {},
            {"update-secret", "remove-secret", "secrets", "show-secret", "grant-secret"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--info", &info_, "The secret description");
    f.String("--file", &file_, "A YAML file containing the secret content");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing secret name");
    name_ = args[0];
    pairs_.assign(args.begin() + 1, args.end());
    if (pairs_.empty() && file_.empty()) return UsageError("missing secret value or filename");
    return CheckPairs(pairs_);
  }
  absl::Status Run(Environment& env) override {
    auto content = ReadContent(file_, pairs_);
    if (!content.ok()) return content.status();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::AddUserSecretRequest req;
    req.set_model(session->model());
    req.set_name(name_);
    req.set_description(info_);
    req.mutable_content()->insert(content->begin(), content->end());
    auto added = session->connection->Call(&v1::Secrets::StubInterface::AddUserSecret, req);
    if (!added.ok()) return added.status();
    *env.out << "secret:" << added->id() << "\n";
    return absl::OkStatus();
  }

 private:
  std::string model_, info_, file_, name_;
  std::vector<std::string> pairs_;
};

// update-secret <ID>|<name> [key[#base64|#file]=value...] [--info] [--name] [--auto-prune] [--file]
class UpdateSecretCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"update-secret",
            "<ID>|<name> [key[#base64|#file]=value...]",
            "Update an existing secret.",
            "Changes a user secret's name or description, and with content adds a revision (none\n"
            "when the content is unchanged). Units tracking an older revision run secret-changed.\n",
            "    skein update-secret db-login password=n3w\n    skein update-secret secret:cn2mq8vmp25c7891k3g0 --name login\n",
            {},
            {"add-secret", "show-secret"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--info", &info_, "The secret description");
    f.String("--name", &name_, "The new secret name");
    f.Bool("--auto-prune", &auto_prune_, "Remove revisions no unit tracks any more");
    f.String("--file", &file_, "A YAML file containing the secret content");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing secret URI or name");
    identifier_ = args[0];
    pairs_.assign(args.begin() + 1, args.end());
    return CheckPairs(pairs_);
  }
  absl::Status Run(Environment& env) override {
    auto content = ReadContent(file_, pairs_);
    if (!content.ok()) return content.status();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::UpdateUserSecretRequest req;
    req.set_model(session->model());
    req.set_identifier(identifier_);
    if (!info_.empty()) req.set_description(info_);
    if (!name_.empty()) req.set_name(name_);
    if (auto_prune_) req.set_auto_prune(true);
    req.mutable_content()->insert(content->begin(), content->end());
    return session->connection->Call(&v1::Secrets::StubInterface::UpdateUserSecret, req).status();
  }

 private:
  std::string model_, info_, name_, file_, identifier_;
  bool auto_prune_ = false;
  std::vector<std::string> pairs_;
};

// `--revision N`: a positive integer (usage error otherwise).
absl::StatusOr<std::optional<int64_t>> ParseRevision(const std::string& text) {
  if (text.empty()) return std::optional<int64_t>();
  int64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n < 1) {
    return UsageError(absl::StrCat("invalid value \"", text, "\" for option --revision: expected a positive integer"));
  }
  return std::optional<int64_t>(n);
}

// remove-secret <ID>|<name> [--revision N]
class RemoveSecretCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"remove-secret",
            "<ID>|<name>",
            "Remove a secret.",
            "Removes a user secret with every revision, or with --revision just that revision.\n",
            "    skein remove-secret db-login\n    skein remove-secret cn2mq8vmp25c7891k3g0 --revision 1\n",
            {},
            {"add-secret", "secrets"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--revision", &revision_text_, "Remove only this revision");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing secret URI or name");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    identifier_ = args[0];
    auto revision = ParseRevision(revision_text_);
    if (!revision.ok()) return revision.status();
    revision_ = *revision;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::RemoveUserSecretRequest req;
    req.set_model(session->model());
    req.set_identifier(identifier_);
    if (revision_) req.set_revision(*revision_);
    return session->connection->Call(&v1::Secrets::StubInterface::RemoveUserSecret, req).status();
  }

 private:
  std::string model_, revision_text_, identifier_;
  std::optional<int64_t> revision_;
};

// secrets [--owner O] [--revisions] [--format yaml|json]
class SecretsCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"secrets",
            "",
            "Lists secrets available in the model.",
            "Lists the model's secrets, keyed by ID: those of charms and the users' own\n"
            "(owner <model>). --owner keeps those of one owner (an application, a unit, or model).\n",
            "    skein secrets --format json\n    skein secrets --owner mysql\n",
            {"list-secrets"},
            {"show-secret", "add-secret"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.String("--owner", &owner_, "Include secrets for the specified owner");
    f.Bool("--revisions", &revisions_, "Show the secret revisions metadata");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    return CheckNoExtraArgs(args, 0);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::ListSecretsRequest req;
    req.set_model(session->model());
    req.set_owner(owner_);
    auto listed = session->connection->Call(&v1::Secrets::StubInterface::ListSecrets, req);
    if (!listed.ok()) return listed.status();
    nlohmann::json doc = nlohmann::json::object();
    for (const v1::SecretInfo& s : listed->secrets()) doc[s.id()] = SecretDocument(s, revisions_);
    return WriteData(env, output_, doc, format_);
  }

 private:
  std::string model_, format_ = "yaml", output_, owner_;
  bool revisions_ = false;
};

// show-secret <ID>|<name> [--reveal] [--revisions] [--revision N]
class ShowSecretCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"show-secret",
            "<ID>|<name>",
            "Shows details for a specific secret.",
            "Shows a secret's metadata; --reveal adds its content (of --revision, else the latest)\n"
            "under content.Data, --revisions the metadata of every revision. The secret is named by\n"
            "its name, its ID, secret:<ID> or secret://<model-uuid>/<ID>.\n",
            "    skein show-secret db-login --reveal --format json\n"
            "    skein show-secret secret:cn2mq8vmp25c7891k3g0 --revisions\n",
            {},
            {"secrets", "add-secret"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Bool("--reveal", &reveal_, "Reveal secret values");
    f.Bool("--revisions", &revisions_, "Show the secret revisions metadata");
    f.String("--revision", &revision_text_, "Show this revision's content (with --reveal)");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    if (args.empty()) return UsageError("missing secret URI or name");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    identifier_ = args[0];
    auto revision = ParseRevision(revision_text_);
    if (!revision.ok()) return revision.status();
    revision_ = *revision;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::ShowSecretRequest req;
    req.set_model(session->model());
    req.set_identifier(identifier_);
    req.set_reveal(reveal_);
    if (revision_) req.set_revision(*revision_);
    auto shown = session->connection->Call(&v1::Secrets::StubInterface::ShowSecret, req);
    if (!shown.ok()) return shown.status();
    nlohmann::json secret = SecretDocument(shown->info(), revisions_);
    if (shown->revealed()) {
      nlohmann::json data = nlohmann::json::object();
      for (const auto& [k, v] : shown->content()) data[k] = v;
      secret["content"] = {{"Data", data}};
    }
    return WriteData(env, output_, nlohmann::json{{shown->info().id(), secret}}, format_);
  }

 private:
  std::string model_, format_ = "yaml", output_, revision_text_, identifier_;
  bool reveal_ = false, revisions_ = false;
  std::optional<int64_t> revision_;
};

// grant-secret / revoke-secret <ID>|<name> <application>[,<application>...]
class SecretAccessCommand : public Command {
 public:
  explicit SecretAccessCommand(bool grant) : grant_(grant) {}
  CommandInfo Info() const override {
    const std::string name = grant_ ? "grant-secret" : "revoke-secret";
    return {name,
            "<ID>|<name> <application>[,<application>...]",
            grant_ ? "Grant access to a secret." : "Revoke access to a secret.",
            grant_ ? "Lets the units of the applications read the user secret (secret-get).\n"
                   : "Takes back what grant-secret gave the applications.\n",
            absl::StrCat("    skein ", name, " db-login mysql,wordpress\n"),
            {},
            {grant_ ? "revoke-secret" : "grant-secret", "add-secret"}};
  }
  void SetFlags(FlagSet& f) override { AddModelFlag(f, &model_); }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing secret URI or name");
    if (args.size() < 2) return UsageError("missing application names");
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    identifier_ = args[0];
    for (absl::string_view app : absl::StrSplit(args[1], ',', absl::SkipEmpty())) apps_.emplace_back(app);
    if (apps_.empty()) return UsageError("missing application names");
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::GrantUserSecretRequest req;
    req.set_model(session->model());
    req.set_identifier(identifier_);
    for (const std::string& app : apps_) req.add_applications(app);
    auto method = grant_ ? &v1::Secrets::StubInterface::GrantUserSecret : &v1::Secrets::StubInterface::RevokeUserSecret;
    return session->connection->Call(method, req).status();
  }

 private:
  const bool grant_;
  std::string model_, identifier_;
  std::vector<std::string> apps_;
};

}  // namespace

std::unique_ptr<Command> NewAddSecretCommand() { return std::make_unique<AddSecretCommand>(); }
std::unique_ptr<Command> NewUpdateSecretCommand() { return std::make_unique<UpdateSecretCommand>(); }
std::unique_ptr<Command> NewRemoveSecretCommand() { return std::make_unique<RemoveSecretCommand>(); }
std::unique_ptr<Command> NewSecretsCommand() { return std::make_unique<SecretsCommand>(); }
std::unique_ptr<Command> NewShowSecretCommand() { return std::make_unique<ShowSecretCommand>(); }
std::unique_ptr<Command> NewGrantSecretCommand() { return std::make_unique<SecretAccessCommand>(true); }
std::unique_ptr<Command> NewRevokeSecretCommand() { return std::make_unique<SecretAccessCommand>(false); }

}  // namespace skein::cli::commands
