#include "controller/watch/hub.h"

#include <vector>

namespace skein::controller::watch {

void Hub::Add(const std::shared_ptr<Watcher>& watcher) {
  {
    MutexLock lock(mu_);
    if (!closed_) {
      watchers_[watcher.get()] = watcher;
      return;
    }
  }
  watcher->Close();
}

void Hub::Remove(const Watcher* watcher) {
  MutexLock lock(mu_);
  auto it = keys_of_.find(watcher);
  if (it != keys_of_.end()) {
    for (const std::string& key : it->second) {
      auto idx = index_.find(key);
      if (idx == index_.end()) continue;
      idx->second.erase(watcher);
      if (idx->second.empty()) index_.erase(idx);
    }
    keys_of_.erase(it);
  }
  watchers_.erase(watcher);
}

uint64_t Hub::SetKeys(const Watcher* watcher, const std::set<std::string>& keys) {
  MutexLock lock(mu_);
  uint64_t newest = 0;
  for (const std::string& key : keys) {
    auto p = published_.find(key);
    if (p != published_.end() && p->second > newest) newest = p->second;
  }
  if (!watchers_.count(watcher)) return newest;  // removed meanwhile
  std::set<std::string>& current = keys_of_[watcher];
  for (const std::string& key : current) {
    if (keys.count(key)) continue;
    auto idx = index_.find(key);
    if (idx == index_.end()) continue;
    idx->second.erase(watcher);
    if (idx->second.empty()) index_.erase(idx);
  }
  for (const std::string& key : keys) index_[key].insert(watcher);
  current = keys;
  return newest;
}

uint64_t Hub::Seq() {
  MutexLock lock(mu_);
  return seq_;
}

void Hub::OnCommitted(const std::set<std::string>& keys) {
  std::vector<std::shared_ptr<Watcher>> woken;
  {
    MutexLock lock(mu_);
    ++seq_;
    std::set<const Watcher*> hit;
    for (const std::string& key : keys) {
      published_[key] = seq_;
      auto idx = index_.find(key);
      if (idx == index_.end()) continue;
      hit.insert(idx->second.begin(), idx->second.end());
    }
    for (const Watcher* w : hit) woken.push_back(watchers_.at(w));
  }
  for (const auto& w : woken) w->Wake();
}

void Hub::Shutdown() {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    MutexLock lock(mu_);
    closed_ = true;
    for (const auto& [ptr, w] : watchers_) all.push_back(w);
  }
  for (const auto& w : all) w->Close();
}

bool Hub::closed() {
  MutexLock lock(mu_);
  return closed_;
}

size_t Hub::watcher_count() {
  MutexLock lock(mu_);
  return watchers_.size();
}

uint64_t Hub::NewestPublished(const std::set<std::string>& keys) {
  MutexLock lock(mu_);
  uint64_t newest = 0;
  for (const std::string& key : keys) {
    if (auto it = published_.find(key); it != published_.end()) newest = std::max(newest, it->second);
  }
  return newest;
}

}  // namespace skein::controller::watch
