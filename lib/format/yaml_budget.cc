#include "lib/format/yaml_budget.h"

#include <istream>
#include <new>
#include <streambuf>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "lib/format/allocation_budget.h"
#include "lib/format/utf8.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"

namespace skein::format {
namespace {

constexpr char kAliasHint[] = "; an alias (*name) repeats the whole node it names, so aliases of aliases multiply";

// An istream over the caller's text without copying it.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// Thrown by the counter to stop the parser; caught in Parse.
struct BudgetStop {
  absl::Status status;
};

// Counts nodes and scalar bytes as they would be with every alias expanded, and the nesting
// depth, from the parser's events. An anchored node's expanded size is known when it ends;
// an alias adds that size. Linear in the text, whatever the aliases.
class ExpansionCounter : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(const YamlBudget& budget) : budget_(budget) {}

  void OnDocumentStart(const YAML::Mark&) override { anchors_.clear(); }
  void OnDocumentEnd() override {
    if (!key_error_.ok()) throw BudgetStop{key_error_};
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Child(mark, false);
    Leaf(anchor, 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    // yaml-cpp passes bytes through (and decodes escapes such as "\ud800" to surrogates);
    // every reader turns scalars into JSON strings, which must be UTF-8.
    if (!IsValidUtf8(value)) {
      throw BudgetStop{absl::InvalidArgumentError(absl::StrCat("yaml: line ", mark.line + 1, ", column ",
                                                               mark.column + 1, ": invalid UTF-8 in a scalar"))};
    }
    Child(mark, false);
    Leaf(anchor, value.size());
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    // yaml-cpp registers an anchor when its node starts, so `&a [*a]` is an alias to a node
    // still open: a cycle that any walk would follow forever.
    if (it == anchors_.end()) {
      throw BudgetStop{absl::InvalidArgumentError(
          absl::StrCat("YAML alias at line ", mark.line + 1, " refers to a node that contains it"))};
    }
    Child(mark, it->second.collection);
    Add(it->second.nodes, it->second.bytes);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Child(mark, true);
    Open(anchor, false);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Child(mark, true);
    Open(anchor, true);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Size {
    size_t nodes = 0;
    size_t bytes = 0;
    bool collection = false;  // a sequence or mapping (for aliases used as keys)
  };
  struct OpenNode {
    YAML::anchor_t anchor;
    Size before;
    bool is_map = false;
    size_t children = 0;  // in a mapping, even positions are keys
  };

  // Every reader turns a mapping into a JSON object, whose keys are text: a sequence or mapping
  // as a key (`? [a, b]: c`) has no such form, and converting it would throw.
  void Child(const YAML::Mark& mark, bool collection) {
    if (open_.empty() || !open_.back().is_map) return;
    if (open_.back().children++ % 2 == 0 && collection && key_error_.ok()) {
      // Reported when the document ends, so that a limit or a syntax error later in the text,
      // which yaml-cpp may reach through what it first took for a key, is the one reported.
      key_error_ = absl::InvalidArgumentError(absl::StrCat("yaml: line ", mark.line + 1, ", column ", mark.column + 1,
                                                           ": a mapping key must be a scalar"));
    }
  }
  absl::Status key_error_;

  void Add(size_t nodes, size_t bytes) {
    total_.nodes += nodes;
    total_.bytes += bytes;
    if (total_.nodes > budget_.max_nodes) {
      throw BudgetStop{absl::InvalidArgumentError(
          absl::StrCat("YAML expands to more than ", budget_.max_nodes, " nodes (limit)", kAliasHint))};
    }
    if (total_.bytes > budget_.max_expanded_bytes) {
      throw BudgetStop{absl::InvalidArgumentError(absl::StrCat("YAML expands to more than ",
                                                               limits::HumanBytes(budget_.max_expanded_bytes),
                                                               " of text (limit)", kAliasHint))};
    }
  }
  void Leaf(YAML::anchor_t anchor, size_t bytes) {
    Add(1, bytes);
    if (anchor != YAML::NullAnchor) anchors_[anchor] = Size{1, bytes, false};
  }
  void Open(YAML::anchor_t anchor, bool is_map) {
    open_.push_back(OpenNode{anchor, total_, is_map, 0});
    Add(1, 0);
    if (open_.size() > budget_.max_depth) throw BudgetStop{DepthError(budget_.max_depth)};
  }
  void Close() {
    OpenNode node = open_.back();
    open_.pop_back();
    if (node.anchor != YAML::NullAnchor) {
      anchors_[node.anchor] = Size{total_.nodes - node.before.nodes, total_.bytes - node.before.bytes, true};
    }
  }

 public:
  static absl::Status DepthError(size_t depth) {
    return absl::InvalidArgumentError(absl::StrCat("YAML nests deeper than ", depth, " levels (limit)"));
  }

 private:
  const YamlBudget& budget_;
  Size total_;
  std::vector<OpenNode> open_;
  std::unordered_map<YAML::anchor_t, Size> anchors_;
};

absl::Status MemoryError(const YamlBudget& budget) {
  return absl::InvalidArgumentError(absl::StrCat(
      "YAML needs more than ", limits::HumanBytes(budget.max_parse_memory),
      " of memory to parse (limit); a flow collection ([...] or {...}) costs the most per item: "
      "write long lists and maps in block style"));
}

// Runs `parse` under the memory budget and turns yaml-cpp's and the counter's exceptions into
// statuses.
template <typename Fn>
absl::Status Guarded(const YamlBudget& budget, YamlSyntaxError* syntax, Fn parse) {
  ScopedAllocationBudget memory(budget.max_parse_memory);
  try {
    parse();
    return absl::OkStatus();
  } catch (const BudgetStop& stop) {
    return stop.status;
  } catch (const YAML::DeepRecursion&) {
    return ExpansionCounter::DepthError(budget.max_depth);
  } catch (const YAML::Exception& e) {
    if (syntax != nullptr) *syntax = YamlSyntaxError{e.mark.line, e.mark.column, e.msg};
    return absl::InvalidArgumentError(
        absl::StrCat("yaml: line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  } catch (const std::bad_alloc&) {
    if (memory.exceeded()) return MemoryError(budget);
    throw;
  }
}

}  // namespace

absl::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(std::string_view text, const YamlBudget& budget,
                                                          YamlSyntaxError* syntax) {
  if (absl::Status s = limits::CheckSize(budget.max_text, "YAML", text.size()); !s.ok()) return s;
  // First the events only: nothing is built, so a bomb costs no more than its text.
  absl::Status counted = Guarded(budget, syntax, [&] {
    ViewBuf buf(text);
    std::istream in(&buf);
    YAML::Parser parser(in);
    ExpansionCounter counter(budget);
    while (parser.HandleNextDocument(counter)) {
    }
  });
  if (!counted.ok()) return counted;
  std::vector<YAML::Node> documents;
  absl::Status loaded = Guarded(budget, syntax, [&] {
    ViewBuf buf(text);
    std::istream in(&buf);
    documents = YAML::LoadAll(in);
  });
  if (!loaded.ok()) return loaded;
  return documents;
}

absl::StatusOr<YAML::Node> LoadYaml(std::string_view text, const YamlBudget& budget, YamlSyntaxError* syntax) {
  absl::StatusOr<std::vector<YAML::Node>> documents = LoadYamlDocuments(text, budget, syntax);
  if (!documents.ok()) return documents.status();
  if (documents->empty()) return YAML::Node(YAML::NodeType::Null);
  return std::move(documents->front());
}

}  // namespace skein::format
