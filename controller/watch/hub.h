#pragma once

// The change-notification hub (DESIGN §4 "Watching without polling"). Each committed write
// transaction publishes the keys it touched; the hub wakes exactly the watchers subscribed to
// one of them. A watcher then rebuilds its complete snapshot and sends it only if it changed.
//
// Race-free subscription: a watcher reads Seq() before it builds a snapshot and passes its new
// keys to SetKeys() afterwards; SetKeys returns the newest sequence at which any of those keys
// was published, so a change committed between the build and the subscription is not missed
// (the watcher rebuilds when that sequence is newer than the one it started from).

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "controller/domain/core/db.h"
#include "lib/base/mutex.h"

namespace skein::controller::watch {

class Watcher {
 public:
  virtual ~Watcher() = default;
  // A subscribed key changed. Called outside the hub's lock; must not block.
  virtual void Wake() = 0;
  // The hub is shutting down: end the stream cleanly. Called once, outside the hub's lock.
  virtual void Close() = 0;
};

class Hub : public domain::ChangeListener {
 public:
  // Registers a watcher (with no keys yet). After Shutdown, closes it at once.
  void Add(const std::shared_ptr<Watcher>& watcher);
  // Forgets a watcher; it is never woken again once this returns... except by a Wake already
  // in progress on another thread, which watchers must tolerate.
  void Remove(const Watcher* watcher);

  // Replaces the watcher's keys. Returns the newest publish sequence of any of `keys` (0 = never).
  uint64_t SetKeys(const Watcher* watcher, const std::set<std::string>& keys);
  // The sequence number of the newest publish.
  uint64_t Seq();

  // Publishes: wakes every watcher subscribed to one of `keys`.
  void OnCommitted(const std::set<std::string>& keys) override;
  uint64_t NewestPublished(const std::set<std::string>& keys) override;

  // Closes every watcher; later Adds are closed at once.
  void Shutdown();
  bool closed();
  size_t watcher_count();

 private:
  Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<const Watcher*, std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);
  std::map<const Watcher*, std::set<std::string>> keys_of_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::set<const Watcher*>> index_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, uint64_t> published_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::controller::watch
