// The pattern compiler: validates a pattern with event-ruler's rules and
// messages (JsonRuleCompiler, with RuleCompiler's fallback for legacy "$or"
// field names), expands "$or", checks wildcard complexity and builds the tries.
//
// Messages are event-ruler's (aws/event-ruler JsonRuleCompiler.java, CIDR.java,
// ComparableNumber.java, WildcardParser.java) unless marked "Tocsin's wording".
#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/pattern_internal.h"
#include "tocsin/rules/event_pattern.h"

namespace tocsin::rules::internal {
namespace {

constexpr std::string_view kOrKeyword = "$or";
constexpr char kOneKey[] = "Only one key allowed in match expression";
// event-ruler reports extra keys after numeric and anything-but with this text.
constexpr char kTooManyElements[] = "Too many elements in numeric expression";
constexpr char kTooComplex[] =
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character";

// Objects nested deeper than this are refused (stack safety of the recursive
// compiler; Tocsin's bound and wording, far beyond any real pattern).
constexpr int kMaxDepth = 64;

// event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP.
// clang-format off
constexpr std::array<std::string_view, 25> kReservedInOr = {
    "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard",
    "numeric", "cidr", "html",
    "=", "<", "<=", ">", ">=",
    "regex", "not-wildcard", "not-equals-ignore-case",
    "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
    "ip-address-in-range", "ip-address-not-in-range"};
// clang-format on

bool IsReservedInOr(std::string_view key) {
  return std::find(kReservedInOr.begin(), kReservedInOr.end(), key) != kReservedInOr.end();
}

Status Reason(std::string reason) { return InvalidArgument(std::move(reason)); }

// Numbers in numeric and anything-but operators must fit event-ruler's
// ComparableNumber, whose range is EventBridge's documented ±5.0e9.
Status CheckComparable(double d) {
  if (d < -5e9 || d > 5e9) return Reason("Value must be between -5.0E9 and 5.0E9, inclusive");
  return Status::Ok();
}

// What Jackson's getText() shows for a token, for messages that quote it.
// Numbers are rendered by nlohmann (301.8 where the pattern said 3.018e2).
template <typename Json>
std::string TokenText(const Json* v) {
  if (v == nullptr) return "]";
  if (v->is_string()) return v->template get<std::string>();
  if (v->is_object()) return "{";
  if (v->is_array()) return "[";
  return v->dump();
}

std::string JoinPath(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

// One alternative: full dotted field name → leaf index, in first-seen order.
using SubRule = std::vector<std::pair<std::string, uint32_t>>;

template <typename Json>
class Compiler {
 public:
  // With `or_aware` false, "$or" is an ordinary field name (event-ruler's
  // RuleCompiler, which EventBridge falls back to when JsonRuleCompiler fails).
  explicit Compiler(bool or_aware) : or_aware_(or_aware) {}

  Status Run(const Json& root) { return ParseObject(root, "", false, &rules_, 0); }

  // True when the failure must not fall back to the legacy compiler.
  bool fatal() const { return fatal_; }
  std::vector<SubRule>& rules() { return rules_; }
  std::vector<Leaf>& leaves() { return leaves_; }

 private:
  Status ParseObject(const Json& obj, const std::string& path, bool in_or,
                     std::vector<SubRule>* rules, int depth) {
    if (depth > kMaxDepth) {
      return Reason("Objects nested deeper than " + std::to_string(kMaxDepth) +
                    " levels are not allowed");  // Tocsin's wording.
    }
    if (obj.empty()) return Reason("Empty objects are not allowed");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& key = it.key();
      const Json& value = it.value();
      if (or_aware_ && key == kOrKeyword) {
        TOCSIN_RETURN_IF_ERROR(ParseOr(value, path, rules, depth));
        continue;
      }
      if (in_or && IsReservedInOr(key)) {
        return Reason(key + " is Ruler reserved fieldName which cannot be used inside $or.");
      }
      if (value.is_object()) {
        TOCSIN_RETURN_IF_ERROR(ParseObject(value, JoinPath(path, key), in_or, rules, depth + 1));
      } else if (value.is_array()) {
        TOCSIN_RETURN_IF_ERROR(WriteRules(JoinPath(path, key), value, rules));
      } else {
        return Reason("\"" + key + "\" must be an object or an array");
      }
    }
    return Status::Ok();
  }

  // Each branch extends a copy of the alternatives built so far; fields after
  // the "$or" then apply to all of them (JsonRuleCompiler.parseIntoOrRelationship).
  Status ParseOr(const Json& value, const std::string& path, std::vector<SubRule>* rules,
                 int depth) {
    if (!value.is_array()) return Reason("It must be an Array followed with $or.");
    const std::vector<SubRule> before = std::move(*rules);
    rules->clear();
    for (const Json& branch : value) {
      if (!branch.is_object()) {
        return Reason("Only JSON object is allowed in array of $or relationship.");
      }
      std::vector<SubRule> extended = before;
      if (extended.empty()) extended.emplace_back();
      TOCSIN_RETURN_IF_ERROR(ParseObject(branch, path, true, &extended, depth + 1));
      for (SubRule& r : extended) rules->push_back(std::move(r));
      if (rules->size() > EventPattern::kMaxAlternatives) {
        fatal_ = true;
        return Reason("$or expands to more than " + std::to_string(EventPattern::kMaxAlternatives) +
                      " alternatives");  // Tocsin's wording.
      }
    }
    if (value.size() < 2) return Reason("There must have at least 2 Objects in $or relationship.");
    return Status::Ok();
  }

  Status WriteRules(const std::string& name, const Json& values, std::vector<SubRule>* rules) {
    Leaf leaf;
    for (const Json& v : values) {
      if (v.is_object()) {
        TOCSIN_RETURN_IF_ERROR(ParseMatchExpression(v, &leaf));
      } else if (v.is_string()) {
        // An IP literal matches any spelling of the same address
        // (event-ruler's CIDR.ipToRangeIfPossible).
        const auto& s = v.template get_ref<const std::string&>();
        IpAddress ip;
        if (ParseIp(s, &ip) == IpParse::kOk) {
          leaf.exact_ips.push_back(ip);
        } else {
          leaf.exact.push_back(s);
        }
      } else if (v.is_number()) {
        leaf.numbers.push_back(NumberOf(v));
      } else if (v.is_boolean()) {
        (v.template get<bool>() ? leaf.match_true : leaf.match_false) = true;
      } else if (v.is_null()) {
        leaf.match_null = true;
      } else {
        return Reason("Match value must be String, number, true, false, or null");
      }
    }
    if (values.empty()) return Reason("Empty arrays are not allowed");
    std::sort(leaf.exact.begin(), leaf.exact.end());
    leaf.exact.erase(std::unique(leaf.exact.begin(), leaf.exact.end()), leaf.exact.end());

    const auto index = static_cast<uint32_t>(leaves_.size());
    leaves_.push_back(std::move(leaf));
    if (rules->empty()) rules->emplace_back();
    // A field named twice keeps its last value list (event-ruler's overriding mode).
    for (SubRule& rule : *rules) {
      auto it =
          std::find_if(rule.begin(), rule.end(), [&](const auto& f) { return f.first == name; });
      if (it != rule.end()) {
        it->second = index;
      } else {
        rule.emplace_back(name, index);
      }
    }
    return Status::Ok();
  }

  Status ParseMatchExpression(const Json& expr, Leaf* leaf) {
    if (expr.empty()) return Reason("Match expression name not found");
    const std::string& name = expr.begin().key();
    const Json& v = expr.begin().value();
    const bool extra_keys = expr.size() > 1;
    if (name == "exactly") {
      if (!v.is_string()) return Reason("exact match pattern must be a string");
      leaf->exact.push_back(v.template get<std::string>());
    } else if (name == "prefix" || name == "suffix") {
      const bool prefix = name == "prefix";
      if (v.is_object()) {
        std::string text;
        TOCSIN_RETURN_IF_ERROR(ParseIgnoreCaseOperand(v, prefix, &text));
        (prefix ? leaf->prefixes_folded : leaf->suffixes_folded).push_back(FoldCase(text));
      } else if (v.is_string()) {
        (prefix ? leaf->prefixes : leaf->suffixes).push_back(v.template get<std::string>());
      } else {
        return Reason(name + " match pattern must be a string");
      }
    } else if (name == "numeric") {
      if (!v.is_array()) return Reason("Value of numeric must be an array.");
      NumericRange range;
      TOCSIN_RETURN_IF_ERROR(ParseNumeric(v, &range));
      if (extra_keys) return Reason(kTooManyElements);
      leaf->ranges.push_back(range);
      return Status::Ok();
    } else if (name == "anything-but") {
      TOCSIN_RETURN_IF_ERROR(ParseAnythingBut(v, leaf));
      if (extra_keys) return Reason(kTooManyElements);
      return Status::Ok();
    } else if (name == "exists") {
      if (!v.is_boolean()) return Reason("exists match pattern must be either true or false.");
      (v.template get<bool>() ? leaf->exists_true : leaf->exists_false) = true;
    } else if (name == "cidr") {
      // event-ruler's text, although the operator is cidr.
      if (!v.is_string()) return Reason("prefix match pattern must be a string");
      IpRange range;
      TOCSIN_RETURN_IF_ERROR(ParseCidr(v.template get_ref<const std::string&>(), &range));
      leaf->cidrs.push_back(range);
    } else if (name == "equals-ignore-case") {
      if (!v.is_string()) return Reason("equals-ignore-case match pattern must be a string");
      leaf->equals_folded.push_back(FoldCase(v.template get_ref<const std::string&>()));
    } else if (name == "wildcard") {
      if (!v.is_string()) return Reason("wildcard match pattern must be a string");
      std::vector<int16_t> tokens;
      TOCSIN_RETURN_IF_ERROR(ParseWildcard(v.template get_ref<const std::string&>(), &tokens));
      leaf->globs.emplace_back(tokens);
      leaf->wildcard_tokens.push_back(std::move(tokens));
    } else {
      return Reason("Unrecognized match type " + name);
    }
    if (extra_keys) return Reason(kOneKey);
    return Status::Ok();
  }

  // {"equals-ignore-case": "text"} inside prefix or suffix.
  Status ParseIgnoreCaseOperand(const Json& v, bool prefix, std::string* text) {
    if (v.empty()) {
      return Reason(prefix ? "Prefix expression name not found"
                           : "Suffix expression name not found");
    }
    const std::string& op = v.begin().key();
    if (op != "equals-ignore-case") {
      return Reason(
          std::string(prefix ? "Unsupported prefix pattern: " : "Unsupported suffix pattern: ") +
          op);
    }
    const Json& operand = v.begin().value();
    if (!operand.is_string()) return Reason("equals-ignore-case match pattern must be a string");
    if (v.size() > 1) return Reason(kOneKey);
    *text = operand.template get<std::string>();
    return Status::Ok();
  }

  Status ParseNumeric(const Json& terms, NumericRange* range) {
    auto term = [&](size_t k) -> const Json* { return k < terms.size() ? &terms[k] : nullptr; };
    auto is_number = [](const Json* t) { return t != nullptr && t->is_number(); };
    const Json* op_term = term(0);
    if (op_term == nullptr || !op_term->is_string()) {
      return Reason("Invalid member in numeric match: " + TokenText(op_term));
    }
    const std::string& op = op_term->template get_ref<const std::string&>();
    const Json* value = term(1);
    if (op == "=") {
      if (!is_number(value)) return Reason("Value of equals must be numeric");
      if (term(2) != nullptr) return Reason(kTooManyElements);
      const double x = value->template get<double>();
      TOCSIN_RETURN_IF_ERROR(CheckComparable(x));
      *range = NumericRange{true, false, x, true, false, x};
      return Status::Ok();
    }
    if (op == ">=" || op == ">") {
      if (!is_number(value)) return Reason("Value of " + op + " must be numeric");
      range->has_low = true;
      range->low_open = op == ">";
      range->low = value->template get<double>();
      const Json* op2_term = term(2);
      if (op2_term != nullptr) {
        if (!op2_term->is_string()) {
          return Reason("Bad value in numeric range: " + TokenText(op2_term));
        }
        const std::string& op2 = op2_term->template get_ref<const std::string&>();
        if (op2 != "<" && op2 != "<=") return Reason("Bad numeric range operator: " + op2);
        const Json* top = term(3);
        if (!is_number(top)) return Reason("Value of " + op2 + " must be numeric");
        if (term(4) != nullptr) return Reason("Too many terms in numeric range expression");
        range->has_high = true;
        range->high_open = op2 == "<";
        range->high = top->template get<double>();
      }
      TOCSIN_RETURN_IF_ERROR(CheckComparable(range->low));
      if (range->has_high) TOCSIN_RETURN_IF_ERROR(CheckComparable(range->high));
      return Status::Ok();
    }
    if (op == "<=" || op == "<") {
      if (!is_number(value)) return Reason("Value of " + op + " must be numeric");
      if (term(2) != nullptr) return Reason(kTooManyElements);
      range->has_high = true;
      range->high_open = op == "<";
      range->high = value->template get<double>();
      return CheckComparable(range->high);
    }
    return Reason("Unrecognized numeric range operator: " + op);
  }

  Status ParseAnythingBut(const Json& v, Leaf* leaf) {
    AnythingBut ab;
    const Json* operand = &v;
    const bool set_form = v.is_object();
    if (set_form) {
      if (v.empty()) return Reason("Anything-But expression name not found");
      const std::string& op = v.begin().key();
      if (op == "equals-ignore-case") {
        ab.kind = AnythingBut::Kind::kIgnoreCase;
      } else if (op == "prefix") {
        ab.kind = AnythingBut::Kind::kPrefix;
      } else if (op == "suffix") {
        ab.kind = AnythingBut::Kind::kSuffix;
      } else if (op == "wildcard") {
        ab.kind = AnythingBut::Kind::kWildcard;
      } else {
        return Reason("Unsupported anything-but pattern: " + op);
      }
      operand = &v.begin().value();
    }
    if (!operand->is_array() && !operand->is_string() && !operand->is_number()) {
      return Reason("Value of anything-but must be an array or single string/number value.");
    }
    std::vector<const Json*> values;
    if (operand->is_array()) {
      for (const Json& e : *operand) values.push_back(&e);
    } else {
      values.push_back(operand);
    }
    if (!set_form) {
      bool has_string = false;
      bool has_number = false;
      for (const Json* e : values) {
        if (e->is_string()) {
          has_string = true;
          ab.strings.push_back(e->template get<std::string>());
        } else if (e->is_number()) {
          has_number = true;
          TOCSIN_RETURN_IF_ERROR(CheckComparable(e->template get<double>()));
          ab.numbers.push_back(NumberOf(*e));
        } else {
          return Reason("Inside anything but list, start|null|boolean is not supported.");
        }
      }
      if (operand->is_array() && has_number == has_string) {
        return Reason(
            "Inside anything but list, either all values are number or string, mixed type is not "
            "supported");
      }
      ab.kind = has_number ? AnythingBut::Kind::kNumbers : AnythingBut::Kind::kStrings;
      std::sort(ab.strings.begin(), ab.strings.end());
      ab.strings.erase(std::unique(ab.strings.begin(), ab.strings.end()), ab.strings.end());
      leaf->anything_buts.push_back(std::move(ab));
      return Status::Ok();
    }
    const bool affix =
        ab.kind == AnythingBut::Kind::kPrefix || ab.kind == AnythingBut::Kind::kSuffix;
    for (const Json* e : values) {
      if (!e->is_string()) {
        switch (ab.kind) {
          case AnythingBut::Kind::kIgnoreCase:
            return Reason(
                "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
                "supported.");
          case AnythingBut::Kind::kWildcard:
            return Reason("wildcard match pattern must be a string");
          default:
            return Reason("prefix/suffix match pattern must be a string");
        }
      }
      const auto& s = e->template get_ref<const std::string&>();
      if (affix && s.empty()) return Reason("Null prefix/suffix not allowed");
      ab.strings.push_back(ab.kind == AnythingBut::Kind::kIgnoreCase ? FoldCase(s) : s);
    }
    if (ab.kind == AnythingBut::Kind::kWildcard) {
      for (const std::string& s : ab.strings) {
        std::vector<int16_t> tokens;
        TOCSIN_RETURN_IF_ERROR(ParseWildcard(s, &tokens));
        ab.globs.emplace_back(tokens);
        leaf->wildcard_tokens.push_back(std::move(tokens));
      }
      ab.strings.clear();
    }
    if (v.size() > 1) return Reason(kTooManyElements);
    leaf->anything_buts.push_back(std::move(ab));
    return Status::Ok();
  }

  const bool or_aware_;
  bool fatal_ = false;
  std::vector<SubRule> rules_;
  std::vector<Leaf> leaves_;
};

template <typename Json>
bool HasOrKey(const Json& v, int depth) {
  if (depth > kMaxDepth + 1) return false;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == kOrKeyword || HasOrKey(it.value(), depth + 1)) return true;
    }
  } else if (v.is_array()) {
    for (const Json& e : v) {
      if (HasOrKey(e, depth + 1)) return true;
    }
  }
  return false;
}

// event-ruler measures wildcard complexity per field over every alternative
// (they share one byte machine per field name).
Status CheckWildcardComplexity(const std::vector<SubRule>& rules, const std::vector<Leaf>& leaves) {
  std::map<std::string_view, std::vector<uint32_t>> leaves_by_field;
  for (const SubRule& rule : rules) {
    for (const auto& [name, index] : rule) {
      if (!leaves[index].wildcard_tokens.empty()) leaves_by_field[name].push_back(index);
    }
  }
  for (auto& [name, indexes] : leaves_by_field) {
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
    std::vector<std::vector<int16_t>> wildcards;
    for (uint32_t index : indexes) {
      for (const auto& w : leaves[index].wildcard_tokens) wildcards.push_back(w);
    }
    std::sort(wildcards.begin(), wildcards.end());
    wildcards.erase(std::unique(wildcards.begin(), wildcards.end()), wildcards.end());
    constexpr int kCap = EventPattern::kMaxWildcardComplexity + 1;
    if (WildcardComplexity(wildcards, kCap) >= kCap) return Reason(kTooComplex);
  }
  return Status::Ok();
}

struct TrieBuilder {
  std::string segment;
  int32_t leaf = -1;
  std::vector<std::unique_ptr<TrieBuilder>> children;

  TrieBuilder* Child(std::string_view name) {
    for (auto& c : children) {
      if (c->segment == name) return c.get();
    }
    children.push_back(std::make_unique<TrieBuilder>());
    children.back()->segment = std::string(name);
    return children.back().get();
  }
};

// Appends the trie of `rule` to `out` and returns its root's index. Children of
// a node are contiguous; fields without sub-fields come first (cheapest).
uint32_t AppendTrie(const SubRule& rule, CompiledPattern* out) {
  TrieBuilder root;
  for (const auto& [name, index] : rule) {
    TrieBuilder* node = &root;
    size_t start = 0;
    while (true) {
      const size_t dot = name.find('.', start);
      node = node->Child(std::string_view(name).substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    node->leaf = static_cast<int32_t>(index);
  }
  const auto root_index = static_cast<uint32_t>(out->nodes.size());
  out->nodes.emplace_back();
  std::vector<std::pair<TrieBuilder*, uint32_t>> queue = {{&root, root_index}};
  for (size_t q = 0; q < queue.size(); ++q) {
    auto [builder, index] = queue[q];
    std::stable_partition(builder->children.begin(), builder->children.end(),
                          [](const auto& c) { return c->children.empty(); });
    out->nodes[index].first_child = static_cast<uint32_t>(out->nodes.size());
    out->nodes[index].child_count = static_cast<uint32_t>(builder->children.size());
    for (auto& c : builder->children) {
      Node node;
      node.segment = c->segment;
      node.leaf = c->leaf;
      queue.emplace_back(c.get(), static_cast<uint32_t>(out->nodes.size()));
      out->nodes.push_back(std::move(node));
    }
  }
  return root_index;
}

template <typename Json>
Result<CompiledPattern> Compile(const Json& pattern) {
  if (!pattern.is_object()) return Reason("Filter is not an object");
  Compiler<Json> compiler(/*or_aware=*/true);
  Status status = compiler.Run(pattern);
  Compiler<Json> legacy(/*or_aware=*/false);
  Compiler<Json>* used = &compiler;
  if (!status.ok()) {
    // Like EventBridge (GenericMachine.addRule), retry with "$or" as a plain
    // field name; when that fails too, the "$or"-aware reason is the clearer one.
    if (compiler.fatal() || !HasOrKey(pattern, 0) || !legacy.Run(pattern).ok()) return status;
    used = &legacy;
  }
  std::vector<SubRule>& rules = used->rules();
  std::vector<Leaf>& leaves = used->leaves();
  TOCSIN_RETURN_IF_ERROR(CheckWildcardComplexity(rules, leaves));

  CompiledPattern out;
  for (Leaf& leaf : leaves) leaf.wildcard_tokens.clear();
  out.leaves = std::move(leaves);
  for (const SubRule& rule : rules) out.roots.push_back(AppendTrie(rule, &out));
  // Children follow their parents, so one backward pass sees children first.
  for (size_t k = out.nodes.size(); k-- > 0;) {
    Node& node = out.nodes[k];
    bool ok = node.leaf < 0 || out.leaves[static_cast<size_t>(node.leaf)].exists_false;
    for (uint32_t c = 0; ok && c < node.child_count; ++c) {
      ok = out.nodes[node.first_child + c].absent_ok;
    }
    node.absent_ok = ok;
  }
  return out;
}

}  // namespace

Result<CompiledPattern> CompilePattern(const nlohmann::json& pattern) { return Compile(pattern); }

Result<CompiledPattern> CompilePattern(const nlohmann::ordered_json& pattern) {
  return Compile(pattern);
}

}  // namespace tocsin::rules::internal
