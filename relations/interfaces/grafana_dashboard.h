#pragma once

// `grafana_dashboard` (charms.grafana_k8s.v0.grafana_dashboard; kubeflow-catalog §4.5): the
// charm shipping dashboards (mlflow-server, kubeflow-dashboard, the COS charms) is the provider;
// its leader writes one key, `dashboards`, in its app bag. Each dashboard travels as
// base64(lzma.compress(JSON text)) under an id such as `file:mlflow-server.json`, with the
// charm name, the Juju topology and an alternative uid that Grafana uses when the dashboard has
// none. The consumer (grafana-k8s, grafana-agent-k8s) decodes every template and, when one does
// not decode, drops the relation's dashboards and tells the provider why in `event` in its own
// app bag.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::grafana_dashboard {

struct Topology {
  std::string model;
  std::string model_uuid;
  std::string application;
  std::string unit;
};

struct Dashboard {
  std::string id;       // `file:mlflow-server.json`; see DashboardIdForFile
  std::string content;  // the dashboard JSON text, sent as it is
};

// The id upstream gives a dashboard file: `file:` and the file name without its last suffix
// (Python's Path.stem), so `mlflow-server.json.tmpl` is `file:mlflow-server.json`.
std::string DashboardIdForFile(const std::string& file_name);

// base64.b64encode(lzma.compress(text.encode())).decode(): xz container, preset 6, CRC64.
std::string LzmaBase64Compress(const std::string& text);

// lzma.decompress(base64.b64decode(encoded)), with Python's leniency: characters outside the
// base64 alphabet are skipped, concatenated xz streams are joined and trailing garbage after the
// first stream is ignored. InvalidArgument on bad base64 ("content is not base64: ...") or bad
// xz data ("content is not xz data: ..."); the text after the colon is Python's own message.
absl::StatusOr<std::string> LzmaBase64Decompress(const std::string& encoded);

// hashlib.shake_256(f"{charm_name}-{id}".encode()).hexdigest(8): 16 lowercase hex digits.
std::string AltUid(const std::string& charm_name, const std::string& id);

// str(uuid.uuid4()): random, version 4, RFC 4122 variant, 8-4-4-4-12 lowercase hex.
std::string NewUuid4();

// The provider leader's app bag: {"dashboards": json.dumps({"templates": ..., "uuid": uuid})},
// templates in the order given. `uuid` is a parameter so that tests are exact; charms pass
// NewUuid4() so that every write changes the bag and the consumer sees a relation-changed.
std::map<std::string, std::string> ProviderAppBag(const std::string& charm_name, const Topology& topology,
                                                  const std::vector<Dashboard>& dashboards, bool inject_dropdowns,
                                                  const std::string& uuid);

struct ReceivedDashboard {
  std::string id;                  // the provider's id, `file:mlflow-server.json`
  std::string charm;               // the providing charm's name
  nlohmann::ordered_json content;  // the parsed dashboard, `uid` set to the alt uid when it had none
  std::string error;               // empty when the dashboard is valid
};

// The consumer's reading of one related application's app bag, templates in the provider's
// order. NotFound when there is no `dashboards` key (the provider has not written yet);
// InvalidArgument when `dashboards` is not a JSON object with a `templates` object. A template
// that does not decode comes back with `error` set: for bad xz data it is Python's LZMAError
// text, as upstream writes it; for bad base64, JSON that is not an object, or a template
// without a `content` string it is our own message (upstream crashes or drops those silently).
absl::StatusOr<std::vector<ReceivedDashboard>> ConsumerDashboards(
    const std::map<std::string, std::string>& remote_app_bag);

// The consumer leader's own app bag update for that relation: {"event": json.dumps({"errors":
// [{"dashboard_id", "error"}, ...]})} when any dashboard is invalid (the caller then drops all
// of that relation's dashboards, as upstream does), else {"event": ""}, which deletes the key.
std::map<std::string, std::string> ConsumerEventBag(const std::vector<ReceivedDashboard>& received);

}  // namespace skein::relations::interfaces::grafana_dashboard
