// Flag parsing and help text for the dlc subcommands. See Args.h.
#include "compiler/tools/dlc/Args.h"

#include <charconv>
#include <sstream>

namespace dlc::cli {

std::string Args::get(const std::string& flag, const std::string& def) const {
  auto it = values_.find(flag);
  return it == values_.end() || it->second.empty() ? def : it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& flag) const {
  static const std::vector<std::string> kEmpty;
  auto it = values_.find(flag);
  return it == values_.end() ? kEmpty : it->second;
}

static StatusOr<int64_t> parseInt(const std::string& flag, const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size())
    return invalidArgument(flag, " expects an integer, got \"", text, "\"");
  return v;
}

StatusOr<int64_t> Args::getInt(const std::string& flag, int64_t def) const {
  if (!has(flag)) return def;
  return parseInt(flag, get(flag));
}

StatusOr<int64_t> Args::getIntInRange(const std::string& flag, int64_t def, int64_t lo,
                                       int64_t hi) const {
  DLC_ASSIGN_OR_RETURN(int64_t v, getInt(flag, def));
  if (v < lo || v > hi)
    return outOfRange(flag, " must be between ", lo, " and ", hi, ", got ", v);
  return v;
}

StatusOr<std::vector<int64_t>> Args::getInts(const std::string& flag,
                                             const std::vector<int64_t>& def) const {
  if (!has(flag)) return def;
  std::vector<int64_t> out;
  std::stringstream ss(get(flag));
  std::string item;
  while (std::getline(ss, item, ',')) {
    DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(flag, item));
    out.push_back(v);
  }
  if (out.empty()) return invalidArgument(flag, " expects a comma-separated list of integers");
  return out;
}

StatusOr<std::vector<std::string>> Args::getStrings(const std::string& flag,
                                                  const std::vector<std::string>& def) const {
  if (!has(flag)) return def;
  std::vector<std::string> out;
  std::string text = get(flag);
  size_t begin = 0;
  while (true) {
    size_t end = text.find(',', begin);
    std::string item = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (item.empty())
      return invalidArgument(flag, " expects a comma-separated list without empty items, got \"",
                             text, "\"");
    out.push_back(item);
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out;
}

StatusOr<Args> parseArgs(const CommandSpec& spec, const std::vector<std::string>& argv) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      args.help_ = true;
      return args;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string name = a, value;
      bool inlineValue = false;
      if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inlineValue = true;
      }
      const FlagSpec* flag = nullptr;
      for (const auto& f : spec.flags)
        if (f.name == name) flag = &f;
      if (!flag)
        return invalidArgument("dlc ", spec.name, ": unknown option ", name,
                               " (see dlc ", spec.name, " --help)");
      if (flag->metavar.empty()) {
        if (inlineValue) return invalidArgument("dlc ", spec.name, ": ", name, " takes no value");
        args.values_[name].push_back("1");
        continue;
      }
      if (!inlineValue) {
        if (i + 1 >= argv.size())
          return invalidArgument("dlc ", spec.name, ": ", name, " needs a value (", flag->metavar, ")");
        value = argv[++i];
      }
      auto& slot = args.values_[name];
      if (!flag->repeated) slot.clear();
      slot.push_back(value);
      continue;
    }
    args.positional_.push_back(a);
  }
  int n = int(args.positional_.size());
  if (n < spec.minPositional || n > spec.maxPositional)
    return invalidArgument("usage: ", spec.usage, "\n(see dlc ", spec.name, " --help)");
  return args;
}

std::string formatHelp(const CommandSpec& spec) {
  std::ostringstream os;
  os << "usage: " << spec.usage << "\n\n" << spec.summary << "\n";
  if (!spec.flags.empty()) os << "\noptions:\n";
  for (const auto& f : spec.flags) {
    std::string left = "  " + f.name + (f.metavar.empty() ? "" : " " + f.metavar);
    if (left.size() < 28) left.resize(28, ' ');
    else left += "\n" + std::string(28, ' ');
    std::string help = f.help;  // continuation lines align with the first
    for (size_t at = help.find('\n'); at != std::string::npos; at = help.find('\n', at + 1))
      help.insert(at + 1, std::string(28, ' '));
    os << left << help << "\n";
  }
  os << "  --help, -h                show this help\n";
  return os.str();
}

}  // namespace dlc::cli
