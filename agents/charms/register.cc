#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"

namespace skein::charms {

void RegisterBuiltinCharms(sdk::CharmRegistry& registry) {
  // Every store charm runs the common behaviour with its profile...
  for (const auto& name : ProfiledCharmNames()) {
    registry.Register(name, [name] { return std::make_unique<StandardCharm>(ProfileFor(name)); });
  }
  // ...except those that really differ.
  registry.Register("mlflow-server", NewMlflowServer);
  registry.Register("minio", NewMinio);
  registry.Register("mysql-k8s", NewMysqlK8s);
  registry.Register("resource-dispatcher", NewResourceDispatcher);
  registry.Register("kubeflow-profiles", NewKubeflowProfiles);
  registry.Register("istio-pilot", NewIstioPilot);
  registry.Register("kubeflow-dashboard", NewKubeflowDashboard);
  registry.Register("prometheus-k8s", NewPrometheusK8s);
  registry.Register("knative-serving", NewKnativeServing);
  registry.Register("kserve-controller", NewKserveController);
  // The conformance suite runs this one to hold built-in charms to the same contract as charm
  // directories (tests/testdata/charms/recorder-builtin).
  registry.Register("skein-recorder", NewRecorder);
}

}  // namespace skein::charms
