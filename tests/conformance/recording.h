#pragma once

// Reading the recorder charm's log and comparing it with an expected hook sequence.
//
// A recorder line is `<unit> <hook|action:NAME> JUJU_REMOTE_UNIT=.. JUJU_REMOTE_APP=..
// JUJU_RELATION_ID=.. JUJU_DEPARTING_UNIT=.. leader=.. members=..` (tests/testdata/charms/recorder).
// Expectations are written compactly: `<hook>[ remote=<unit>][ departing=<unit>]`; a field left
// out must be empty, `*` accepts any value. Consecutive expectations starting with `~` form a
// group whose order is free (juju-semantics states no order between them).

#include <map>
#include <string>
#include <vector>

namespace skein::conformance {

struct Record {
  std::string unit;
  std::string hook;
  std::map<std::string, std::string> fields;  // JUJU_REMOTE_UNIT, ..., leader, members
  std::string raw;

  std::string Get(const std::string& key) const;
  // `<hook>[ remote=..][ departing=..]`, the form expectations are written in.
  std::string Compact() const;
};

// Parses one log line; an unparsable line becomes a Record whose hook is `<unparsable: line>`.
Record ParseRecord(const std::string& line);

// All records of `unit` in the log file, in order.
std::vector<Record> RecordsOf(const std::string& log_path, const std::string& unit);

// Checks the environment a record shows against juju-semantics §2.4 (relation variables set
// exactly for relation hooks, JUJU_RELATION_ID prefixed by the hook's endpoint, JUJU_REMOTE_APP
// naming the remote unit's application, JUJU_DEPARTING_UNIT only for -departed) and §1.4
// (leader-elected only on the leader, leader-settings-changed only on non-leaders).
// Returns the problems found, empty when none.
std::vector<std::string> EnvironmentProblems(const Record& record);

// Compares records with expectations; returns "" on a match, else a readable report.
std::string CompareSequence(const std::vector<Record>& actual, const std::vector<std::string>& expected);

}  // namespace skein::conformance
