// The authorisation matrix per unit, over TLS: for every Agent RPC (read from the service's
// descriptor, so that an RPC added later fails here until someone writes its row), what it
// answers when a real request names a target of each kind below. api_matrix_test.cc holds the
// rows that must be refused whatever is asked (no credential, removed units, wrong service).
//
// The model: `provider` (kv-provider, peers) related to `requirer` (kv-requirer), and `unrelated`
// (a kv-provider under another name, with its own peer relation), two units each, all placed on
// machine 0; machine 1 exists but hosts nothing. provider/0 is the leader of provider.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "controller/domain/core/sql.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "lib/base/credential.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using grpc::StatusCode;

// What the request names, relative to the caller. The caller is provider/0 (the leader) unless
// the kind says otherwise; for the machine RPCs it is machine 0, which hosts every unit.
enum class Target {
  kOwnUnit,           // provider/0's own unit, relation, charm, task
  kSameAppUnit,       // provider/1's
  kRelatedAppUnit,    // requirer/0's
  kUnrelatedAppUnit,  // unrelated/0's
  kNonLeaderAppData,  // provider's application-level data, asked by provider/1 (not the leader)
  kOtherMachine,      // provider/0's data or machine 0, asked by machine 1's agent
};
constexpr Target kTargets[] = {Target::kOwnUnit,           Target::kSameAppUnit,       Target::kRelatedAppUnit,
                               Target::kUnrelatedAppUnit, Target::kNonLeaderAppData, Target::kOtherMachine};

const char* Describe(Target t) {
  switch (t) {
    case Target::kOwnUnit: return "own unit";
    case Target::kSameAppUnit: return "other unit of the same application";
    case Target::kRelatedAppUnit: return "unit of a related application";
    case Target::kUnrelatedAppUnit: return "unit of an unrelated application";
    case Target::kNonLeaderAppData: return "non-leader on the application's data";
    case Target::kOtherMachine: return "machine agent of another machine";
  }
  return "?";
}

// The answer a row expects for one target kind, or why no request can name that kind.
struct Answer {
  StatusCode code = StatusCode::OK;
  std::string not_applicable;  // non-empty: the reason no request can name this target
};
Answer Ok() { return {StatusCode::OK, ""}; }
Answer Denied() { return {StatusCode::PERMISSION_DENIED, ""}; }
Answer Is(StatusCode code) { return {code, ""}; }
Answer NotApplicable(std::string why) { return {StatusCode::OK, std::move(why)}; }

// One RPC's row. An RPC whose request names nothing (`acts_on_caller`) acts on the caller's own
// unit: no request can name another unit, which the coverage test checks on the descriptor.
struct Row {
  std::function<grpc::Status(Target)> call;
  std::map<Target, Answer> answers;
  bool acts_on_caller = false;
  // What the target's owner does first, outside the refused call's check (may be empty).
  std::function<void(Target)> prepare;
};

// Field names by which a request can name something other than the caller.
bool NamesATarget(const google::protobuf::Descriptor* message, std::string* field, int depth = 0) {
  static const char* const kNaming[] = {"unit", "units", "machine_id", "relation_id", "owner",
                                        "task_id", "entity", "url", "model", "model_uuid"};
  for (int i = 0; depth < 4 && i < message->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = message->field(i);
    for (const char* name : kNaming) {
      if (f->name() == name) {
        *field = message->name() + "." + f->name();
        return true;
      }
    }
    if (f->message_type() != nullptr && NamesATarget(f->message_type(), field, depth + 1)) return true;
  }
  return false;
}

std::vector<std::string> AgentMethods() {
  const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("skein.v1.Agent");
  std::vector<std::string> names;
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) names.push_back(service->method(i)->name());
  return names;
}

// A test charm with one action, `ping`, so that every unit can have a task queued; `rename`
// deploys the same charm under another name (its own charm URL).
v1::CharmArchive MatrixCharm(const std::string& dir, const std::string& rename = "") {
  v1::CharmArchive charm = testing::TestCharm(dir);
  for (v1::CharmFile& f : *charm.mutable_files()) {
    if (f.path() == "metadata.yaml" && !rename.empty()) {
      f.set_content(absl::StrReplaceAll(f.content(), {{"name: " + dir, "name: " + rename}}));
    }
  }
  v1::CharmFile* actions = charm.add_files();
  actions->set_path("actions.yaml");
  actions->set_mode(0644);
  actions->set_content("ping:\n  description: Answers at once.\n");
  return charm;
}

class AgentRpcMatrixTest : public testing::ApiTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // What the request names for one target kind: whose unit, which relation, charm and task.
  struct Named {
    std::string unit;
    rpc::Identity agent;  // that unit's own credential
    int64_t relation = -1;
    std::string charm_url;
    std::string task_id;
  };

  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("provider", MatrixCharm("kv-provider"), 2).ok());
    ASSERT_TRUE(Deploy("requirer", MatrixCharm("kv-requirer"), 2).ok());
    ASSERT_TRUE(Deploy("unrelated", MatrixCharm("kv-provider", "kv-unrelated"), 2).ok());
    ASSERT_TRUE(Integrate("provider", "requirer").ok());
    ASSERT_TRUE(server_->db()
                    ->Write("test-second-machine",
                            [](domain::Tx& tx) -> absl::Status {
                              domain::sql::Exec(tx.db(),
                                                "INSERT INTO machines(id, hostname, address, credential_hash) "
                                                "VALUES ('1', 'matrix-1', '127.0.0.2', ?)",
                                                HashCredential(kMachine1Secret));
                              return absl::OkStatus();
                            })
                    .ok());
    named_[Target::kOwnUnit] = Name("provider/0", "kv", "provider");
    named_[Target::kSameAppUnit] = Name("provider/1", "replicas", "provider");
    named_[Target::kRelatedAppUnit] = Name("requirer/0", "kv", "requirer");
    named_[Target::kUnrelatedAppUnit] = Name("unrelated/0", "replicas", "unrelated");
    named_[Target::kNonLeaderAppData] = named_[Target::kSameAppUnit];
    named_[Target::kNonLeaderAppData].relation = named_[Target::kOwnUnit].relation;
    named_[Target::kOtherMachine] = named_[Target::kOwnUnit];
  }

  // Gives `unit` a credential, finds its relation on `endpoint`, its charm, and queues a task.
  Named Name(const std::string& unit, const std::string& endpoint, const std::string& app) {
    Named n;
    n.unit = unit;
    n.agent = UnitIdentity(unit);
    v1::ShowUnitRequest show;
    show.set_model("test");
    show.set_unit(unit);
    v1::UnitInfo info;
    EXPECT_TRUE(Call(controller_.get(), &v1::Controller::Stub::ShowUnit, Admin(), show, &info).ok()) << unit;
    for (const v1::RelationInfo& r : info.relation_info()) {
      if (r.endpoint() == endpoint) n.relation = r.relation_id();
    }
    EXPECT_GE(n.relation, 0) << unit << " has no relation on " << endpoint;
    EXPECT_TRUE(server_->db()
                    ->Read([&](domain::Tx& tx) -> absl::Status {
                      SQLite::Statement q = domain::sql::Prepare(
                          tx.db(),
                          "SELECT c.url FROM charms c JOIN applications a ON a.charm_id = c.id WHERE a.name = ?", app);
                      if (q.executeStep()) n.charm_url = q.getColumn(0).getString();
                      return absl::OkStatus();
                    })
                    .ok());
    v1::RunActionRequest run;
    run.set_model("test");
    run.add_units(unit);
    run.set_action("ping");
    v1::RunActionResponse queued;
    grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::RunAction, Admin(), run, &queued);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (queued.tasks_size() == 1) n.task_id = queued.tasks(0).id();
    return n;
  }

  const Named& Of(Target t) { return named_.at(t); }

  // The caller of a unit RPC for each target kind.
  rpc::Identity UnitCaller(Target t) {
    if (t == Target::kNonLeaderAppData) return Of(Target::kSameAppUnit).agent;
    if (t == Target::kOtherMachine) return {"machine-1", kMachine1Secret};
    return Of(Target::kOwnUnit).agent;
  }
  // The caller of a machine RPC: machine 0, which hosts every unit, or machine 1.
  rpc::Identity MachineCaller(Target t) {
    return t == Target::kOtherMachine ? rpc::Identity{"machine-1", kMachine1Secret} : Machine();
  }

  template <typename Req, typename Resp>
  grpc::Status Unary(grpc::Status (v1::Agent::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                     const rpc::Identity& who, const Req& req) {
    Resp resp;
    return Call(agent_.get(), method, who, req, &resp);
  }

  // A server stream counts as served once its first message arrives.
  template <typename Msg>
  static grpc::Status FirstMessage(Stream<Msg> stream) {
    Msg first;
    if (!stream.reader->Read(&first)) return stream.reader->Finish();
    stream.ctx->TryCancel();
    (void)stream.reader->Finish();
    return grpc::Status::OK;
  }

  grpc::Status Commit(const rpc::Identity& who, int64_t relation, bool app_bag) {
    return ApiTest::Commit(who, ++commit_seq_[who.entity], relation, app_bag, {{"matrix", "written"}});
  }

  // The unit `who` applies one ConfigMap, `matrix/<name>`, in its application's set `<name>`.
  grpc::Status ApplyConfigMap(const rpc::Identity& who, const std::string& name) {
    v1::ApplyManifestsRequest req;
    req.set_set(name);
    v1::Manifest* m = req.add_manifests();
    m->set_namespace_("matrix");
    m->set_api_version("v1");
    m->set_kind("ConfigMap");
    m->set_name(name);
    m->set_content_json(absl::StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")", name, R"("}})"));
    return Unary(&v1::Agent::Stub::ApplyManifests, who, req);
  }

  // Every row of every table, as a line of text: a refused call must leave them as they were.
  std::set<std::string> DatabaseRows() {
    std::set<std::string> lines;
    absl::Status read = server_->db()->Read([&](domain::Tx& tx) -> absl::Status {
      std::vector<std::string> tables;
      SQLite::Statement names(tx.db(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
      while (names.executeStep()) tables.push_back(names.getColumn(0).getString());
      for (const std::string& table : tables) {
        SQLite::Statement rows(tx.db(), "SELECT * FROM \"" + table + "\"");
        while (rows.executeStep()) {
          std::string line = table + ":";
          for (int i = 0; i < rows.getColumnCount(); ++i) absl::StrAppend(&line, " ", rows.getColumn(i).getString());
          lines.insert(std::move(line));
        }
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read;
    return lines;
  }

  // The rows only `before` has (-) and only `after` has (+), one a line.
  static std::string Changes(const std::set<std::string>& before, const std::set<std::string>& after) {
    std::string out;
    for (const std::string& line : before) {
      if (!after.contains(line)) absl::StrAppend(&out, "\n- ", line);
    }
    for (const std::string& line : after) {
      if (!before.contains(line)) absl::StrAppend(&out, "\n+ ", line);
    }
    return out;
  }

  std::map<std::string, Row> Rows();

  static constexpr char kMachine1Secret[] = "machine-1-secret-for-tests";
  std::map<Target, Named> named_;
  std::map<std::string, int64_t> commit_seq_;
};

TEST_P(AgentRpcMatrixTest, AnswersEachKindOfTargetAsExpected) {
  const std::string rpc = GetParam();
  std::map<std::string, Row> rows = Rows();
  auto row = rows.find(rpc);
  if (row == rows.end()) {
    FAIL() << "Agent." << rpc
           << " has no row in the authorisation matrix (tests/controller/api_matrix_units_test.cc): write what it "
              "must answer for each kind of target";
  }
  if (row->second.acts_on_caller) {
    const auto* method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName("skein.v1.Agent." + rpc);
    ASSERT_NE(method, nullptr);
    std::string field;
    EXPECT_FALSE(NamesATarget(method->input_type(), &field))
        << "Agent." << rpc << "'s row says it acts on the caller only, but its request names a target (" << field
        << "): give it an answer per kind of target";
  }
  // The own target goes last: some RPCs (LeaveRelation) change what the caller is in.
  std::vector<Target> order(std::begin(kTargets) + 1, std::end(kTargets));
  order.push_back(Target::kOwnUnit);
  for (Target t : order) {
    auto answer = row->second.answers.find(t);
    if (answer == row->second.answers.end()) {
      ADD_FAILURE() << "Agent." << rpc << " has no expectation for the target kind \"" << Describe(t) << "\"";
      continue;
    }
    if (!answer->second.not_applicable.empty()) continue;
    if (row->second.prepare) row->second.prepare(t);
    const std::set<std::string> before = DatabaseRows();
    grpc::Status s = row->second.call(t);
    EXPECT_EQ(s.error_code(), answer->second.code)
        << "Agent." << rpc << ", " << Describe(t) << ": " << s.error_message();
    if (!s.ok()) {
      EXPECT_EQ(Changes(before, DatabaseRows()), "")
          << "Agent." << rpc << ", " << Describe(t) << ": refused (" << s.error_message()
          << ") but changed the database";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryAgentRpc, AgentRpcMatrixTest, ::testing::ValuesIn(AgentMethods()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// One row's answers, in the order of the Target kinds: own unit, same application, related
// application, unrelated application, non-leader on the application's data, another machine.
std::map<Target, Answer> Answers(Answer own, Answer same_app, Answer related, Answer unrelated, Answer non_leader,
                                 Answer other_machine) {
  return {{Target::kOwnUnit, own},           {Target::kSameAppUnit, same_app},
          {Target::kRelatedAppUnit, related}, {Target::kUnrelatedAppUnit, unrelated},
          {Target::kNonLeaderAppData, non_leader}, {Target::kOtherMachine, other_machine}};
}

std::map<std::string, Row> AgentRpcMatrixTest::Rows() {
  const Answer na_app = NotApplicable("the RPC has no application-level part");
  const Answer na_unit = NotApplicable("the request names a machine, not a unit");
  const Answer na_caller = NotApplicable("the request names no unit: the credential is the target");
  // An RPC whose request names nothing: its own answer, a non-leader's, and machine 1 refused
  // (a machine agent may not use a unit RPC, whatever it names).
  auto caller_only = [&](std::function<grpc::Status(Target)> call, Answer own, Answer non_leader) {
    return Row{std::move(call), Answers(own, na_caller, na_caller, na_caller, non_leader, Denied()), true};
  };
  // The same request from whoever calls for the target kind.
  auto sending = [this](auto method, auto req) {
    return [this, method, req](Target t) { return Unary(method, UnitCaller(t), req); };
  };
  const Answer not_found = Is(StatusCode::NOT_FOUND);
  const Answer in_use = Is(StatusCode::FAILED_PRECONDITION);
  const Answer retired = Is(StatusCode::UNIMPLEMENTED);
  std::map<std::string, Row> rows;

  rows["Login"] = caller_only(sending(&v1::Agent::Stub::Login, v1::LoginRequest()), Ok(), na_app);
  // (A machine logs in as itself: machine 1's login answers for machine 1, so it is served.)
  rows["Login"].answers[Target::kOtherMachine] = Ok();

  rows["WatchMachine"] = {[this](Target t) {
                            v1::WatchMachineRequest req;
                            req.set_machine_id("0");
                            return FirstMessage(
                                OpenStream(agent_.get(), &v1::Agent::Stub::WatchMachine, MachineCaller(t), req));
                          },
                          Answers(Ok(), na_unit, na_unit, na_unit, na_app, Denied())};

  // Machine 0 hosts every unit, so it may set any of their credentials (re-set to the same
  // secret here, so that the units' identities stay valid); machine 1 none.
  rows["SetUnitCredential"] = {[this](Target t) {
                                 v1::SetUnitCredentialRequest req;
                                 req.set_unit(Of(t).unit);
                                 req.set_credential(Of(t).agent.credential);
                                 return Unary(&v1::Agent::Stub::SetUnitCredential, MachineCaller(t), req);
                               },
                               Answers(Ok(), Ok(), Ok(), Ok(), na_app, Denied())};

  rows["WatchUnit"] = {[this](Target t) { return FirstMessage(WatchUnit(UnitCaller(t), Of(t).unit)); },
                       Answers(Ok(), Denied(), Denied(), Denied(), na_app, Denied())};

  // Retired (GetCharmContent replaced it): UNIMPLEMENTED to every authenticated caller.
  rows["GetCharm"] = {[this](Target t) {
                        v1::GetCharmRequest req;
                        req.set_url(Of(t).charm_url);
                        return Unary(&v1::Agent::Stub::GetCharm, UnitCaller(t), req);
                      },
                      Answers(retired, retired, retired, retired, na_app, retired)};

  // A unit downloads its application's charm only.
  rows["GetCharmContent"] = {[this](Target t) {
                               std::string zip;
                               return Download(UnitCaller(t), Of(t).charm_url, &zip);
                             },
                             Answers(Ok(), Ok(), Denied(), Denied(), na_app, Denied())};

  // The bag rules (juju-semantics §4): any unit bag of a relation the caller's application is
  // in (its sibling's through the peer relation, the related unit's through theirs); its own
  // application's bag of a regular relation only as leader; nothing of a relation it is not in.
  rows["ReadRelationSettings"] = {[this](Target t) {
                                    v1::RelationSettings out;
                                    const bool app_bag = t == Target::kNonLeaderAppData;
                                    return Read(UnitCaller(t), Of(t).relation, app_bag ? "provider" : Of(t).unit,
                                                app_bag, &out);
                                  },
                                  Answers(Ok(), Ok(), Ok(), Denied(), Denied(), Denied())};

  // A request that names the target's relation only.
  auto naming_relation = [this](auto method, auto req) {
    return [this, method, req](Target t) mutable {
      req.set_relation_id(Of(t).relation);
      return Unary(method, UnitCaller(t), req);
    };
  };
  rows["GetRelationMembers"] = {
      naming_relation(&v1::Agent::Stub::GetRelationMembers, v1::GetRelationMembersRequest()),
      Answers(Ok(), Ok(), Ok(), Denied(), na_app, Denied())};

  // A commit writes the caller's own unit bag (the request cannot name another) in the relation
  // of the target, or its application's bag, which takes leadership.
  rows["CommitHook"] = {[this](Target t) {
                          return Commit(UnitCaller(t), Of(t).relation, t == Target::kNonLeaderAppData);
                        },
                        Answers(Ok(), Ok(), Ok(), Denied(), Denied(), Denied())};

  // A unit leaves its own scope only: of a relation its application is not in it has none.
  rows["LeaveRelation"] = {naming_relation(&v1::Agent::Stub::LeaveRelation, v1::LeaveRelationRequest()),
                           Answers(Ok(), Ok(), Ok(), Denied(), na_app, Denied())};

  // Log lines carry their entity, which must be the caller (machine 1 may not write machine 0's).
  rows["PushLogs"] = {[this](Target t) {
                        v1::PushLogsRequest req;
                        v1::LogEntry* e = req.add_entries();
                        e->set_entity(t == Target::kOtherMachine ? "machine-0" : Of(t).agent.entity);
                        e->set_level("INFO");
                        e->set_message("matrix");
                        return Unary(&v1::Agent::Stub::PushLogs, UnitCaller(t), req);
                      },
                      Answers(Ok(), Denied(), Denied(), Denied(), na_app, Denied())};

  // Another unit's task is NOT_FOUND to the caller (agent.proto), as if it did not exist.
  auto task_row = [&](std::function<grpc::Status(const rpc::Identity&, const std::string&)> call) {
    return Row{[this, call](Target t) { return call(UnitCaller(t), Of(t).task_id); },
               Answers(Ok(), not_found, not_found, not_found, na_app, Denied())};
  };
  rows["StartAction"] = task_row([this](const rpc::Identity& who, const std::string& task) {
    v1::StartActionRequest req;
    req.set_task_id(task);
    return Unary(&v1::Agent::Stub::StartAction, who, req);
  });
  rows["ActionLog"] = task_row([this](const rpc::Identity& who, const std::string& task) {
    v1::ActionLogRequest req;
    req.set_task_id(task);
    req.set_message("matrix");
    return Unary(&v1::Agent::Stub::ActionLog, who, req);
  });
  rows["FinishAction"] = task_row([this](const rpc::Identity& who, const std::string& task) {
    v1::FinishActionRequest req;
    req.set_task_id(task);
    req.set_results_json("{}");
    return Unary(&v1::Agent::Stub::FinishAction, who, req);
  });

  // The objects belong to the application: the target's unit applies a ConfigMap first (one per
  // target kind), then the caller applies the same object. Another application's object is
  // refused; any unit of the owner may re-apply it (a Kubernetes charm's units share one
  // service account).
  auto config_map = [](Target t) { return absl::StrCat("shared-", static_cast<int>(t)); };
  rows["ApplyManifests"] = {
      [this, config_map](Target t) { return ApplyConfigMap(UnitCaller(t), config_map(t)); },
      Answers(Ok(), Ok(), in_use, in_use, Ok(), Denied()), false, [this, config_map](Target t) {
        if (t == Target::kOtherMachine) return;
        grpc::Status first = ApplyConfigMap(Of(t).agent, config_map(t));
        EXPECT_TRUE(first.ok()) << Of(t).unit << ": " << first.error_message();
      }};

  // The RPCs whose request names nothing but, for some, the application's level.
  rows["SetStatus"] = caller_only(
      [this](Target t) {
        v1::SetStatusRequest req;
        if (t == Target::kNonLeaderAppData) req.set_target(v1::SetStatusRequest::APPLICATION);
        req.mutable_status()->set_current("active");
        return Unary(&v1::Agent::Stub::SetStatus, UnitCaller(t), req);
      },
      Ok(), Denied());
  rows["GetStatus"] = caller_only(
      [this](Target t) {
        v1::GetAgentStatusRequest req;
        req.set_application(t == Target::kNonLeaderAppData);
        return Unary(&v1::Agent::Stub::GetStatus, UnitCaller(t), req);
      },
      Ok(), Denied());
  v1::SetWorkloadVersionRequest version;
  version.set_version("1.2.3");
  rows["SetWorkloadVersion"] = caller_only(sending(&v1::Agent::Stub::SetWorkloadVersion, version), Ok(), na_app);
  // Only a dying unit may declare itself dead; provider/0 is alive.
  rows["MarkUnitDead"] =
      caller_only(sending(&v1::Agent::Stub::MarkUnitDead, v1::MarkUnitDeadRequest()), in_use, na_app);
  rows["ClearResolved"] =
      caller_only(sending(&v1::Agent::Stub::ClearResolved, v1::ClearResolvedRequest()), Ok(), na_app);
  // An agent acknowledges a snapshot of its own stream: the version names no one else.
  v1::AckSnapshotRequest ack;
  ack.set_version(1);
  rows["AckSnapshot"] = caller_only(sending(&v1::Agent::Stub::AckSnapshot, ack), Ok(), na_app);
  // A non-leader asks too: it learns it is not the leader (held = false), as Juju answers.
  rows["ClaimLeadership"] =
      caller_only(sending(&v1::Agent::Stub::ClaimLeadership, v1::ClaimLeadershipRequest()), Ok(), Ok());
  // A unit of a machine model has no ServiceAccount: the call is open to every unit and answers
  // that its model is not on a Kubernetes cloud.
  rows["GetServiceAccountToken"] = caller_only(
      sending(&v1::Agent::Stub::GetServiceAccountToken, v1::GetServiceAccountTokenRequest()), in_use, in_use);
  rows["GetUnitState"] = caller_only(sending(&v1::Agent::Stub::GetUnitState, v1::GetUnitStateRequest()), Ok(), na_app);
  // leader-get is open to every unit of the application; leader-set to the leader only.
  rows["GetLeaderSettings"] =
      caller_only(sending(&v1::Agent::Stub::GetLeaderSettings, v1::GetLeaderSettingsRequest()), Ok(), Ok());
  v1::SetLeaderSettingsRequest leader_set;
  (*leader_set.mutable_set())["matrix"] = "written";
  rows["SetLeaderSettings"] = caller_only(sending(&v1::Agent::Stub::SetLeaderSettings, leader_set), Ok(), Denied());
  return rows;
}

}  // namespace
}  // namespace skein::controller
