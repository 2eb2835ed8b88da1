#pragma once

// `k8s-service` in its two forms (kubeflow-catalog §4.7, §4.9, §4.10):
// - SDI v1 (operator-schemas k8s-service.yaml): the provider's `data` is `service-name` and
//   `service-port`, both strings (kubeflow-profiles → kubeflow-dashboard, istio-pilot's istiod);
// - mlops-libs' k8s_service_info: the provider's app bag holds `svc_name` and `svc_port` as plain
//   keys (katib-db-manager → katib-controller, mlmd `grpc` → envoy and kfp-metadata-writer).

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::relations::interfaces::k8s_service {

struct Service {
  std::string name;
  std::string port;  // a string on the wire in both forms
};

const std::vector<std::string>& Versions();  // v1 on both sides of the SDI form

// SDI form: the provider's bag with `data`, the requirer's with versions only.
std::map<std::string, std::string> ProviderSdiBag(const Service& service);
std::map<std::string, std::string> RequirerSdiBag();
// NotFound while nothing was sent; InvalidArgument when a key is missing or not a string.
absl::StatusOr<Service> ReadSdi(const std::map<std::string, std::string>& provider_bag);

// k8s_service_info form.
std::map<std::string, std::string> ProviderInfoBag(const Service& service);
// NotFound while `svc_name` or `svc_port` is missing (the requirer waits).
absl::StatusOr<Service> ReadInfo(const std::map<std::string, std::string>& provider_bag);

}  // namespace skein::relations::interfaces::k8s_service
