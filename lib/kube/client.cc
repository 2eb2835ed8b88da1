#include "lib/kube/client.h"

#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/mutex.h"
#include "lib/base/status_macros.h"
#include "lib/format/output.h"
#include "lib/kube/http.h"

namespace skein::kube {
namespace {

// One watch event is one object; etcd refuses objects over 1.5 MiB by default, so a line over
// this is not from a Kubernetes API server.
constexpr size_t kMaxWatchLine = 16u << 20;

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "ns/name", "name" or "ns", as error texts name an object or a collection.
std::string Where(const std::string& ns, const std::string& name) {
  if (ns.empty()) return name;
  if (name.empty()) return ns;
  return absl::StrCat(ns, "/", name);
}

// The API's answer as a status: the code from the HTTP status (and the Status object's reason,
// for 409), the text `<verb> <kind> "<where>": <the server's message>`.
absl::Status ErrorFrom(long http, const std::string& body, const std::string& verb, const std::string& kind,
                       const std::string& where) {
  std::string message;
  std::string reason;
  auto parsed = format::ParseJsonWithin(body);
  if (parsed.ok() && parsed->is_object()) {
    message = Str(*parsed, "message");
    reason = Str(*parsed, "reason");
  }
  if (message.empty()) {
    message = body.empty() ? absl::StrCat("HTTP status ", http) : body.substr(0, 512);
  }
  absl::StatusCode code;
  switch (http) {
    case 400:
    case 422:
      code = absl::StatusCode::kInvalidArgument;
      break;
    case 401:
      code = absl::StatusCode::kUnauthenticated;
      break;
    case 403:
      code = absl::StatusCode::kPermissionDenied;
      break;
    case 404:
      code = absl::StatusCode::kNotFound;
      break;
    case 409:
      code = reason == "AlreadyExists" ? absl::StatusCode::kAlreadyExists : absl::StatusCode::kAborted;
      break;
    case 410:
      code = absl::StatusCode::kOutOfRange;
      break;
    case 429:
    case 502:
    case 503:
    case 504:
      code = absl::StatusCode::kUnavailable;
      break;
    case 500:
      // A server-side apply whose object does not fit the kind's schema (a string where a number
      // goes) is answered 500 with a "failed to create typed patch object" message, not 422.
      code = verb == "apply" && absl::StrContains(message, "typed patch object") ? absl::StatusCode::kInvalidArgument
                                                                                 : absl::StatusCode::kInternal;
      break;
    default:
      code = http >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
  return absl::Status(code, absl::StrCat(verb, " ", kind, " \"", where, "\": ", message));
}

absl::Status Prefixed(const absl::Status& status, const std::string& verb, const std::string& kind,
                      const std::string& where) {
  return absl::Status(status.code(), absl::StrCat(verb, " ", kind, " \"", where, "\": ", status.message()));
}

absl::StatusOr<Json> ParseObject(const std::string& body, const std::string& verb, const std::string& kind,
                                 const std::string& where) {
  auto parsed = format::ParseJsonWithin(body);
  if (!parsed.ok()) return Prefixed(parsed.status(), verb, kind, where);
  return *std::move(parsed);
}

class CurlClient : public Client {
 public:
  CurlClient(const ClusterConfig& config, std::unique_ptr<HttpTransport> http)
      : server_(config.server), default_ns_(config.ns.empty() ? "default" : config.ns), http_(std::move(http)) {}

  absl::StatusOr<Json> Apply(const Json& object, const ApplyOptions& options) override {
    ObjectRef ref = RefOf(object);
    if (ref.api_version.empty() || ref.kind.empty() || ref.name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("apply ", ref.kind, " \"", Where(ref.ns, ref.name),
                       "\": the object needs apiVersion, kind and metadata.name"));
    }
    Json body = object;
    ASSIGN_OR_RETURN(std::string path, ObjectPath("apply", ref, &body));
    std::string target = absl::StrCat(path, "?fieldManager=", HttpTransport::Escape(options.field_manager),
                                      options.force ? "&force=true" : "", options.dry_run ? "&dryRun=All" : "");
    // JSON is YAML, and the apply content type asks for YAML.
    return Call("apply", ref, "PATCH", target, "application/apply-patch+yaml", body.dump());
  }

  absl::StatusOr<Json> Get(const ObjectRef& ref) override {
    ASSIGN_OR_RETURN(std::string path, ObjectPath("get", ref, nullptr));
    return Call("get", ref, "GET", path, "", "");
  }

  absl::StatusOr<Json> List(const std::string& api_version, const std::string& kind, const std::string& ns,
                            const ListOptions& options) override {
    ASSIGN_OR_RETURN(std::string path, CollectionPath("list", api_version, kind, ns));
    std::string target = absl::StrCat(path, Query(options, '?'));
    ASSIGN_OR_RETURN(HttpResponse response, http_->Do("GET", target));
    if (response.status != 200) return ErrorFrom(response.status, response.body, "list", kind, ns);
    return ParseObject(response.body, "list", kind, ns);
  }

  absl::Status Delete(const ObjectRef& ref, const DeleteOptions& options) override {
    ASSIGN_OR_RETURN(std::string path, ObjectPath("delete", ref, nullptr));
    Json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"propagationPolicy", options.propagation_policy}};
    if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
    auto result = Call("delete", ref, "DELETE", path, "application/json", body.dump());
    return result.status();
  }

  absl::StatusOr<Json> CreateSubresource(const ObjectRef& ref, const std::string& subresource,
                                         const Json& body) override {
    std::string verb = "create " + subresource + " of";
    ASSIGN_OR_RETURN(std::string path, ObjectPath(verb, ref, nullptr));
    return Call(verb, ref, "POST", absl::StrCat(path, "/", subresource), "application/json", body.dump());
  }

  absl::Status Watch(const std::string& api_version, const std::string& kind, const std::string& ns,
                     const WatchOptions& options, const std::function<bool(const WatchEvent&)>& on_event,
                     const std::atomic<bool>* stop) override {
    ASSIGN_OR_RETURN(std::string path, CollectionPath("watch", api_version, kind, ns));
    std::string target = absl::StrCat(path, "?watch=1&allowWatchBookmarks=true&timeoutSeconds=",
                                      options.timeout.count(), Query(options.list, '&'));
    if (!options.resource_version.empty()) {
      absl::StrAppend(&target, "&resourceVersion=", HttpTransport::Escape(options.resource_version));
    }
    absl::Status event_error;
    auto on_line = [&](std::string_view line) {
      auto parsed = format::ParseJsonWithin(std::string(line));
      if (!parsed.ok() || !parsed->is_object()) {
        event_error = absl::InternalError(absl::StrCat("watch ", kind, " \"", ns, "\": the server sent a line that is not a watch event"));
        return false;
      }
      std::string type = Str(*parsed, "type");
      Json& object = (*parsed)["object"];
      WatchEvent event;
      if (type == "ADDED") {
        event.type = WatchEvent::Type::kAdded;
      } else if (type == "MODIFIED") {
        event.type = WatchEvent::Type::kModified;
      } else if (type == "DELETED") {
        event.type = WatchEvent::Type::kDeleted;
      } else if (type == "BOOKMARK") {
        event.type = WatchEvent::Type::kBookmark;
      } else {
        // ERROR: the object is a Status, 410 when the version asked for is compacted away.
        long http = object.is_object() && object.contains("code") && object["code"].is_number()
                        ? object["code"].get<long>()
                        : 500;
        event_error = ErrorFrom(http, object.dump(), "watch", kind, ns);
        return false;
      }
      event.object = std::move(object);
      return on_event(event);
    };
    ASSIGN_OR_RETURN(HttpResponse response, http_->Stream(target, on_line, stop, kMaxWatchLine));
    if (!event_error.ok()) return event_error;
    if (response.status != 200) return ErrorFrom(response.status, response.body, "watch", kind, ns);
    return absl::OkStatus();
  }

  absl::StatusOr<bool> IsNamespaced(const std::string& api_version, const std::string& kind) override {
    ASSIGN_OR_RETURN(Resource resource, Lookup(api_version, kind));
    return resource.namespaced;
  }

  const std::string& server() const override { return server_; }

 private:
  struct Resource {
    std::string name;  // "statefulsets"
    bool namespaced = false;
  };
  using Resources = std::map<std::string, Resource>;  // by kind

  static std::string Query(const ListOptions& options, char first) {
    std::string query;
    auto add = [&](const char* key, const std::string& value) {
      if (value.empty()) return;
      absl::StrAppend(&query, std::string(1, query.empty() ? first : '&'), key, "=", HttpTransport::Escape(value));
    };
    add("labelSelector", options.label_selector);
    add("fieldSelector", options.field_selector);
    return query;
  }

  static std::string GroupVersionPath(const std::string& api_version) {
    return api_version.find('/') == std::string::npos ? absl::StrCat("/api/", api_version)
                                                      : absl::StrCat("/apis/", api_version);
  }

  // The resources of one group/version from discovery. NotFound when the server does not serve
  // that group/version.
  absl::StatusOr<Resources> Discover(const std::string& api_version) {
    ASSIGN_OR_RETURN(HttpResponse response, http_->Do("GET", GroupVersionPath(api_version)));
    if (response.status == 404) {
      return absl::NotFoundError(absl::StrCat("the server does not serve apiVersion ", api_version));
    }
    if (response.status != 200) {
      return ErrorFrom(response.status, response.body, "discover", "resources", api_version);
    }
    auto list = format::ParseJsonWithin(response.body);
    if (!list.ok()) return list.status();
    Resources resources;
    auto items = list->find("resources");
    if (items == list->end() || !items->is_array()) return resources;
    for (const Json& item : *items) {
      std::string name = Str(item, "name");
      // Subresources ("pods/status") share their parent's kind.
      if (name.empty() || name.find('/') != std::string::npos) continue;
      auto namespaced = item.find("namespaced");
      resources[Str(item, "kind")] =
          Resource{name, namespaced != item.end() && namespaced->is_boolean() && namespaced->get<bool>()};
    }
    return resources;
  }

  // The kind's resource: from what was discovered before, or discovered again when the
  // group/version or the kind is not known yet (a CRD established since).
  absl::StatusOr<Resource> Lookup(const std::string& api_version, const std::string& kind) {
    {
      MutexLock lock(mu_);
      auto gv = discovered_.find(api_version);
      if (gv != discovered_.end()) {
        auto it = gv->second.find(kind);
        if (it != gv->second.end()) return it->second;
      }
    }
    ASSIGN_OR_RETURN(Resources resources, Discover(api_version));
    MutexLock lock(mu_);
    Resources& known = discovered_[api_version];
    known = std::move(resources);
    auto it = known.find(kind);
    if (it == known.end()) {
      return absl::NotFoundError(absl::StrCat("the server does not serve kind ", kind, " of apiVersion ", api_version));
    }
    return it->second;
  }

  absl::StatusOr<std::string> CollectionPath(const std::string& verb, const std::string& api_version,
                                             const std::string& kind, const std::string& ns) {
    auto resource = Lookup(api_version, kind);
    if (!resource.ok()) return Prefixed(resource.status(), verb, kind, ns);
    if (resource->namespaced && !ns.empty()) {
      return absl::StrCat(GroupVersionPath(api_version), "/namespaces/", ns, "/", resource->name);
    }
    return absl::StrCat(GroupVersionPath(api_version), "/", resource->name);
  }

  // The object's path; a namespaced kind without a namespace is taken to the context's (or
  // `default`, as kubectl does), and `body`, when given, gets that namespace too.
  absl::StatusOr<std::string> ObjectPath(const std::string& verb, const ObjectRef& ref, Json* body) {
    auto resource = Lookup(ref.api_version, ref.kind);
    if (!resource.ok()) return Prefixed(resource.status(), verb, ref.kind, Where(ref.ns, ref.name));
    if (ref.name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(verb, " ", ref.kind, " \"", ref.ns, "/\": the object has no name"));
    }
    std::string base = GroupVersionPath(ref.api_version);
    if (!resource->namespaced) return absl::StrCat(base, "/", resource->name, "/", ref.name);
    std::string ns = ref.ns.empty() ? default_ns_ : ref.ns;
    if (body != nullptr && ref.ns.empty()) (*body)["metadata"]["namespace"] = ns;
    return absl::StrCat(base, "/namespaces/", ns, "/", resource->name, "/", ref.name);
  }

  absl::StatusOr<Json> Call(const std::string& verb, const ObjectRef& ref, const std::string& method,
                            const std::string& target, const std::string& content_type, const std::string& body) {
    std::string where = Where(ref.ns, ref.name);
    auto response = http_->Do(method, target, content_type, body);
    if (!response.ok()) return Prefixed(response.status(), verb, ref.kind, where);
    if (response->status < 200 || response->status > 299) {
      return ErrorFrom(response->status, response->body, verb, ref.kind, where);
    }
    return ParseObject(response->body, verb, ref.kind, where);
  }

  const std::string server_;
  const std::string default_ns_;
  std::unique_ptr<HttpTransport> http_;
  Mutex mu_;
  std::map<std::string, Resources> discovered_ ABSL_GUARDED_BY(mu_);  // by apiVersion
};

}  // namespace

ObjectRef RefOf(const Json& object) {
  ObjectRef ref;
  if (!object.is_object()) return ref;
  ref.api_version = Str(object, "apiVersion");
  ref.kind = Str(object, "kind");
  auto metadata = object.find("metadata");
  if (metadata != object.end() && metadata->is_object()) {
    ref.ns = Str(*metadata, "namespace");
    ref.name = Str(*metadata, "name");
  }
  return ref;
}

absl::StatusOr<std::unique_ptr<Client>> Client::Create(const ClusterConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> http, HttpTransport::Create(config));
  return std::unique_ptr<Client>(new CurlClient(config, std::move(http)));
}

}  // namespace skein::kube
