// ssh and scp on the local substrate (juju-cli-client-contract §3.27, §3.32). Every machine of a
// local controller is this host, so there is nothing to connect to: `ssh` runs the command here,
// in the unit's directory (or the machine's), and `scp` copies files here. A root CLI runs and
// copies as the unit's own uid when privilege separation gave it one (the owner of its directory
// is the record of that uid, agents/machine/unit_agents.h); a CLI that is not root does both as
// its caller, who then owns the unit directories anyway.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/file_write.h"
#include "lib/base/names.h"
#include "lib/base/paths.h"
#include "lib/process/subprocess.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {
namespace {

namespace fs = std::filesystem;
using skein::v1::Controller;

// Where a target lives on this host, and whom to act as there.
struct Place {
  std::string dir;
  std::optional<process::SpawnOptions::Identity> identity;
};

bool IsMachineId(const std::string& target) {
  return !target.empty() && std::all_of(target.begin(), target.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// The unit's (app/N) or machine's (N) directory on this host.
absl::StatusOr<Place> Locate(Environment& env, Session& session, const std::string& target) {
  Place place;
  if (IsMachineId(target)) {
    place.dir = absl::StrCat(env.data_dir, "/machine-", target);
    std::error_code ec;
    if (!fs::is_directory(place.dir, ec)) return absl::NotFoundError(absl::StrCat("machine ", target, " not found"));
    return place;
  }
  auto unit_name = ParseUnitName(target);
  if (!unit_name.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid target \"", target, "\": expected a unit (app/0) or a machine number (0)"));
  }
  skein::v1::ShowUnitRequest show;
  show.set_model(session.model());
  show.set_unit(target);
  auto unit = session.connection->Call(&Controller::StubInterface::ShowUnit, show);
  if (!unit.ok()) return unit.status();
  auto models = session.connection->Call(&Controller::StubInterface::ListModels, skein::v1::ListModelsRequest());
  if (!models.ok()) return models.status();
  std::string uuid;
  for (const auto& m : models->models()) {
    if (m.name() == session.model()) uuid = m.uuid();
  }
  if (uuid.empty()) return absl::NotFoundError(absl::StrCat("model \"", session.model(), "\" not found"));
  const std::string machine = unit->machine().empty() ? "0" : unit->machine();
  place.dir = UnitAgentDir(absl::StrCat(env.data_dir, "/machine-", machine, "/agents"), uuid, *unit_name);
  struct stat st {};
  if (::stat(place.dir.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("unit ", target, " has no directory on this host yet (", place.dir, "): its agent has not started"));
  }
  // A separated unit owns its directory; root acts as that uid there.
  if (::geteuid() == 0 && st.st_uid != 0) place.identity = process::SpawnOptions::Identity{st.st_uid, st.st_gid};
  return place;
}

// Which OpenSSH/scp options take a value (`-i KEY`, `-o X=Y`): their values are skipped with them.
bool TakesValue(const std::string& option, const std::string& with_values) {
  return option.size() == 2 && with_values.find(option[1]) != std::string::npos;
}

constexpr char kSshValueOptions[] = "BbcDEeFIiJLlmOopQRSWw";
constexpr char kScpValueOptions[] = "cDFiJloPS";

class SshCommand : public Command {
 public:
  CommandInfo Info() const override {
    CommandInfo info{
        "ssh",
        "[<user>@]<target> [openssh options] <command> [<arg> ...]",
        "Run a command on a unit or machine.",
        "On the local substrate every machine is this host, so nothing connects anywhere: the\n"
        "command runs here with bash, in the unit's directory (for a unit, app/N) or the\n"
        "machine's directory (for a machine number), as the unit's own user when the controller\n"
        "separates units by uid and skein runs as root, else as you. stdin is passed through,\n"
        "stdout and stderr come back, and the exit code is the command's. Arguments after the\n"
        "target are joined with spaces, as ssh does, and read by the shell. OpenSSH options\n"
        "between the target and the command (-i KEY, -o X=Y, -t, ...) are accepted and ignored\n"
        "with a warning, as are the user, --container and --no-host-key-checks. Interactive\n"
        "shells are not supported: a command is required.\n",
        "    skein ssh mysql/0 cat charm/metadata.yaml\n    skein ssh 0 ls\n    echo hi | skein ssh mysql/0 cat\n",
        {},
        {"scp", "exec"}};
    info.flags_end_at_first_positional = true;
    return info;
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--container", &container_, "the container of a Kubernetes unit (ignored: local units have none)");
    f.Bool("--no-host-key-checks", &no_host_key_checks_, "Skip host key checking (nothing to check locally)");
    f.Ignored("--pty", true, "Enable pseudo-tty allocation");
    f.Ignored("--proxy", false, "Proxy through the API server");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no target name specified");
    target_ = args[0];
    if (size_t at = target_.find('@'); at != std::string::npos) {
      user_ = target_.substr(0, at);
      target_ = target_.substr(at + 1);
    }
    size_t i = 1;
    for (; i < args.size() && absl::StartsWith(args[i], "-"); ++i) {
      ignored_options_.push_back(args[i]);
      if (TakesValue(args[i], kSshValueOptions) && i + 1 < args.size()) ignored_options_.push_back(args[++i]);
    }
    command_.assign(args.begin() + i, args.end());
    if (command_.empty()) {
      return UsageError(absl::StrCat("no command given: interactive shells are not supported on the local substrate "
                                     "(try: skein ssh ", args[0], " <command>)"));
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    if (!ignored_options_.empty()) {
      *env.err << "WARNING ssh options ignored on the local substrate: " << absl::StrJoin(ignored_options_, " ")
               << "\n";
    }
    if (!user_.empty()) *env.err << "WARNING user \"" << user_ << "\" ignored on the local substrate\n";
    if (!container_.empty()) *env.err << "WARNING --container ignored: local units have no containers\n";
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto place = Locate(env, *session, target_);
    if (!place.ok()) return place.status();

    process::SpawnOptions spawn;
    // Joined as ssh joins them: the remote shell reads the words again.
    spawn.argv = {"/bin/bash", "-c", absl::StrJoin(command_, " ")};
    spawn.cwd = place->dir;
    spawn.inherit_stdin = true;
    spawn.run_as = place->identity;
    if (place->identity) {
      // The unit's user gets a HOME it may use, as its agent does.
      std::map<std::string, std::string> environment;
      for (char** e = environ; *e != nullptr; ++e) {
        std::string kv = *e;
        size_t eq = kv.find('=');
        if (eq != std::string::npos) environment[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      environment["HOME"] = place->dir;
      spawn.env = std::move(environment);
    }
    process::RunOptions options;
    // A daemon the command leaves behind must not keep ssh from returning.
    options.drain_after_exit = std::chrono::milliseconds(200);
    auto run = process::Run(spawn, options);
    if (!run.ok()) return run.status();
    *env.out << run->stdout_text;
    *env.err << run->stderr_text;
    env.out->flush();
    if (run->exit_code != 0) return WithExitCode(SilentError(), run->exit_code);
    return absl::OkStatus();
  }

 private:
  std::string model_, container_, user_, target_;
  bool no_host_key_checks_ = false;
  std::vector<std::string> ignored_options_;
  std::vector<std::string> command_;
};

// One end of a copy: a local path, or `target:path` on a unit or machine.
struct End {
  std::string target;  // empty = local
  std::string path;
};

End ParseEnd(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) return {"", text};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

class ScpCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"scp",
            "-- [scp options] <source> [<source> ...] <destination>",
            "Securely transfer files within a model.",
            "On the local substrate every machine is this host, so the files are copied here. An\n"
            "end with a `:` is remote: `app/0:path` or `0:path` (a machine). A relative remote\n"
            "path is under the unit's (or machine's) directory; an absolute one is that path on\n"
            "this host. What is copied to a unit belongs to the unit's own user when units are\n"
            "separated by uid (and skein runs as root). `-r` copies directories; `-p` keeps\n"
            "modes and times; other scp options are accepted and ignored with a warning.\n",
            "    skein scp -- ./backup.sql mysql/0:backup.sql\n"
            "    skein scp -- -r mysql/0:charm/templates ./templates\n"
            "    skein scp mysql/0:/var/log/syslog 0:/tmp/syslog\n",
            {},
            {"ssh"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--container", &container_, "the container of a Kubernetes unit (ignored: local units have none)");
    f.Bool("--no-host-key-checks", &no_host_key_checks_, "Skip host key checking (nothing to check locally)");
    f.Ignored("--proxy", false, "Proxy through the API server");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    std::vector<std::string> paths;
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.size() > 1 && a[0] == '-') {
        // Bundled flags (`-rp`) count letter by letter.
        bool takes_value = TakesValue(a, kScpValueOptions);
        for (char c : a.substr(1)) {
          if (c == 'r') recursive_ = true;
          else if (c == 'p') preserve_ = true;
        }
        if (a.find_first_not_of("-rp") != std::string::npos) ignored_options_.push_back(a);
        if (takes_value && i + 1 < args.size()) ignored_options_.push_back(args[++i]);
        continue;
      }
      paths.push_back(a);
    }
    if (paths.size() < 2) return UsageError("at least two arguments required: a source and a destination");
    destination_ = paths.back();
    paths.pop_back();
    sources_ = std::move(paths);
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    if (!ignored_options_.empty()) {
      *env.err << "WARNING scp options ignored on the local substrate: " << absl::StrJoin(ignored_options_, " ")
               << "\n";
    }
    if (!container_.empty()) *env.err << "WARNING --container ignored: local units have no containers\n";
    std::optional<Session> session;
    auto resolve = [&](const std::string& text) -> absl::StatusOr<std::pair<fs::path, std::optional<Place>>> {
      End end = ParseEnd(text);
      if (end.target.empty()) return std::pair<fs::path, std::optional<Place>>{fs::path(end.path), std::nullopt};
      if (!session) {
        auto connected = Connect(env, model_);
        if (!connected.ok()) return connected.status();
        session = std::move(*connected);
      }
      auto place = Locate(env, *session, end.target);
      if (!place.ok()) return place.status();
      fs::path path = end.path.empty() ? fs::path(place->dir) : fs::path(end.path);
      if (path.is_relative()) path = fs::path(place->dir) / path;
      return std::pair<fs::path, std::optional<Place>>{path, *place};
    };
    auto to = resolve(destination_);
    if (!to.ok()) return to.status();
    std::error_code ec;
    const bool into_dir = fs::is_directory(to->first, ec);
    if (sources_.size() > 1 && !into_dir) {
      return absl::InvalidArgumentError(absl::StrCat(destination_, ": not a directory"));
    }
    for (const std::string& source : sources_) {
      auto from = resolve(source);
      if (!from.ok()) return from.status();
      const fs::path& src = from->first;
      if (!fs::exists(fs::symlink_status(src, ec))) {
        return absl::NotFoundError(absl::StrCat(source, ": No such file or directory"));
      }
      const bool is_dir = fs::is_directory(src, ec);
      if (is_dir && !recursive_) return absl::InvalidArgumentError(absl::StrCat(source, ": not a regular file (use -r)"));
      fs::path dst = into_dir ? to->first / src.filename() : to->first;
      fs::copy_options how = fs::copy_options::overwrite_existing;
      if (is_dir) how |= fs::copy_options::recursive;
      if (is_dir) fs::create_directories(dst, ec);
      fs::copy(src, dst, how, ec);
      if (ec) return absl::InternalError(absl::StrCat("cannot copy ", source, " to ", destination_, ": ", ec.message()));
      if (preserve_) Preserve(src, dst);
      // Copied into a separated unit: the unit's user owns it, as if it had written it.
      if (to->second && to->second->identity) {
        const auto& identity = *to->second->identity;
        if (absl::Status s = GiveTree(dst.string(), FileOwner{identity.uid, identity.gid}); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

 private:
  // -p: modes and modification times as the source has them.
  static void Preserve(const fs::path& src, const fs::path& dst) {
    std::error_code ec;
    fs::permissions(dst, fs::status(src, ec).permissions(), ec);
    fs::last_write_time(dst, fs::last_write_time(src, ec), ec);
  }

  std::string model_, container_;
  bool no_host_key_checks_ = false;
  bool recursive_ = false, preserve_ = false;
  std::vector<std::string> ignored_options_;
  std::vector<std::string> sources_;
  std::string destination_;
};

}  // namespace

std::unique_ptr<Command> NewSshCommand() { return std::make_unique<SshCommand>(); }
std::unique_ptr<Command> NewScpCommand() { return std::make_unique<ScpCommand>(); }

}  // namespace skein::cli::commands
