// Manifest <-> JSON: the text form of the artifact manifest.
//
// manifestFromJson checks JSON types (errors name the JSON path:
// "manifest: buffers[3].dtype: unknown dtype \"f33\"") and then runs
// validateManifest (ManifestValidate.h), so a loaded manifest never makes the
// runtime index out of bounds.
#pragma once

#include <string>

#include "runtime/src/Manifest.h"
#include "runtime/src/ManifestValidate.h"
#include "support/Status.h"

namespace dlc::rt {

std::string manifestToJson(const Manifest& manifest);
StatusOr<Manifest> manifestFromJson(const std::string& text);

}  // namespace dlc::rt
