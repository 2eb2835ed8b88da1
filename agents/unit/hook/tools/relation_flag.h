#pragma once

// The `-r`/`--relation` selector the relation tools share (Juju's relationIdValue).
//
// Accepts `N` or `anything:N`: only the integer after the last `:` counts (ops sends
// `endpoint:N`, older ops and hookcmds a bare `N`). The default is the hook's own relation.
// Errors (usage errors, exit 2), as the flag parser prints them:
//   invalid value "x" for option -r: invalid relation id
//   invalid value "db:9" for option -r: relation not found
// ops maps any stderr containing `relation not found` to RelationNotFoundError, so that text is
// kept exactly whatever the context's own NotFound message says.

#include <cstdint>
#include <memory>
#include <string>

#include "agents/unit/hook/hook_context.h"
#include "agents/unit/hook/tools/gnuflag_parser.h"

namespace skein::agent::tools {

class RelationIdValue : public FlagValue {
 public:
  explicit RelationIdValue(HookContext& ctx);

  absl::Status Set(const std::string& text) override;
  std::string String() const override { return text_; }

  // -1 when neither `-r` nor a hook relation gave one.
  int64_t id() const { return id_; }

  // Registers `-r` and `--relation` on `flags`.
  static std::shared_ptr<RelationIdValue> AddFlag(FlagSet& flags, HookContext& ctx,
                                                  const std::string& usage = "Specify a relation by id");

 private:
  HookContext& ctx_;
  int64_t id_ = -1;
  std::string text_;
};

// Go's strconv.Atoi over a whole string (optional sign, decimal digits, int64 range).
bool ParseGoInt(const std::string& text, int64_t* out);

// `endpoint:id`, the relation's name as hooks see it (JUJU_RELATION_ID, relation-ids).
std::string FakeId(const HookRelation& relation);

}  // namespace skein::agent::tools
