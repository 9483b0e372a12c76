#include "frontends/json/WeightStore.h"

#include "support/Npy.h"
#include "support/SafePath.h"
#include "support/Safetensors.h"

namespace dlc::json {

namespace {

enum class WeightFormat { Npy, Npz, Safetensors };

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<WeightFormat> formatOf(const std::string& file) {
  if (endsWith(file, ".npy")) return WeightFormat::Npy;
  if (endsWith(file, ".npz")) return WeightFormat::Npz;
  if (endsWith(file, ".safetensors")) return WeightFormat::Safetensors;
  return std::nullopt;
}

}  // namespace

StatusOr<Tensor> WeightStore::get(const std::string& file, const std::string& key, bool hasKey,
                                  const Where& where) {
  auto format = formatOf(file);
  if (!format)
    return where.field("file").error("weights file \"", file,
                                     "\" has an unknown extension (expected .npy, .npz or "
                                     ".safetensors)");
  if (*format == WeightFormat::Npy && hasKey)
    return where.field("key").error("a .npy file holds a single tensor; remove \"key\"");
  auto resolved = resolveInsideFolder(folder_, file);
  if (!resolved.ok()) return where.field("file").wrap(resolved.status());

  auto cached = archives_.find(*resolved);
  if (cached == archives_.end()) {
    std::map<std::string, Tensor> tensors;
    switch (*format) {
      case WeightFormat::Npy: {
        auto t = readNpy(*resolved);
        if (!t.ok()) return where.field("file").wrap(t.status());
        tensors.emplace("", std::move(t).value());
        break;
      }
      case WeightFormat::Npz: {
        auto all = readNpz(*resolved);
        if (!all.ok()) return where.field("file").wrap(all.status());
        tensors = std::move(all).value();
        break;
      }
      case WeightFormat::Safetensors: {
        auto all = readSafetensors(*resolved);
        if (!all.ok()) return where.field("file").wrap(all.status());
        tensors = std::move(all).value();
        break;
      }
    }
    ++filesRead_;
    cached = archives_.emplace(*resolved, std::move(tensors)).first;
  }

  const auto& tensors = cached->second;
  auto it = tensors.find(*format == WeightFormat::Npy ? std::string() : key);
  if (it == tensors.end()) {
    std::string available;
    int shown = 0;
    for (const auto& entry : tensors) {
      if (shown++ == 8) {
        available += ", ...";
        break;
      }
      available += (available.empty() ? "\"" : ", \"") + entry.first + "\"";
    }
    return where.field("key").error("no tensor \"", key, "\" in \"", file, "\" (it holds ",
                                    tensors.size(), ": ", available.empty() ? "none" : available,
                                    ")");
  }
  return it->second;
}

}  // namespace dlc::json
