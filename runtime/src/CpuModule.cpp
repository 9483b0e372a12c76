#include "runtime/src/CpuModule.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace dlc::rt {

namespace {

bool writeAll(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= size_t(n);
  }
  return true;
}

std::string dlErrorText() {
  const char* e = dlerror();
  return e ? e : "unknown dlopen error";
}

// Opens the code through an anonymous memory file. Returns the handle and
// leaves the fd open in `fd`; nullptr with `error` set on failure.
void* openFromMemfd(const std::vector<uint8_t>& code, int& fd, std::string& error) {
  fd = memfd_create("dlc_kernels", MFD_CLOEXEC);
  if (fd < 0) {
    error = strCat("memfd_create: ", std::strerror(errno));
    return nullptr;
  }
  if (!writeAll(fd, code.data(), code.size())) {
    error = strCat("writing memfd: ", std::strerror(errno));
    ::close(fd);
    fd = -1;
    return nullptr;
  }
  std::string path = strCat("/proc/self/fd/", fd);
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    error = dlErrorText();
    ::close(fd);
    fd = -1;
  }
  return handle;
}

void* openFromTempFile(const std::vector<uint8_t>& code, std::string& error) {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = strCat(dir && *dir ? dir : "/tmp", "/dlc_kernels_XXXXXX");
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) {
    error = strCat("cannot create ", tmpl, ": ", std::strerror(errno));
    return nullptr;
  }
  bool ok = writeAll(fd, code.data(), code.size());
  ::close(fd);
  void* handle = nullptr;
  if (!ok) error = strCat("writing ", name.data(), ": ", std::strerror(errno));
  else if (!(handle = dlopen(name.data(), RTLD_NOW | RTLD_LOCAL))) error = dlErrorText();
  ::unlink(name.data());
  return handle;
}

}  // namespace

StatusOr<std::unique_ptr<CpuModule>> CpuModule::load(const std::vector<uint8_t>& code,
                                                     const std::vector<std::string>& symbols,
                                                     const std::string& source) {
  static const uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
  if (symbols.empty() && code.empty()) return std::unique_ptr<CpuModule>(new CpuModule());
  if (code.size() < 4 || std::memcmp(code.data(), kElfMagic, 4) != 0)
    return invalidArgument(source, ": the code section is not an ELF shared object");
  std::unique_ptr<CpuModule> module(new CpuModule());
  std::string memfdError, fileError;
  module->handle_ = openFromMemfd(code, module->fd_, memfdError);
  if (!module->handle_) module->handle_ = openFromTempFile(code, fileError);
  if (!module->handle_)
    return unavailable(source, ": cannot load the code section: ", memfdError, "; ", fileError);
  for (const std::string& s : symbols) {
    Entry e;
    e.symbol = s;
    e.fn = reinterpret_cast<KernelFn>(dlsym(module->handle_, s.c_str()));
    if (!e.fn) return notFound(source, ": kernel symbol \"", s, "\" not found in the code section");
    std::string ext = s + "_extent";
    e.extent = reinterpret_cast<ExtentFn>(dlsym(module->handle_, ext.c_str()));
    if (!e.extent)
      return notFound(source, ": kernel symbol \"", ext, "\" not found in the code section");
    module->kernels_.push_back(std::move(e));
  }
  return module;
}

CpuModule::~CpuModule() {
  if (handle_) dlclose(handle_);
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace dlc::rt
