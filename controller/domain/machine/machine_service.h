#pragma once

// Machines beyond machine 0 (issue 15): add-machine, remove-machine and the SSH keys of a model.
// On the local substrate every machine is another machine agent on this host with its own data
// dir; the CLI starts and stops that process, this service keeps the rows. Machine ids are
// controller-wide integers (machine 0 is the host's, shared by every model), so a machine added
// in a model may be `2` when another model added `1` first.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain::machine {

// The most machines one add-machine may ask for (`-n`).
inline constexpr int kMaxMachinesPerRequest = 100;

struct AddMachinesArgs {
  std::string model;
  int count = 1;
  std::string constraints;  // `key=value ...` (lib/base/constraints.h)
  // One entry per machine: the uid range its unit agents run under (`first-last`), or empty
  // when they share the machine agent's user. Shorter than `count`: the rest share.
  std::vector<std::string> unit_uids;
};

struct AddedMachine {
  std::string id;
  std::string credential;  // the machine agent's, returned once; only its hash is stored
};

struct RemoveMachinesResult {
  std::vector<std::string> machines;
  std::vector<std::string> units;  // removed with --force
};

struct SshKey {
  std::string fingerprint;  // `SHA256:<base64>` of the key's blob, as ssh-keygen -l prints it
  std::string comment;
  std::string key;          // the whole authorized_keys line
};

class MachineService {
 public:
  explicit MachineService(Db* db) : db_(db) {}

  // Adds `count` machines to the model, numbered after the highest machine id. NotFound for the
  // model; FailedPrecondition when it is dying; InvalidArgument for a count outside
  // 1..kMaxMachinesPerRequest or bad constraints (ParseConstraints's text).
  absl::StatusOr<std::vector<AddedMachine>> AddMachines(const AddMachinesArgs& args);

  // Removes the machines (all or none). NotFound `machine 3 not found` for a machine that is not
  // the model's; FailedPrecondition `machine 0 is the host's machine and cannot be removed`, or
  // `machine 1 has unit "app/0" assigned` unless `force`, which deletes those units at once
  // (their agents go with the machine agent).
  absl::StatusOr<RemoveMachinesResult> RemoveMachines(const std::string& model, const std::vector<std::string>& ids,
                                                      bool force);

  // The model's machines, machine 0 first (which every model shares).
  absl::StatusOr<std::vector<MachineRow>> ModelMachines(const std::string& model);

  // add-ssh-key: every key is parsed first (InvalidArgument `invalid ssh key: <key>`), then all
  // are stored. AlreadyExists `duplicate ssh key: <comment or fingerprint>` when one is there.
  absl::StatusOr<std::vector<SshKey>> AddSshKeys(const std::string& model, const std::vector<std::string>& keys);
  // remove-ssh-key: each id is a fingerprint, a comment or a whole key. NotFound `invalid ssh key: <id>`
  // for one that matches nothing; nothing is removed then.
  absl::Status RemoveSshKeys(const std::string& model, const std::vector<std::string>& ids);
  absl::StatusOr<std::vector<SshKey>> ListSshKeys(const std::string& model);

 private:
  Db* db_;
};

// Parses an authorized_keys line (`type base64 [comment]`) and computes its fingerprint.
// InvalidArgument `invalid ssh key: <text>`.
absl::StatusOr<SshKey> ParseSshKey(const std::string& text);

}  // namespace skein::controller::domain::machine
