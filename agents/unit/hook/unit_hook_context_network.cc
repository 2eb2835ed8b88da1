// UnitHookContext: network-get, unit-get, goal-state and the model UUID, all answered from the
// snapshot the hook started with, the charm's metadata and the host's interfaces.

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "lib/base/time.h"
#include "lib/charm/metadata.h"

namespace skein::agent {
namespace {

// The IPv4 network of `address` with `netmask`, as `a.b.c.d/n`.
std::string Cidr(const in_addr& address, const in_addr& netmask) {
  uint32_t mask = ntohl(netmask.s_addr);
  int bits = 0;
  while (bits < 32 && (mask & (0x80000000u >> bits))) ++bits;
  in_addr network{};
  network.s_addr = address.s_addr & netmask.s_addr;
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &network, text, sizeof(text));
  return absl::StrCat(text, "/", bits);
}

// The interface of this host that holds IPv4 `address` (name, MAC, CIDR); a bare interface
// with just the address when no interface has it (the controller's view of the machine may
// differ from the host's).
NetworkInfo::Interface InterfaceFor(const std::string& address) {
  NetworkInfo::Interface found;
  found.addresses.push_back({address, "", ""});
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return found;
  std::map<std::string, std::string> macs;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_PACKET) continue;
    const auto* ll = reinterpret_cast<const sockaddr_ll*>(i->ifa_addr);
    if (ll->sll_halen != 6) continue;
    char mac[18];
    std::snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0], ll->sll_addr[1], ll->sll_addr[2],
                  ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
    macs[i->ifa_name] = mac;
  }
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET || i->ifa_netmask == nullptr) continue;
    const in_addr& addr = reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &addr, text, sizeof(text));
    if (address != text) continue;
    found.name = i->ifa_name;
    found.mac_address = macs.count(found.name) ? macs[found.name] : "";
    found.addresses[0].cidr = Cidr(addr, reinterpret_cast<const sockaddr_in*>(i->ifa_netmask)->sin_addr);
    break;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace

std::string UnitHookContext::UnitAddressOrDefault() const {
  if (p_.snapshot != nullptr && !p_.snapshot->private_address().empty()) return p_.snapshot->private_address();
  return "127.0.0.1";
}

bool UnitHookContext::IsBinding(const std::string& name) const {
  if (p_.snapshot != nullptr) {
    for (const v1::RelationSnapshot& r : p_.snapshot->relations()) {
      if (r.endpoint() == name) return true;
    }
  }
  if (name == "juju-info") return true;  // every application implicitly provides it
  if (p_.charm_dir.empty()) return false;
  std::ifstream in(p_.charm_dir + "/metadata.yaml");
  if (!in) return false;
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<charm::Metadata> meta = charm::ParseMetadata(text.str());
  if (!meta.ok()) return false;
  if (meta->endpoints.count(name)) return true;
  for (const std::string& b : meta->extra_bindings) {
    if (b == name) return true;
  }
  return false;
}

absl::StatusOr<NetworkInfo> UnitHookContext::NetworkGet(const std::string& binding,
                                                        std::optional<int64_t> relation_id) {
  if (relation_id) {
    absl::StatusOr<HookRelation> r = Relation(*relation_id);
    if (!r.ok()) return r.status();
  }
  if (!IsBinding(binding)) {
    return absl::NotFoundError(absl::StrCat("no network config found for binding \"", binding, "\""));
  }
  // Every binding is on the machine's one address: skein has no spaces.
  std::string address = UnitAddressOrDefault();
  NetworkInfo info;
  info.bind_addresses.push_back(InterfaceFor(address));
  info.ingress_addresses.push_back(address);
  info.egress_subnets.push_back(address + "/32");
  return info;
}

absl::StatusOr<std::string> UnitHookContext::UnitAddress(bool public_address) {
  // One address per machine: the public address is the private one.
  return UnitAddressOrDefault();
}

absl::StatusOr<nlohmann::json> UnitHookContext::CloudSpec() {
  if (p_.snapshot == nullptr || !p_.snapshot->trusted()) return absl::PermissionDeniedError("permission denied");
  // The local substrate: the cloud and region `status` shows, reached at the machine's address,
  // with no credential to hand out. A Kubernetes cloud (issue 16) hands its own spec here.
  return nlohmann::json{{"type", "local"},
                        {"name", "local"},
                        {"region", "localhost"},
                        {"endpoint", UnitAddressOrDefault()},
                        {"credential", {{"auth-type", "empty"}}},
                        {"is-controller-cloud", true}};
}

std::string UnitHookContext::ModelUuid() const {
  return p_.snapshot != nullptr ? p_.snapshot->model_uuid() : "";
}

RemovalReason RemovalReasonOf(const v1::UnitSnapshot& snapshot) {
  if (snapshot.life() == v1::LIFE_ALIVE) return RemovalReason::kNone;
  if (snapshot.model_life() != v1::LIFE_ALIVE) return RemovalReason::kModelDestroyed;
  if (snapshot.application_life() != v1::LIFE_ALIVE) return RemovalReason::kApplicationRemoved;
  return RemovalReason::kUnitRemoved;
}

RemovalReason UnitHookContext::Removal() const {
  return p_.snapshot != nullptr ? RemovalReasonOf(*p_.snapshot) : RemovalReason::kNone;
}

absl::StatusOr<nlohmann::json> UnitHookContext::GoalState() {
  // What the snapshot knows: this unit, the other units of its application (peer members) and
  // the members of each relation. skein keeps no per-unit "since" for goal state, so the time
  // of the call stands in for it.
  const std::string since = FormatRfc3339(p_.clock->WallNow());
  auto entry = [&since](const std::string& status) { return nlohmann::json{{"status", status}, {"since", since}}; };
  nlohmann::json units = nlohmann::json::object();
  nlohmann::json relations = nlohmann::json::object();
  units[p_.unit] = entry(p_.snapshot != nullptr && p_.snapshot->life() != v1::LIFE_ALIVE ? "dying" : "active");
  if (p_.snapshot != nullptr) {
    for (const v1::RelationSnapshot& r : p_.snapshot->relations()) {
      if (charm::ParseRole(r.role()) == charm::Role::kPeers) {
        for (const v1::RelationMember& m : r.members()) units[m.unit()] = entry("active");
        continue;
      }
      nlohmann::json& rel = relations[r.endpoint()];
      if (!rel.is_object()) rel = nlohmann::json::object();
      rel[r.remote_application()] = entry(r.life() == v1::LIFE_ALIVE ? "joined" : "dying");
      for (const v1::RelationMember& m : r.members()) rel[m.unit()] = entry("active");
    }
  }
  return nlohmann::json{{"units", units}, {"relations", relations}};
}

}  // namespace skein::agent
