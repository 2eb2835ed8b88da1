// The storage part of the unit's hook context (issue 15): storage-list and storage-get read the
// snapshot the hook started with; storage-add and the storage-attached report go with the commit.

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "lib/base/paths.h"

namespace skein::agent {

absl::StatusOr<std::vector<std::string>> UnitHookContext::StorageIds(const std::string& name) {
  std::vector<std::string> ids;
  if (p_.snapshot == nullptr) return ids;
  for (const auto& s : p_.snapshot->storage()) {
    if (name.empty() || s.id().substr(0, s.id().find('/')) == name) ids.push_back(s.id());
  }
  return ids;
}

absl::StatusOr<StorageAttachmentInfo> UnitHookContext::Storage(const std::string& id) {
  if (p_.snapshot != nullptr) {
    for (const auto& s : p_.snapshot->storage()) {
      if (s.id() == id) return StorageAttachmentInfo{s.id(), s.kind(), StorageDir(p_.model_dir, s.id())};
    }
  }
  return absl::NotFoundError(absl::StrCat("storage \"", id, "\" not found"));
}

absl::Status UnitHookContext::StorageAdd(const std::string& name, int count) {
  MutexLock lock(mu_);
  storage_adds_[name] += count;
  return absl::OkStatus();
}

void UnitHookContext::AddStorageChangesLocked(v1::CommitHookRequest& req) const {
  for (const auto& [name, count] : storage_adds_) (*req.mutable_storage_add())[name] = count;
  if (p_.hook.kind == HookKind::kStorageAttached && !p_.hook.storage_id.empty()) {
    (*req.mutable_storage_attached())[p_.hook.storage_id] = StorageDir(p_.model_dir, p_.hook.storage_id);
  }
  // A secret-rotate hook that commits has rotated its secret: the controller schedules the next
  // rotation (whether or not the hook made a new revision, as the policy's period counts from now).
  if (p_.hook.kind == HookKind::kSecretRotate && !p_.hook.secret_uri.empty()) {
    req.add_secrets_rotated(p_.hook.secret_uri);
  }
}

}  // namespace skein::agent
