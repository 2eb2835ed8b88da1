#include "controller/domain/action/param_schema.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"

namespace skein::controller::domain::action {
namespace {

absl::Status Fail(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("validation failed: ", path, " : ", what));
}

bool HasType(const nlohmann::json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer() || v.is_number_unsigned() ||
                                (v.is_number_float() && v.get<double>() == static_cast<double>(v.get<int64_t>()));
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return true;  // an unknown type name constrains nothing
}

absl::Status CheckObject(const std::string& path, const nlohmann::json& properties,
                         const std::vector<std::string>& required, bool additional, nlohmann::json& value);

// Checks one value against one schema, inserting defaults into nested objects.
absl::Status CheckValue(const std::string& path, const nlohmann::json& schema, nlohmann::json& value) {
  if (!schema.is_object()) return absl::OkStatus();
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_string()) types.push_back(schema["type"]);
    if (schema["type"].is_array()) {
      for (const auto& t : schema["type"]) {
        if (t.is_string()) types.push_back(t);
      }
    }
    bool ok = types.empty();
    for (const auto& t : types) ok = ok || HasType(value, t);
    if (!ok) {
      std::string want = types.size() == 1 ? types[0] : nlohmann::json(types).dump();
      return Fail(path, absl::StrCat("must be of type ", want, ", given ", value.dump()));
    }
  }
  if (schema.contains("enum") && schema["enum"].is_array()) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == value;
    if (!found) return Fail(path, absl::StrCat("must be one of the following: ", schema["enum"].dump()));
  }
  if (value.is_number()) {
    if (schema.contains("minimum") && schema["minimum"].is_number() && value.get<double>() < schema["minimum"].get<double>()) {
      return Fail(path, absl::StrCat("must be greater than or equal to ", schema["minimum"].dump()));
    }
    if (schema.contains("maximum") && schema["maximum"].is_number() && value.get<double>() > schema["maximum"].get<double>()) {
      return Fail(path, absl::StrCat("must be less than or equal to ", schema["maximum"].dump()));
    }
  }
  if (value.is_string()) {
    size_t len = value.get<std::string>().size();
    if (schema.contains("minLength") && schema["minLength"].is_number() && len < schema["minLength"].get<size_t>()) {
      return Fail(path, absl::StrCat("string length must be greater than or equal to ", schema["minLength"].dump()));
    }
    if (schema.contains("maxLength") && schema["maxLength"].is_number() && len > schema["maxLength"].get<size_t>()) {
      return Fail(path, absl::StrCat("string length must be less than or equal to ", schema["maxLength"].dump()));
    }
  }
  if (value.is_array() && schema.contains("items") && schema["items"].is_object()) {
    for (size_t i = 0; i < value.size(); ++i) {
      RETURN_IF_ERROR(CheckValue(absl::StrCat(path, ".", i), schema["items"], value[i]));
    }
  }
  if (value.is_object() && (schema.contains("properties") || schema.contains("required") ||
                            schema.contains("additionalProperties"))) {
    std::vector<std::string> required;
    if (schema.contains("required") && schema["required"].is_array()) {
      for (const auto& r : schema["required"]) {
        if (r.is_string()) required.push_back(r);
      }
    }
    bool additional = !(schema.contains("additionalProperties") && schema["additionalProperties"].is_boolean() &&
                        !schema["additionalProperties"].get<bool>());
    RETURN_IF_ERROR(CheckObject(path, schema.value("properties", nlohmann::json::object()), required, additional, value));
  }
  return absl::OkStatus();
}

absl::Status CheckObject(const std::string& path, const nlohmann::json& properties,
                         const std::vector<std::string>& required, bool additional, nlohmann::json& value) {
  if (!properties.is_object()) return absl::OkStatus();
  // Defaults first: Juju inserts them before validating, so a default satisfies `required`.
  for (auto it = properties.begin(); it != properties.end(); ++it) {
    if (!value.contains(it.key()) && it.value().is_object() && it.value().contains("default")) {
      value[it.key()] = it.value()["default"];
    }
  }
  for (const auto& r : required) {
    if (!value.contains(r)) return Fail(path, absl::StrCat("\"", r, "\" property is missing and required"));
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (properties.contains(it.key())) {
      RETURN_IF_ERROR(CheckValue(absl::StrCat(path, ".", it.key()), properties[it.key()], it.value()));
    } else if (!additional) {
      return Fail(path, absl::StrCat("additional property \"", it.key(), "\" is not allowed, given ", value.dump()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<nlohmann::json> ValidateParams(const charm::ActionSpec& spec, const nlohmann::json& params) {
  nlohmann::json value = params.is_null() ? nlohmann::json::object() : params;
  if (!value.is_object()) return Fail("(root)", absl::StrCat("must be of type object, given ", value.dump()));
  RETURN_IF_ERROR(CheckObject("(root)", spec.params, spec.required, spec.additional_properties, value));
  return value;
}

}  // namespace skein::controller::domain::action
