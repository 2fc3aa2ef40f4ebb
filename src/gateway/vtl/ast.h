// The parsed form of a template (internal to the VTL engine). Immutable after
// parsing: rendering only reads it, so one tree serves many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gateway/vtl/jsonpath.h"
#include "gateway/vtl/vtl.h"

namespace streamer::vtl::ast {

struct Expr;
struct Node;
using ExprPtr = std::unique_ptr<Expr>;
using Block = std::vector<Node>;

// One step after the root of a reference: .name, .name(args) or [index].
struct Segment {
  enum Kind { kProperty, kMethod, kIndex } kind = kProperty;
  std::string name;
  std::vector<ExprPtr> args;  // method arguments; the index expression for kIndex
  // $input.path('...') / $input.json('...') with a literal path: compiled once.
  std::shared_ptr<const JsonPath> jsonpath;
};

// $root.seg.seg..., e.g. $input.path('$.a').size()
struct Ref {
  int slot = -1;  // variable slot of the root name
  std::vector<Segment> segments;
  bool quiet = false;   // $!x
  std::string source;   // the text as written, for Velocity's literal rendering
};

enum class Op {
  kOr, kAnd, kEq, kNe, kLt, kGt, kLe, kGe, kAdd, kSub, kMul, kDiv, kMod,  // binary
  kNot, kNeg,                                                            // unary
};

struct Expr {
  enum Kind { kLiteral, kInterpolated, kRef, kList, kMap, kRange, kUnary, kBinary } kind = kLiteral;
  Value literal;                         // kLiteral: only scalars and strings
  std::shared_ptr<const Block> interp;   // kInterpolated "..." with $refs or directives
  std::unique_ptr<Ref> ref;              // kRef
  std::vector<ExprPtr> items;            // list items; map keys and values interleaved;
                                         // range [from, to]; operands
  Op op = Op::kOr;
};

struct Node {
  enum Kind { kText, kRef, kSet, kIf, kForeach, kBreak, kStop, kMacroCall, kDefine } kind = kText;
  std::string text;                // kText; kMacroCall: the call as written
  std::unique_ptr<Ref> ref;        // kRef; kSet's left side
  ExprPtr expr;                    // kSet's right side; kForeach's iterable
  std::vector<ExprPtr> conditions;  // kIf: one per branch; a null condition is #else
  std::vector<Block> branches;     // kIf
  Block body;                      // kForeach
  int var_slot = -1;               // kForeach loop variable; kDefine's name
  int define = -1;                 // kDefine: index into Template::Impl::defines
  int backslashes = 0;             // kRef: backslashes written before it (\$x escapes)
  int macro = -1;                  // kMacroCall: index into Template::Impl::macros
  std::vector<ExprPtr> args;       // kMacroCall arguments
  int32_t offset = -1;             // where the node starts in the source (-1 = text)
};

// #macro(name $p1 $p2) body #end, defined inline in the template.
struct Macro {
  std::string name;
  std::vector<int> param_slots;
  Block body;
  bool defined = false;  // false: the name only looked like a macro (calls render as text)
};

}  // namespace streamer::vtl::ast

namespace streamer::vtl {

struct Template::Impl {
  ast::Block root;
  std::vector<ast::Macro> macros;  // in definition order; calls hold indexes
  std::vector<ast::Block> defines;  // #define bodies
  std::vector<std::string> slot_names;
  // Slots of the names the engine binds (-1 when the template never uses them).
  int input_slot = -1, util_slot = -1, context_slot = -1, stage_slot = -1;
  int foreach_slot = -1, velocity_count_slot = -1;
  size_t source_size = 0;
  std::vector<uint32_t> line_starts;  // source offsets of each line's start (render errors name line/column)
};

// Parses text into impl (parser.cc).
Status ParseTemplate(std::string_view text, Template::Impl& impl);

}  // namespace streamer::vtl
