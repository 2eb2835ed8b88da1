// destroy-model, show-model, model-constraints, set-model-constraints (issue 15), on the
// controller's ModelManager service.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/constraints.h"
#include "lib/base/duration.h"
#include "skein/v1/controller.grpc.pb.h"
#include "skein/v1/models.grpc.pb.h"
#include "tools/cli/bootstrap/local_machines.h"
#include "tools/cli/client/status_wait.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/models_output.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::ModelManager;

// A ModelManager call on the session's connection.
template <typename Req, typename Resp>
absl::StatusOr<Resp> CallModelManager(Session& session,
                                      grpc::Status (ModelManager::StubInterface::*method)(grpc::ClientContext*,
                                                                                           const Req&, Resp*),
                                      const Req& request) {
  std::unique_ptr<ModelManager::StubInterface> stub = ModelManager::NewStub(session.connection->channel());
  return session.connection->Call(*stub, method, request);
}

// How long destroy-model --force lets the units' agents run their dying hooks before it removes
// the units left without them (Juju's --force also first tries the normal way).
constexpr std::chrono::seconds kForceHookGrace{30};
// With no --timeout, how long destroy-model waits for the model to go.
constexpr std::chrono::minutes kDefaultDestroyTimeout{30};
// How long one wait on the model's status stream lasts before the model is looked up again.
constexpr std::chrono::seconds kDestroyRecheck{2};

class DestroyModelCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"destroy-model",
            "[<controller name>:]<model name>",
            "Terminate all machines/containers and resources for a non-controller model.",
            "Marks the model and everything in it dying: every unit runs its dying hooks\n"
            "(relation-departed and -broken, stop, remove), then the model and all it holds are\n"
            "gone and its name is free again. The command waits for that, unless --no-wait.\n\n"
            "It never asks for confirmation (--no-prompt is accepted for Juju's sake). With --force,\n"
            "units whose agents do not answer are removed at once, and the units still there after\n"
            "30s of waiting are removed without their hooks. --timeout bounds the wait.\n"
            "The controller model cannot be destroyed. A model with storage needs --destroy-storage\n"
            "(its directories go with its units) or --release-storage (they stay on disk).\n",
            "    skein destroy-model --no-prompt test\n    skein destroy-model local:admin/test --force --timeout 60s\n",
            {},
            {"add-model", "models", "show-model"}};
  }
  void SetFlags(FlagSet& f) override {
    f.Bool("-y,--no-prompt", &no_prompt_, "Do not ask for confirmation");
    f.Bool("--force", &force_, "Remove units whose agents do not answer, and in the end every unit left");
    f.Bool("--no-wait", &no_wait_, "Return once the model is dying, without waiting for it to go");
    f.String("--timeout", &timeout_text_, "How long to wait for the model to go (e.g. 30s, 0.5m)");
    f.Bool("--destroy-storage", &destroy_storage_, "Destroy all storage instances in the model");
    f.Bool("--release-storage", &release_storage_, "Release all storage instances from the model, leaving their directories");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no model specified");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    if (destroy_storage_ && release_storage_) {
      return UsageError("--destroy-storage and --release-storage cannot both be specified");
    }
    model_ = args[0];
    timeout_ = kDefaultDestroyTimeout;
    if (!timeout_text_.empty()) {
      auto d = ParseDuration(timeout_text_);
      if (!d.ok()) return UsageError(absl::StrCat("invalid value \"", timeout_text_, "\" for option --timeout: ", d.status().message()));
      if (d->count() <= 0) return UsageError(absl::StrCat("invalid value \"", timeout_text_, "\" for option --timeout: not positive"));
      timeout_ = std::chrono::duration_cast<Clock::Duration>(*d);
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    const std::string model = session->model();
    Clock& clock = *env.clock;
    const Clock::TimePoint start = clock.Now();
    if (auto s = NoteAddedMachines(*session); !s.ok() && !absl::IsNotFound(s)) return s;
    skein::v1::DestroyModelRequest req;
    req.set_model(model);
    req.set_force(force_);
    req.set_remove_now(force_ && no_wait_);
    req.set_destroy_storage(destroy_storage_);
    req.set_release_storage(release_storage_);
    auto resp = CallModelManager(*session, &ModelManager::StubInterface::DestroyModel, req);
    if (!resp.ok()) return resp.status();
    *env.err << "Destroying model\n";
    if (auto s = ForgetCurrentModel(env, *session); !s.ok()) return s;
    if (no_wait_ || resp->removed()) return Done(env, resp->removed());

    bool forced_now = false;
    std::string last_progress;
    while (true) {
      skein::v1::ShowModelRequest show;
      show.set_model(model);
      auto details = CallModelManager(*session, &ModelManager::StubInterface::ShowModel, show);
      if (!details.ok() && details.status().code() == absl::StatusCode::kNotFound) return Done(env, true);
      if (!details.ok()) return details.status();
      std::string progress = absl::StrCat("Waiting for model to be removed, ", details->summary().unit_count(),
                                          " unit(s), ", details->application_count(), " application(s)...");
      if (progress != last_progress) *env.err << progress << "\n";
      last_progress = progress;
      const Clock::Duration elapsed = clock.Now() - start;
      if (elapsed >= timeout_) {
        return absl::DeadlineExceededError(absl::StrCat("timed out waiting for model \"", model, "\" to be destroyed after ",
                                                        FormatSeconds(timeout_), "; ", progress));
      }
      if (force_ && !forced_now && elapsed >= kForceHookGrace) {
        // The hooks had their time: whatever is left goes without them.
        *env.err << "Removing the units left without their hooks (--force)\n";
        req.set_remove_now(true);
        auto again = CallModelManager(*session, &ModelManager::StubInterface::DestroyModel, req);
        if (!again.ok() && again.status().code() != absl::StatusCode::kNotFound) return again.status();
        forced_now = true;
        continue;
      }
      Clock::Duration slice = std::min<Clock::Duration>({kDestroyRecheck, timeout_ - elapsed});
      if (force_ && !forced_now) slice = std::min<Clock::Duration>(slice, kForceHookGrace - elapsed);
      // Wakes on every change of the model and ends when the model goes (its stream ends).
      (void)client::WaitForStatus(*session->connection, clock, model, slice,
                                  [](const skein::v1::ModelStatus&) { return client::StatusCheck::kNotYet; });
    }
  }

 private:
  static std::string FormatSeconds(Clock::Duration d) {
    return absl::StrCat(std::chrono::duration<double>(d).count(), "s");
  }

  // Juju unsets the client's current model when it is the one destroyed.
  absl::Status ForgetCurrentModel(Environment& env, Session& session) {
    client::ControllerEntry& entry = session.config.controllers[session.target.controller_name];
    if (entry.current_model != session.model()) return absl::OkStatus();
    entry.current_model.clear();
    if (auto s = client::SaveClientConfig(env.data_dir, session.config); !s.ok()) return s;
    *env.err << "Model \"" << session.model() << "\" was the current model; there is no current model now "
             << "(skein switch <model> to choose one)\n";
    return absl::OkStatus();
  }

  // Once the model is gone, so are the machines added to it (domain/core DeleteModelIfEmpty):
  // their agents on this host are stopped and their dirs removed.
  absl::Status Done(Environment& env, bool removed) {
    if (!removed) return absl::OkStatus();
    bootstrap::BootstrapOptions local = LocalDaemonOptions(env);
    for (const std::string& id : added_machines_) {
      if (absl::Status s = bootstrap::StopLocalMachine(local, id); !s.ok()) return s;
    }
    *env.err << "Model destroyed.\n";
    return absl::OkStatus();
  }

  // The machines of the model that add-machine added (every one but machine 0, the host's).
  absl::Status NoteAddedMachines(Session& session) {
    skein::v1::GetStatusRequest req;
    req.set_model(session.model());
    auto status = session.connection->Call(&skein::v1::Controller::StubInterface::GetStatus, req);
    if (!status.ok()) return status.status();
    for (const auto& m : status->machines()) {
      if (m.id() != "0") added_machines_.push_back(m.id());
    }
    return absl::OkStatus();
  }

  bool no_prompt_ = false;
  bool force_ = false;
  bool no_wait_ = false;
  bool destroy_storage_ = false;
  bool release_storage_ = false;
  std::string timeout_text_;
  Clock::Duration timeout_{};
  std::string model_;
  std::vector<std::string> added_machines_;
};

class ShowModelCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"show-model",
            "[<model name>]",
            "Shows information about the current or specified model.",
            "The model may be given as model, user/model, controller:model or\n"
            "controller:user/model; without one, the current model is shown.\n",
            "    skein show-model\n    skein show-model test --format json\n",
            {},
            {"models", "add-model", "destroy-model"}};
  }
  void SetFlags(FlagSet& f) override {
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    if (!args.empty()) model_ = args[0];
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::ShowModelRequest req;
    req.set_model(session->model());
    auto details = CallModelManager(*session, &ModelManager::StubInterface::ShowModel, req);
    if (!details.ok()) return details.status();
    output::ModelsContext ctx{session->target.controller_name, session->target.controller.uuid,
                              session->target.controller.current_model, false};
    return WriteData(env, output_, output::ShowModelJson(*details, ctx), format_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"yaml", "json"};
  std::string format_ = "yaml";
  std::string output_;
  std::string model_;
};

// `model-constraints --format json`: each set key with its typed value, `{}` when none.
nlohmann::json ConstraintsJson(const Constraints& constraints) {
  nlohmann::json out = nlohmann::json::object();
  for (const ConstraintField& f : ConstraintFields(constraints)) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, double>) {
            // Whole MiB print as integers, as Juju's (mem=1G reads back 1024).
            if (std::optional<uint64_t> whole = WholeMib(v)) {
              out[f.key] = *whole;
            } else {
              out[f.key] = v;
            }
          } else {
            out[f.key] = v;
          }
        },
        f.value);
  }
  return out;
}

class ModelConstraintsCommand : public ModelQueryCommand {
 public:
  ModelConstraintsCommand() : ModelQueryCommand({"constraints", "json", "yaml"}) {}
  CommandInfo Info() const override {
    return {"model-constraints",
            "",
            "Displays machine constraints for a model.",
            "Shows the constraints set on the model (set-model-constraints). The default format\n"
            "is Juju's `key=value ...` text; json and yaml give typed values, mem and root-disk\n"
            "in MiB, and `{}` when none are set.\n",
            "    skein model-constraints\n    skein model-constraints -m test --format json\n",
            {"get-model-constraints"},
            {"set-model-constraints", "models"}};
  }

 protected:
  absl::Status Query(Environment& env, Session& session) override {
    skein::v1::GetModelConstraintsRequest req;
    req.set_model(session.model());
    auto resp = CallModelManager(session, &ModelManager::StubInterface::GetModelConstraints, req);
    if (!resp.ok()) return resp.status();
    auto constraints = ParseConstraints(resp->constraints());
    if (!constraints.ok()) return constraints.status();
    if (format() == "constraints") {
      std::string text = FormatConstraints(*constraints);
      return PrintText(env, text.empty() ? "" : text + "\n");
    }
    return PrintData(env, ConstraintsJson(*constraints));
  }
};

class SetModelConstraintsCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"set-model-constraints",
            "<constraint>=<value> ...",
            "Sets machine constraints on a model.",
            "Replaces the model's constraints with the given ones (a key given empty, `mem=`, is\n"
            "unset). Keys: " +
                absl::StrJoin(ConstraintKeys(), ", ") +
                ".\nmem and root-disk take M, G, T or P suffixes (M when none).\n",
            "    skein set-model-constraints cores=8 mem=16G\n    skein set-model-constraints -m test arch=arm64\n",
            {},
            {"model-constraints"}};
  }
  void SetFlags(FlagSet& f) override { AddModelFlag(f, &model_); }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no constraints specified (e.g. mem=4G cores=2)");
    text_ = absl::StrJoin(args, " ");
    if (auto parsed = ParseConstraints(text_); !parsed.ok()) return UsageError(std::string(parsed.status().message()));
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::SetModelConstraintsRequest req;
    req.set_model(session->model());
    req.set_constraints(text_);
    return CallModelManager(*session, &ModelManager::StubInterface::SetModelConstraints, req).status();
  }

 private:
  std::string model_;
  std::string text_;
};

}  // namespace

std::unique_ptr<Command> NewDestroyModelCommand() { return std::make_unique<DestroyModelCommand>(); }
std::unique_ptr<Command> NewShowModelCommand() { return std::make_unique<ShowModelCommand>(); }
std::unique_ptr<Command> NewModelConstraintsCommand() { return std::make_unique<ModelConstraintsCommand>(); }
std::unique_ptr<Command> NewSetModelConstraintsCommand() { return std::make_unique<SetModelConstraintsCommand>(); }

}  // namespace skein::cli::commands
