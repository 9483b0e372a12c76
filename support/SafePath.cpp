#include "support/SafePath.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace dlc {

namespace {

StatusOr<std::string> realPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr),
                                                       &std::free);
  if (!resolved) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return notFound("'", path, "' does not exist");
    return invalidArgument("cannot resolve '", path, "': ", std::strerror(err));
  }
  return std::string(resolved.get());
}

}  // namespace

StatusOr<std::string> readFileBytes(const std::string& path, uint64_t maxBytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return notFound("file '", path, "' does not exist");
    return invalidArgument("cannot open '", path, "': ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) return invalidArgument("'", path, "' is not a regular file");
  if (uint64_t(st.st_size) > maxBytes)
    return outOfRange("'", path, "' is ", uint64_t(st.st_size), " bytes, over the limit of ",
                      maxBytes, " bytes");
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return invalidArgument("cannot open '", path, "': ", std::strerror(errno));
  std::string bytes;
  try {
    bytes.resize(size_t(st.st_size));
  } catch (const std::bad_alloc&) {
    return outOfRange("out of memory reading '", path, "' (", uint64_t(st.st_size), " bytes)");
  }
  size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f.get());
  if (got != bytes.size())
    return dataLoss("short read on '", path, "': got ", got, " of ", bytes.size(), " bytes");
  return bytes;
}

Status writeFileBytes(const std::string& path, std::string_view bytes) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f) return invalidArgument("cannot create '", path, "': ", std::strerror(errno));
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
    return dataLoss("short write on '", path, "': ", std::strerror(errno));
  if (std::fclose(f.release()) != 0)
    return dataLoss("cannot finish writing '", path, "': ", std::strerror(errno));
  return Status::OK();
}

Status writeFileAtomic(const std::string& path, std::string_view bytes) {
  // pid + a process-wide counter keeps concurrent writers (threads or
  // processes) of the same path apart; O_EXCL refuses a stale leftover.
  static std::atomic<uint64_t> counter{0};
  std::string tmp = strCat(path, ".tmp.", ::getpid(), ".", counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return invalidArgument("cannot write '", path, "': ", std::strerror(errno));
  auto fail = [&](const char* what, int err) {
    ::unlink(tmp.c_str());
    return dataLoss("cannot write '", path, "': ", what, ": ", std::strerror(err));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, std::min<size_t>(bytes.size() - done, 1u << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      return fail("short write", err);
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) return fail("close", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename", errno);
  return Status::OK();
}

std::string parentFolder(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

StatusOr<std::string> resolveInsideFolder(const std::string& folder, const std::string& relative) {
  if (relative.empty()) return invalidArgument("empty file path");
  if (relative.find('\0') != std::string::npos)
    return invalidArgument("file path contains a NUL byte");
  if (relative.front() == '/')
    return invalidArgument("file path '", relative,
                           "' is absolute; weight paths must be relative to the model folder");
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    if (relative.compare(start, end - start, "..") == 0 && end - start == 2)
      return invalidArgument("file path '", relative,
                             "' contains '..'; weight files must stay inside the model folder");
    start = end + 1;
  }
  DLC_ASSIGN_OR_RETURN(std::string base, realPath(folder.empty() ? "." : folder));
  std::string joined = (folder.empty() ? std::string(".") : folder) + "/" + relative;
  auto target = realPath(joined);
  if (!target.ok()) {
    if (target.status().code() == StatusCode::kNotFound)
      return notFound("file '", relative, "' does not exist in the model folder '", base, "'");
    return target.status();
  }
  std::string prefix = base == "/" ? base : base + "/";
  if (target->compare(0, prefix.size(), prefix) != 0)
    return invalidArgument("file path '", relative, "' resolves to '", *target,
                           "', outside the model folder '", base, "' (through a symlink)");
  return std::move(target).value();
}

}  // namespace dlc
