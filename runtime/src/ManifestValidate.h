// Structural validation of a manifest: everything the executor relies on.
//
// Buffer ids equal positions; sizes match dtype x dims; temps name a slot at
// least as large as they are; inputs/outputs point back to their list
// position; kernel symbols are C identifiers; kernel arguments are valid
// buffer ids, read only buffers already written (inputs, constants, earlier
// outputs) and never write inputs or constants; every output is written;
// placement names existing kernels. Transfers ("transfer" kernels) copy
// one buffer into another of the same type and have no symbol; the devices
// list holds well-formed names, once each, naming every kernel's and
// buffer's device, and a model on several devices homes every buffer, with
// every kernel reading and writing buffers on its own device only (a
// transfer reads from another). Errors name the field
// ("manifest: kernels[2].args[1]: buffer id 17 out of range [0, 9)").
// Constant ranges against the constants section are checked by the artifact
// reader, kernel symbols by the code loader.
#pragma once

#include "runtime/src/Manifest.h"
#include "support/Status.h"

namespace dlc::rt {

Status validateManifest(const Manifest& manifest);

const char* bufferKindName(BufferKind kind);  // "input", "output", "constant", "temp"

}  // namespace dlc::rt
