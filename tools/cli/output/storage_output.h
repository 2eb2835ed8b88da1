#pragma once

// `skein storage`, `skein show-storage` and the `storage` section of `status --format json`, in
// Juju's shapes (juju-cli-client-contract §5.9): `storage` keyed by storage id, plus
// `filesystems` (or `volumes`, for block storage) keyed by the instance's number.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "skein/v1/storage.pb.h"

namespace skein::cli::output {

// One entry of `storage`: kind, life, status, persistent, and attachments.units when attached.
nlohmann::json StorageInstanceJson(const skein::v1::StorageInstanceInfo& instance);

// {storage: {...}, filesystems: {...}, volumes: {...}}; each map left out when it has nothing.
nlohmann::json CombinedStorageJson(const std::vector<skein::v1::StorageInstanceInfo>& instances);

// `skein storage`: Unit, Storage ID, Type, Pool, Mountpoint, Size, Status, Message.
std::string StorageTabular(const std::vector<skein::v1::StorageInstanceInfo>& instances, bool color);

}  // namespace skein::cli::output
