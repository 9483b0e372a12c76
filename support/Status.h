// Status and StatusOr: how errors cross module boundaries in dlc.
//
// User mistakes (a malformed model, a missing device) are returned as a
// Status whose message names the file, the JSON path or node, and the
// problem. Compiler bugs are DLC_CHECK failures and abort with a location.
// No exception crosses a module boundary.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <variant>

namespace dlc {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // bad user input: model file, flag, shape
  kNotFound,          // missing file, node, device
  kOutOfRange,        // limits exceeded, truncated data
  kUnsupported,       // a valid request dlc does not handle
  kFailedPrecondition,
  kUnavailable,       // a device or library is not present
  kDataLoss,          // corrupt artifact or weights
  kInternal,
};

const char* statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}
  static Status OK() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string toString() const;

  // Returns a copy whose message is prefixed with `context + ": "`.
  Status withContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

namespace detail {
template <typename... Args>
std::string strCat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

template <typename... Args>
std::string strCat(Args&&... args) {
  return detail::strCat(std::forward<Args>(args)...);
}

#define DLC_DEFINE_STATUS_FACTORY(Name, Code)            \
  template <typename... Args>                            \
  Status Name(Args&&... args) {                          \
    return Status(StatusCode::Code,                      \
                  detail::strCat(std::forward<Args>(args)...)); \
  }
DLC_DEFINE_STATUS_FACTORY(invalidArgument, kInvalidArgument)
DLC_DEFINE_STATUS_FACTORY(notFound, kNotFound)
DLC_DEFINE_STATUS_FACTORY(outOfRange, kOutOfRange)
DLC_DEFINE_STATUS_FACTORY(unsupported, kUnsupported)
DLC_DEFINE_STATUS_FACTORY(failedPrecondition, kFailedPrecondition)
DLC_DEFINE_STATUS_FACTORY(unavailable, kUnavailable)
DLC_DEFINE_STATUS_FACTORY(dataLoss, kDataLoss)
DLC_DEFINE_STATUS_FACTORY(internalError, kInternal)
#undef DLC_DEFINE_STATUS_FACTORY

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT: implicit
    if (std::get<Status>(v_).ok())
      v_ = Status(StatusCode::kInternal, "StatusOr built from an OK status");
  }
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit
  template <typename U,
            typename = std::enable_if_t<std::is_convertible_v<U&&, T> &&
                                        !std::is_same_v<std::decay_t<U>, T> &&
                                        !std::is_same_v<std::decay_t<U>, Status>>>
  StatusOr(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT: implicit

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  T& value() & { check(); return std::get<T>(v_); }
  const T& value() const& { check(); return std::get<T>(v_); }
  T&& value() && { check(); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void check() const {
    if (!ok()) {
      std::fprintf(stderr, "dlc: internal error: value() of a failed StatusOr: %s\n",
                   std::get<Status>(v_).toString().c_str());
      std::abort();
    }
  }
  std::variant<Status, T> v_;
};

[[noreturn]] void checkFailed(const char* file, int line, const char* cond,
                              const std::string& message);

}  // namespace dlc

#define DLC_CONCAT_INNER(a, b) a##b
#define DLC_CONCAT(a, b) DLC_CONCAT_INNER(a, b)

#define DLC_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::dlc::Status _dlc_status = (expr);            \
    if (!_dlc_status.ok()) return _dlc_status;     \
  } while (0)

#define DLC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)  \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define DLC_ASSIGN_OR_RETURN(lhs, expr) \
  DLC_ASSIGN_OR_RETURN_IMPL(DLC_CONCAT(_dlc_statusor_, __LINE__), lhs, expr)

// Internal invariants (compiler bugs, never user errors).
#define DLC_CHECK(cond, ...)                                              \
  do {                                                                    \
    if (!(cond))                                                          \
      ::dlc::checkFailed(__FILE__, __LINE__, #cond,                       \
                         ::dlc::strCat("" __VA_OPT__(, ) __VA_ARGS__));   \
  } while (0)
