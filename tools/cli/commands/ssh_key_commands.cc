// add-ssh-key, remove-ssh-key, ssh-keys (issue 15): the model's SSH keys, kept by the controller
// as Juju keeps them in the model's authorized-keys. skein's ssh runs commands on this host and
// needs no key; the keys are stored so that suites which add and list them see them.

#include "absl/strings/str_cat.h"
#include "tools/cli/commands/machine_placement.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {
namespace {

using skein::v1::MachineManager;

using SshKeysMethod = grpc::Status (MachineManager::StubInterface::*)(grpc::ClientContext*,
                                                                      const skein::v1::SshKeysRequest&,
                                                                      skein::v1::SshKeysResponse*);

// add-ssh-key and remove-ssh-key: a list of keys (or ids) sent to one MachineManager RPC.
class SshKeyChangeCommand : public Command {
 public:
  SshKeyChangeCommand(CommandInfo info, std::string missing, SshKeysMethod method)
      : info_(std::move(info)), missing_(std::move(missing)), method_(method) {}
  CommandInfo Info() const override { return info_; }
  void SetFlags(FlagSet& f) override { AddModelFlag(f, &model_); }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError(missing_);
    keys_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::SshKeysRequest req;
    req.set_model(session->model());
    for (const std::string& k : keys_) req.add_keys(k);
    return CallMachineManager(*session, method_, req).status();
  }

 private:
  CommandInfo info_;
  std::string missing_;
  SshKeysMethod method_;
  std::string model_;
  std::vector<std::string> keys_;
};

CommandInfo AddSshKeyInfo() {
  return {"add-ssh-key",
          "<ssh key> ...",
          "Adds a public SSH key to a model.",
          "Stores each key (a whole authorized_keys line, `ssh-ed25519 AAAA... comment`, one\n"
          "argument each) with the model. A key already there is refused. skein's ssh and scp\n"
          "run on the controller's host and do not use the keys.\n",
          "    skein add-ssh-key \"$(cat ~/.ssh/id_ed25519.pub)\"\n",
          {},
          {"ssh-keys", "remove-ssh-key"}};
}

CommandInfo RemoveSshKeyInfo() {
  return {"remove-ssh-key",
          "<ssh key id> ...",
          "Removes a public SSH key (or keys) from a model.",
          "Each id is a key's fingerprint (as ssh-keys prints it), its comment or the whole key.\n"
          "An id that matches no key is refused and nothing is removed.\n",
          "    skein remove-ssh-key user@host\n    skein remove-ssh-key SHA256:abc...\n",
          {},
          {"ssh-keys", "add-ssh-key"}};
}

class SshKeysCommand : public ModelQueryCommand {
 public:
  SshKeysCommand() : ModelQueryCommand({"text", "json", "yaml"}) {}
  CommandInfo Info() const override {
    return {"ssh-keys",
            "",
            "Lists the currently known SSH keys for the current (or specified) model.",
            "Prints `Keys used in model: admin/<model>` and one line per key: its fingerprint and\n"
            "comment, or the whole key with --full. --format json|yaml prints a list of\n"
            "{fingerprint, comment, key}.\n",
            "    skein ssh-keys\n    skein ssh-keys --full\n",
            {"list-ssh-keys"},
            {"add-ssh-key", "remove-ssh-key"}};
  }

 protected:
  void AddFlags(FlagSet& f) override { f.Bool("--full", &full_, "Show the whole key instead of its fingerprint"); }
  absl::Status Query(Environment& env, Session& session) override {
    skein::v1::SshKeysRequest req;
    req.set_model(session.model());
    auto resp = CallMachineManager(session, &MachineManager::StubInterface::ListSshKeys, req);
    if (!resp.ok()) return resp.status();
    if (format() == "text") {
      if (resp->keys_size() == 0) {
        *env.err << "No keys to display.\n";
        return absl::OkStatus();
      }
      std::string text = absl::StrCat("Keys used in model: admin/", session.model(), "\n");
      for (const auto& k : resp->keys()) {
        absl::StrAppend(&text, full_ ? k.key() : absl::StrCat(k.fingerprint(), " (", k.comment(), ")"), "\n");
      }
      return PrintText(env, text);
    }
    nlohmann::json doc = nlohmann::json::array();
    for (const auto& k : resp->keys()) {
      doc.push_back({{"fingerprint", k.fingerprint()}, {"comment", k.comment()}, {"key", k.key()}});
    }
    return PrintData(env, doc);
  }

 private:
  bool full_ = false;
};

}  // namespace

std::unique_ptr<Command> NewAddSshKeyCommand() {
  return std::make_unique<SshKeyChangeCommand>(AddSshKeyInfo(), "no ssh key specified",
                                               &MachineManager::StubInterface::AddSshKeys);
}
std::unique_ptr<Command> NewRemoveSshKeyCommand() {
  return std::make_unique<SshKeyChangeCommand>(RemoveSshKeyInfo(), "no ssh key id specified",
                                               &MachineManager::StubInterface::RemoveSshKeys);
}
std::unique_ptr<Command> NewSshKeysCommand() { return std::make_unique<SshKeysCommand>(); }

}  // namespace skein::cli::commands
