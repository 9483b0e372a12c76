#include "frontends/json/JsonDocument.h"

#include <algorithm>
#include <vector>

namespace dlc::json {

namespace {

using nlohmann::json;

// Builds the DOM from SAX events (like nlohmann's own DOM parser, whose
// callback variant is quadratic on long arrays of objects), refusing
// duplicate keys and nesting past kMaxJsonDepth. Errors carry the JSON path.
class DomBuilder : public nlohmann::json_sax<json> {
 public:
  DomBuilder(json& root, const std::string& text) : root_(root), text_(text) {}

  bool null() override { return add(nullptr); }
  bool boolean(bool v) override { return add(v); }
  bool number_integer(number_integer_t v) override { return add(v); }
  bool number_unsigned(number_unsigned_t v) override { return add(v); }
  bool number_float(number_float_t v, const string_t&) override { return add(v); }
  bool string(string_t& v) override { return add(std::move(v)); }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    json& object = *stack_.back();
    if (object.contains(k)) {
      keys_.back() = k;
      return fail("duplicate key \"" + k + "\"");
    }
    keys_.back() = k;
    slot_ = &object[k];
    return true;
  }
  // `position` is just past `lastToken`; report where that token starts.
  bool parse_error(std::size_t position, const std::string& lastToken,
                   const nlohmann::detail::exception& ex) override {
    syntaxError_ = ex.what();
    // lastToken is nlohmann's rendering of the token (e.g. "<end of input>");
    // use it only when it is literally the text before `position`.
    size_t n = lastToken.size();
    bool literal =
        n <= position && position <= text_.size() && text_.compare(position - n, n, lastToken) == 0;
    errorOffset_ = literal ? position - n : std::min(position, text_.size());
    return false;
  }

  bool hasSyntaxError() const { return !syntaxError_.empty(); }
  const std::string& syntaxError() const { return syntaxError_; }
  size_t errorOffset() const { return errorOffset_; }
  const std::string& structureError() const { return structureError_; }

 private:
  // Places `v` where the next value goes; returns the stored value.
  template <typename V>
  json* place(V&& v) {
    if (stack_.empty()) {
      root_ = json(std::forward<V>(v));
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.emplace_back(std::forward<V>(v));
      return &top.back();
    }
    *slot_ = json(std::forward<V>(v));
    return slot_;
  }
  template <typename V>
  bool add(V&& v) {
    place(std::forward<V>(v));
    return true;
  }
  bool open(json container) {
    if (stack_.size() >= size_t(kMaxJsonDepth))
      return fail(strCat("JSON nesting is deeper than the limit of ", kMaxJsonDepth));
    stack_.push_back(place(std::move(container)));
    keys_.emplace_back();
    return true;
  }
  bool close() {
    stack_.pop_back();
    keys_.pop_back();
    return true;
  }
  bool fail(const std::string& message) {
    std::string path;
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i]->is_object()) {
        if (!keys_[i].empty()) path += (path.empty() ? "" : ".") + keys_[i];
      } else if (!stack_[i]->empty()) {
        path += "[" + std::to_string(stack_[i]->size() - 1) + "]";
      }
    }
    structureError_ = (path.empty() ? std::string("top level") : path) + ": " + message;
    return false;
  }

  json& root_;
  const std::string& text_;
  std::vector<json*> stack_;
  std::vector<std::string> keys_;
  json* slot_ = nullptr;
  std::string syntaxError_;
  size_t errorOffset_ = 0;
  std::string structureError_;
};

// nlohmann messages look like "[json.exception.parse_error.101] parse error at
// line 3, column 5: syntax error ..."; keep the part after the position.
std::string stripNlohmannPrefix(const std::string& what) {
  size_t colon = what.find(": ");
  if (what.rfind("[json.exception.", 0) == 0 && colon != std::string::npos)
    return what.substr(colon + 2);
  return what;
}

}  // namespace

std::pair<int, int> lineColumnAt(const std::string& text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

StatusOr<nlohmann::json> parseJsonText(const std::string& text, const std::string& file) {
  json root;
  DomBuilder builder(root, text);
  bool ok;
  try {
    ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const json::exception& e) {
    return invalidArgument(file, ": malformed JSON: ", stripNlohmannPrefix(e.what()));
  } catch (const std::bad_alloc&) {
    return outOfRange(file, ": out of memory parsing JSON");
  }
  if (ok) return root;
  if (!builder.structureError().empty())
    return invalidArgument(file, ": ", builder.structureError());
  auto [line, column] = lineColumnAt(text, builder.errorOffset());
  return invalidArgument(file, ":", line, ":", column,
                         ": malformed JSON: ", stripNlohmannPrefix(builder.syntaxError()));
}

}  // namespace dlc::json
