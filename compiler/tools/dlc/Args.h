// A small command-line parser for dlc's subcommands.
//
// Each subcommand declares its flags (with help text) and positional
// arguments; `--help` prints them. Unknown flags, missing values and bad
// numbers are user errors returned as Status, never exceptions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::cli {

struct FlagSpec {
  std::string name;      // "--target"
  std::string metavar;   // "NAME"; empty = boolean switch
  std::string help;
  bool repeated = false;
};

struct CommandSpec {
  std::string name;        // "build"
  std::string usage;       // "dlc build MODEL --target cpu [-o OUT.dlc] ..."
  std::string summary;
  std::vector<FlagSpec> flags;
  int minPositional = 0;
  int maxPositional = 0;
};

class Args {
 public:
  bool has(const std::string& flag) const { return values_.count(flag) != 0; }
  std::string get(const std::string& flag, const std::string& def = "") const;
  const std::vector<std::string>& all(const std::string& flag) const;
  StatusOr<int64_t> getInt(const std::string& flag, int64_t def) const;
  // getInt, and an error naming the flag unless lo <= value <= hi.
  StatusOr<int64_t> getIntInRange(const std::string& flag, int64_t def, int64_t lo,
                                  int64_t hi) const;
  // Comma-separated integers: "--batch 1,64,1024".
  StatusOr<std::vector<int64_t>> getInts(const std::string& flag,
                                         const std::vector<int64_t>& def) const;
  // Comma-separated words: "--targets cpu,cuda". An empty item is an error.
  StatusOr<std::vector<std::string>> getStrings(const std::string& flag,
                                                const std::vector<std::string>& def) const;
  const std::vector<std::string>& positional() const { return positional_; }
  bool helpRequested() const { return help_; }

 private:
  friend StatusOr<Args> parseArgs(const CommandSpec&, const std::vector<std::string>&);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

StatusOr<Args> parseArgs(const CommandSpec& spec, const std::vector<std::string>& argv);
std::string formatHelp(const CommandSpec& spec);

}  // namespace dlc::cli
