// network-get and unit-get (juju-semantics §3.3).

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// network-get <binding> [-r id] [--bind-address] [--ingress-address] [--egress-subnets]
//             [--primary-address]
class NetworkGetCommand : public Command {
 public:
  explicit NetworkGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "network-get";
    info.args = "<binding-name> [--ingress-address] [--bind-address] [--egress-subnets]";
    info.purpose = "Get network config.";
    info.doc = R"(
Prints the network configuration of an endpoint or extra binding: the addresses the unit binds
to (by interface), the addresses other units should use to reach it (ingress) and the subnets
its traffic comes from (egress). One selector flag prints just that value; several print a map
of them.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    relation_ = RelationIdValue::AddFlag(flags, ctx_, "specify a relation by id");
    flags.BoolVar(&primary_, {"primary-address"}, "(deprecated) get the primary address for the binding");
    flags.BoolVar(&bind_, {"bind-address"}, "get the address for the binding on which the unit should listen");
    flags.BoolVar(&ingress_, {"ingress-address"}, "get the ingress address for the binding");
    flags.BoolVar(&egress_, {"egress-subnets"}, "get the egress subnets for the binding");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("no arguments specified");
    binding_ = args[0];
    if (binding_.empty()) return absl::InvalidArgumentError("no binding name specified");
    // The order of the selectors is Juju's, which decides the order of the map keys only in
    // Go's (sorted) output anyway.
    if (primary_) keys_.push_back("primary-address");
    if (bind_) keys_.push_back("bind-address");
    if (ingress_) keys_.push_back("ingress-address");
    if (egress_) keys_.push_back("egress-subnets");
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    std::optional<int64_t> relation;
    if (relation_->id() != -1) relation = relation_->id();
    absl::StatusOr<NetworkInfo> info = ctx_.NetworkGet(binding_, relation);
    if (!info.ok()) return info.status();
    if (keys_.empty()) return out_.Write(ctx, Full(*info, out_.Name() == "yaml"));

    nlohmann::json values = nlohmann::json::object();
    for (const std::string& key : keys_) {
      nlohmann::json v;
      if (key == "bind-address" || key == "primary-address") {
        if (!info->bind_addresses.empty() && !info->bind_addresses[0].addresses.empty()) {
          v = info->bind_addresses[0].addresses[0].value;
        }
      } else if (key == "ingress-address") {
        if (!info->ingress_addresses.empty()) v = info->ingress_addresses[0];
      } else {
        v = info->egress_subnets;
      }
      values[key] = v;
    }
    if (keys_.size() == 1) return out_.Write(ctx, values[keys_[0]]);
    return out_.Write(ctx, values);
  }

 private:
  // params.NetworkInfoResult as Juju marshals it: empty top-level lists are omitted; the YAML
  // form also carries the legacy keys older charms read (macaddress, interfacename, address).
  static nlohmann::json Full(const NetworkInfo& info, bool legacy) {
    nlohmann::json out = nlohmann::json::object();
    if (!info.bind_addresses.empty()) {
      nlohmann::json binds = nlohmann::json::array();
      for (const NetworkInfo::Interface& i : info.bind_addresses) {
        nlohmann::json b = nlohmann::json::object();
        b["mac-address"] = i.mac_address;
        b["interface-name"] = i.name;
        nlohmann::json addrs = nlohmann::json::array();
        for (const NetworkInfo::Address& a : i.addresses) {
          nlohmann::json addr = {{"hostname", a.hostname}, {"value", a.value}, {"cidr", a.cidr}};
          if (legacy) addr["address"] = a.value;
          addrs.push_back(addr);
        }
        b["addresses"] = addrs;
        if (legacy) {
          b["macaddress"] = i.mac_address;
          b["interfacename"] = i.name;
        }
        binds.push_back(b);
      }
      out["bind-addresses"] = binds;
    }
    if (!info.egress_subnets.empty()) out["egress-subnets"] = info.egress_subnets;
    if (!info.ingress_addresses.empty()) out["ingress-addresses"] = info.ingress_addresses;
    return out;
  }

  HookContext& ctx_;
  Output out_;
  std::shared_ptr<RelationIdValue> relation_;
  bool primary_ = false;
  bool bind_ = false;
  bool ingress_ = false;
  bool egress_ = false;
  std::string binding_;
  std::vector<std::string> keys_;
};

// unit-get <setting>
class UnitGetCommand : public Command {
 public:
  explicit UnitGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "unit-get";
    info.args = "<setting>";
    info.purpose = "Print public-address or private-address.";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("no setting specified");
    if (args[0] != "private-address" && args[0] != "public-address") {
      return absl::InvalidArgumentError(absl::StrCat("unknown setting ", GoQuote(args[0])));
    }
    public_ = args[0] == "public-address";
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::string> address = ctx_.UnitAddress(public_);
    if (!address.ok()) return address.status();
    return out_.Write(ctx, *address);
  }

 private:
  HookContext& ctx_;
  Output out_;
  bool public_ = false;
};

}  // namespace

std::vector<ToolEntry> NetworkTools() {
  return {
      {"network-get", &MakeTool<NetworkGetCommand>},
      {"unit-get", &MakeTool<UnitGetCommand>},
  };
}

}  // namespace skein::agent::tools
