// The dlc subcommands. Each returns the process exit code: 0 on success,
// 1 on a user or runtime error (printed to stderr as "dlc <cmd>: message"),
// 2 on a usage error.
#pragma once

#include <string>
#include <vector>

namespace dlc::cli {

int buildCommand(const std::vector<std::string>& argv);
int runCommand(const std::vector<std::string>& argv);
int compareCommand(const std::vector<std::string>& argv);
int evalCommand(const std::vector<std::string>& argv);
int devicesCommand(const std::vector<std::string>& argv);
int benchCommand(const std::vector<std::string>& argv);
int importCommand(const std::vector<std::string>& argv);
int exportCommand(const std::vector<std::string>& argv);

}  // namespace dlc::cli
