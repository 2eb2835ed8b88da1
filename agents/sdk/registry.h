#pragma once

// Built-in charms by name, registered explicitly at agent start (RegisterBuiltinCharms in
// agents/charms), never by static self-registration, so that what an agent can run is visible
// in one place.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agents/sdk/charm.h"

namespace skein::sdk {

// The file in a charm directory that names the built-in charm to run instead of its hooks.
inline constexpr char kBuiltinMarkerFile[] = "skein-builtin";

class CharmRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Charm>()>;

  // A second registration of a name replaces the first.
  void Register(const std::string& name, Factory factory) { factories_[name] = std::move(factory); }
  // nullptr when unknown.
  std::unique_ptr<Charm> Create(const std::string& name) const {
    auto it = factories_.find(name);
    return it == factories_.end() ? nullptr : it->second();
  }
  bool Has(const std::string& name) const { return factories_.count(name) > 0; }
  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const auto& [n, f] : factories_) out.push_back(n);
    return out;
  }

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace skein::sdk
