#include "controller/domain/plan/apply.h"

#include "controller/domain/application/application_service.h"
#include "controller/domain/relation/relation_service.h"

namespace skein::controller::domain::plan {
namespace {

struct Applier {
  Tx& tx;
  const std::string& model;
  const std::string& deployment;
  const CharmReader& read_charm;

  absl::Status operator()(const DeployChange& c) const {
    application::DeployArgs args;
    args.model = model;
    args.application = c.application;
    auto charm = read_charm(c.charm_sha256);
    if (!charm.ok()) return charm.status();
    args.charm = std::move(*charm);
    args.num_units = c.num_units;
    args.config = c.config;
    args.charm_origin = c.charm_origin;
    args.channel = c.channel;
    args.revision = c.revision;
    args.trust = c.trust;
    args.deployment = deployment;
    return application::DeployInTx(tx, args).status();
  }
  absl::Status operator()(const RefreshChange& c) const {
    application::RefreshArgs args;
    args.model = model;
    args.application = c.application;
    auto charm = read_charm(c.charm_sha256);
    if (!charm.ok()) return charm.status();
    args.charm = std::move(*charm);
    args.charm_origin = c.charm_origin;
    args.channel = c.channel;
    args.revision = c.revision;
    args.force = c.force;
    args.force_units = c.force_units;
    args.config = c.config;
    return application::RefreshInTx(tx, args).status();
  }
  absl::Status operator()(const SetConfigChange& c) const {
    return application::SetConfigInTx(tx, model, c.application, c.config, {}, application::ConfigSetter::kBundle);
  }
  absl::Status operator()(const AddUnitsChange& c) const {
    return application::AddUnitInTx(tx, model, c.application, c.count).status();
  }
  absl::Status operator()(const AddRelationChange& c) const {
    return relation::IntegrateInTx(tx, model, {c.a, c.b}).status();
  }
  absl::Status operator()(const RemoveRelationChange& c) const {
    return relation::RemoveRelationInTx(tx, model, {c.a, c.b}).status();
  }
  absl::Status operator()(const RemoveApplicationChange& c) const {
    return application::RemoveApplicationsInTx(tx, model, {c.application}).status();
  }
  absl::Status operator()(const WaitChange&) const {
    return absl::InvalidArgumentError("a wait is not applied in a transaction");
  }
};

}  // namespace

absl::Status ApplyInTx(Tx& tx, const std::string& model, const std::string& deployment, const ChangeArgs& args,
                       const CharmReader& read_charm) {
  return std::visit(Applier{tx, model, deployment, read_charm}, args);
}

}  // namespace skein::controller::domain::plan
