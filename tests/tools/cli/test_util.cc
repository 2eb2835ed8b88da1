#include "tests/tools/cli/test_util.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/base/credential.h"
#include "tests/test_tls.h"
#include "tools/cli/client/client_store.h"
#include "tools/cli/commands/cli.h"

namespace skein::cli::testing {
namespace fs = std::filesystem;

TempDir::TempDir() {
  char tmpl[] = "/tmp/skein-cli-test-XXXXXX";
  path_ = ::mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

CliRun RunSkein(const std::string& data_dir, const std::vector<std::string>& args, const RunOptions& options) {
  std::ostringstream out, err;
  std::istringstream in(options.stdin_text);
  commands::Environment env;
  env.out = &out;
  env.err = &err;
  env.in = &in;
  env.data_dir = data_dir;
  env.bin_dir = options.bin_dir;
  env.stdin_tty = options.stdin_tty;
  env.stdout_tty = options.stdout_tty;
  env.no_color = true;
  env.ready_timeout = options.ready_timeout;
  env.kill_grace = std::chrono::milliseconds(5000);
  env.clock = options.clock;
  if (!options.systemd_dir.empty()) env.systemd_dir = options.systemd_dir;
  env.program = options.program;
  CliRun run;
  run.code = commands::RunCli(args, env);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::string TestAdminSecret() { return "test-admin-secret-0123456789"; }
std::string TestAdminHash() { return HashCredential(TestAdminSecret()); }

void RegisterController(const std::string& data_dir, const std::string& address, const std::string& current_model) {
  client::ClientConfig config;
  config.current_controller = "local";
  config.controllers["local"] = client::ControllerEntry{address, "c0ffee00-0000-4000-8000-000000000000",
                                                       TestAdminSecret(), current_model,
                                                       skein::testing::TestCaPem()};
  ASSERT_TRUE(client::SaveClientConfig(data_dir, config).ok());
}

void WriteFile(const std::string& path, const std::string& text, unsigned mode) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::trunc | std::ios::binary);
  f << text;
  f.close();
  ::chmod(path.c_str(), mode);
}

}  // namespace skein::cli::testing

namespace skein::cli::testing {
namespace {

void SetStatus(skein::v1::StatusInfo* s, const std::string& current, const std::string& message) {
  s->set_current(current);
  s->set_message(message);
  s->set_since("2026-11-23T20:05:00Z");
}

skein::v1::UnitStatus* AddUnit(skein::v1::ApplicationStatus* app, const std::string& name) {
  auto* u = app->add_units();
  u->set_name(name);
  u->set_machine("0");
  u->set_public_address("127.0.0.1");
  u->set_address("127.0.0.1");
  return u;
}

void AddEndpoint(skein::v1::ApplicationStatus* app, const std::string& endpoint, const std::string& related,
                 const std::string& interface) {
  auto* r = app->add_relations();
  r->set_endpoint(endpoint);
  r->set_related_application(related);
  r->set_interface(interface);
  r->set_scope("global");
}

}  // namespace

skein::v1::ModelStatus SampleStatus() {
  skein::v1::ModelStatus s;
  auto* m = s.mutable_model();
  m->set_name("dev");
  m->set_uuid("0b9c0c7e-0000-4000-8000-000000000002");
  m->set_type("iaas");
  m->set_cloud("local");
  m->set_region("localhost");
  m->set_controller("local");
  m->set_agent_version("3.6.11");
  SetStatus(m->mutable_status(), "available", "");

  auto* machine = s.add_machines();
  machine->set_id("0");
  SetStatus(machine->mutable_agent_status(), "started", "");
  SetStatus(machine->mutable_machine_status(), "running", "Running");
  machine->set_hostname("host1");
  machine->set_address("127.0.0.1");
  machine->set_base_name("ubuntu");
  machine->set_base_channel("22.04");
  machine->set_instance_id("local-0");

  // Listed out of order on purpose: output is sorted naturally.
  auto* wp = s.add_applications();
  wp->set_name("wordpress");
  wp->set_charm_name("wordpress");
  wp->set_charm_url("local:wordpress-2");
  wp->set_charm_origin("local");
  wp->set_charm_rev(2);
  wp->set_base_name("ubuntu");
  wp->set_base_channel("22.04");
  wp->set_workload_version("6.4.1");
  SetStatus(wp->mutable_status(), "error", "hook failed: \"db-relation-joined\"");
  AddEndpoint(wp, "db", "mysql", "mysql");
  auto* wp0 = AddUnit(wp, "wordpress/0");
  wp0->set_leader(true);
  SetStatus(wp0->mutable_workload_status(), "error", "hook failed: \"db-relation-joined\"");
  SetStatus(wp0->mutable_agent_status(), "error", "hook failed: \"db-relation-joined\"");

  auto* mysql = s.add_applications();
  mysql->set_name("mysql");
  mysql->set_charm_name("mysql");
  mysql->set_charm_url("local:mysql-0");
  mysql->set_charm_origin("local");
  mysql->set_charm_rev(0);
  mysql->set_base_name("ubuntu");
  mysql->set_base_channel("22.04");
  SetStatus(mysql->mutable_status(), "maintenance", "installing");
  AddEndpoint(mysql, "db", "wordpress", "mysql");
  AddEndpoint(mysql, "cluster", "mysql", "mysql-ha");
  auto* mysql1 = AddUnit(mysql, "mysql/1");
  SetStatus(mysql1->mutable_workload_status(), "maintenance", "installing");
  SetStatus(mysql1->mutable_agent_status(), "executing", "running install hook");
  auto* mysql0 = AddUnit(mysql, "mysql/0");
  mysql0->set_leader(true);
  mysql0->add_open_ports("3306/tcp");
  SetStatus(mysql0->mutable_workload_status(), "active", "ready");
  SetStatus(mysql0->mutable_agent_status(), "idle", "");

  auto* regular = s.add_relations();
  regular->set_id(1);
  regular->set_key("wordpress:db mysql:db");
  regular->set_interface("mysql");
  regular->set_type("regular");
  regular->set_provider("mysql:db");
  regular->set_requirer("wordpress:db");
  SetStatus(regular->mutable_status(), "joined", "");
  auto* peer = s.add_relations();
  peer->set_id(0);
  peer->set_key("mysql:cluster");
  peer->set_interface("mysql-ha");
  peer->set_type("peer");
  peer->set_provider("mysql:cluster");
  peer->set_requirer("mysql:cluster");
  SetStatus(peer->mutable_status(), "joined", "");

  s.set_controller_timestamp("2026-11-23T20:10:00Z");
  return s;
}

}  // namespace skein::cli::testing
