#include "tests/conformance/recording.h"

#include <algorithm>
#include <sstream>

#include "tests/e2e/harness.h"

namespace skein::conformance {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
std::string AppOf(const std::string& unit) { return unit.substr(0, unit.find('/')); }

// The endpoint of a relation hook (`peers-relation-joined` -> `peers`), "" for other hooks.
std::string EndpointOf(const std::string& hook) {
  auto at = hook.find("-relation-");
  return at == std::string::npos ? "" : hook.substr(0, at);
}

// Expectation fields: `hook`, then key=value tokens.
std::map<std::string, std::string> ParseExpectation(const std::string& text, std::string* hook) {
  std::istringstream in(text);
  in >> *hook;
  std::map<std::string, std::string> fields;
  std::string token;
  while (in >> token) {
    auto eq = token.find('=');
    fields[token.substr(0, eq)] = eq == std::string::npos ? "" : token.substr(eq + 1);
  }
  return fields;
}

bool Matches(const Record& r, const std::string& expectation) {
  std::string hook;
  auto want = ParseExpectation(expectation, &hook);
  if (r.hook != hook) return false;
  const std::pair<const char*, const char*> keys[] = {{"remote", "JUJU_REMOTE_UNIT"},
                                                      {"departing", "JUJU_DEPARTING_UNIT"}};
  for (const auto& [short_key, env_key] : keys) {
    auto it = want.find(short_key);
    std::string expected = it == want.end() ? "" : it->second;
    if (expected != "*" && r.Get(env_key) != expected) return false;
  }
  return true;
}

}  // namespace

std::string Record::Get(const std::string& key) const {
  auto it = fields.find(key);
  return it == fields.end() ? "" : it->second;
}

std::string Record::Compact() const {
  std::string out = hook;
  if (!Get("JUJU_REMOTE_UNIT").empty()) out += " remote=" + Get("JUJU_REMOTE_UNIT");
  if (!Get("JUJU_DEPARTING_UNIT").empty()) out += " departing=" + Get("JUJU_DEPARTING_UNIT");
  return out;
}

Record ParseRecord(const std::string& line) {
  Record r;
  r.raw = line;
  std::istringstream in(line);
  if (!(in >> r.unit >> r.hook)) {
    r.hook = "<unparsable: " + line + ">";
    return r;
  }
  std::string token;
  while (in >> token) {
    auto eq = token.find('=');
    if (eq == std::string::npos) {
      r.hook = "<unparsable: " + line + ">";
      return r;
    }
    r.fields[token.substr(0, eq)] = token.substr(eq + 1);
  }
  return r;
}

std::vector<Record> RecordsOf(const std::string& log_path, const std::string& unit) {
  std::vector<Record> out;
  for (const std::string& line : e2e::ReadLines(log_path)) {
    if (StartsWith(line, unit + " ")) out.push_back(ParseRecord(line));
  }
  return out;
}

std::vector<std::string> EnvironmentProblems(const Record& r) {
  std::vector<std::string> problems;
  const std::string endpoint = EndpointOf(r.hook);
  const std::string remote_unit = r.Get("JUJU_REMOTE_UNIT");
  const std::string remote_app = r.Get("JUJU_REMOTE_APP");
  const std::string relation_id = r.Get("JUJU_RELATION_ID");
  const std::string departing = r.Get("JUJU_DEPARTING_UNIT");
  if (endpoint.empty()) {
    if (!remote_unit.empty() || !remote_app.empty() || !relation_id.empty() || !departing.empty()) {
      problems.push_back("relation variables set outside a relation hook");
    }
  } else {
    if (!StartsWith(relation_id, endpoint + ":")) problems.push_back("JUJU_RELATION_ID not `" + endpoint + ":<id>`");
    if (remote_app.empty()) problems.push_back("JUJU_REMOTE_APP empty in a relation hook");
    if (!remote_unit.empty() && AppOf(remote_unit) != remote_app) {
      problems.push_back("JUJU_REMOTE_APP is not the remote unit's application");
    }
    if (endpoint == "peers" && remote_app != AppOf(r.unit)) {
      problems.push_back("JUJU_REMOTE_APP of a peer relation is not the unit's own application");
    }
    const bool unit_hook = EndsWith(r.hook, "-joined") || EndsWith(r.hook, "-departed");
    if (unit_hook && remote_unit.empty()) problems.push_back("JUJU_REMOTE_UNIT empty in -joined/-departed");
    if ((EndsWith(r.hook, "-created") || EndsWith(r.hook, "-broken")) && !remote_unit.empty()) {
      problems.push_back("JUJU_REMOTE_UNIT set in -created/-broken");
    }
    if (EndsWith(r.hook, "-departed") != !departing.empty()) {
      problems.push_back("JUJU_DEPARTING_UNIT set exactly for -departed hooks");
    }
  }
  if (r.hook == "leader-elected" && r.Get("leader") != "true") problems.push_back("leader-elected on a non-leader");
  if (r.hook == "leader-settings-changed" && r.Get("leader") != "false") {
    problems.push_back("leader-settings-changed on the leader");
  }
  for (std::string& p : problems) p = r.raw + ": " + p;
  return problems;
}

std::string CompareSequence(const std::vector<Record>& actual, const std::vector<std::string>& expected) {
  bool ok = true;
  size_t a = 0;
  for (size_t e = 0; e < expected.size() && ok;) {
    // One ordered expectation, or a `~` group matched in any order.
    size_t end = e + 1;
    if (StartsWith(expected[e], "~")) {
      while (end < expected.size() && StartsWith(expected[end], "~")) ++end;
    }
    std::vector<std::string> group;
    for (size_t i = e; i < end; ++i) group.push_back(StartsWith(expected[i], "~") ? expected[i].substr(1) : expected[i]);
    for (size_t n = 0; n < group.size(); ++n, ++a) {
      if (a >= actual.size()) {
        ok = false;
        break;
      }
      auto hit = std::find_if(group.begin() + n, group.end(), [&](const std::string& g) { return Matches(actual[a], g); });
      if (hit == group.end()) {
        ok = false;
        break;
      }
      std::iter_swap(group.begin() + n, hit);
    }
    e = end;
  }
  if (ok && a == actual.size()) return "";
  std::ostringstream report;
  report << "recorded sequence differs from the expected one\n  expected:\n";
  for (const auto& e : expected) report << "    " << e << "\n";
  report << "  recorded:\n";
  for (const auto& r : actual) report << "    " << r.Compact() << "\n";
  return report.str();
}

}  // namespace skein::conformance
