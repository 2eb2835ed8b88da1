#pragma once

// Reading a kubeconfig (the file `kubectl` uses) into what the client needs to reach one
// cluster: the server, the CA that signs its certificate, and one credential (bearer token or
// client certificate). Only inline data and files are supported, not exec or auth-provider
// plugins: those run programs skein does not ship, and add-k8s says so.

#include <string>

#include "absl/status/statusor.h"

namespace skein::kube {

struct ClusterConfig {
  std::string server;           // "https://127.0.0.1:6443"
  std::string ca_pem;           // empty: the system's trust store
  std::string token;            // bearer token, or empty
  std::string client_cert_pem;  // with client_key_pem, or both empty
  std::string client_key_pem;
  bool insecure_skip_tls_verify = false;
  std::string ns;               // the context's namespace, if it names one
};

// Parses kubeconfig YAML and resolves `context` (the current-context when empty); relative file
// paths are taken from `base_dir`. InvalidArgument naming what is missing or unsupported
// (`context "x" not found in the kubeconfig`, `user "x" uses an exec plugin, which skein does
// not run: give it a token or client certificate`).
absl::StatusOr<ClusterConfig> ParseKubeconfig(const std::string& yaml_text, const std::string& context = "",
                                              const std::string& base_dir = "");

// The in-cluster configuration a pod's process sees: files under `dir` (token, ca.crt,
// namespace; /var/run/secrets/kubernetes.io/serviceaccount in a pod) and the server
// `https://<KUBERNETES_SERVICE_HOST>:<KUBERNETES_SERVICE_PORT>`.
absl::StatusOr<ClusterConfig> InClusterConfig(const std::string& dir, const std::string& host, const std::string& port);

// A kubeconfig YAML for `config` with one cluster, user and context named `name` (written for
// charms as KUBECONFIG and by `skein add-k8s` callers in tests).
std::string RenderKubeconfig(const ClusterConfig& config, const std::string& name);

}  // namespace skein::kube
