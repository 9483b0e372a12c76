// A small read-only view of an HDF5 file through Debian's libhdf5 C API: what
// the Keras importer needs and nothing more.
//
// It opens a file on disk or an HDF5 image held in memory (the
// model.weights.h5 member of a .keras zip), tells groups from datasets, lists
// a group's children, reads a numeric dataset as f32 with its dims, and reads
// string attributes (scalar or 1-D, fixed-length or variable-length). Every
// failure is a Status naming the file and the object; HDF5's own automatic
// error printing is switched off, so nothing is written to stderr.
//
// What this deliberately does not do: write, read compound or reference
// types, follow external links, or read datasets as anything but f32.
#pragma once

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "support/Status.h"
#include "support/Tensor.h"

namespace dlc::keras {

class Hdf5File {
 public:
  // Opens `path` read-only; `what` names the file in errors.
  static StatusOr<Hdf5File> open(const std::string& path, const std::string& what);
  // Opens an HDF5 file image (the bytes of a whole file) read-only.
  static StatusOr<Hdf5File> openImage(const std::string& bytes, const std::string& what);

  Hdf5File(Hdf5File&& other) noexcept;
  Hdf5File& operator=(Hdf5File&& other) noexcept;
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;
  ~Hdf5File();

  const std::string& what() const { return what_; }

  // Whether `path` ("/a/b") names a group / a dataset.
  bool isGroup(const std::string& path) const;
  bool isDataset(const std::string& path) const;

  // The names of the links directly inside group `path`, in name order.
  StatusOr<std::vector<std::string>> children(const std::string& path) const;

  // The dims of dataset `path` ({} for a scalar).
  StatusOr<std::vector<int64_t>> datasetDims(const std::string& path) const;
  // Dataset `path` (any integer or float type) converted to f32.
  StatusOr<Tensor> readFloats(const std::string& path) const;

  // String attribute `name` of the object at `path`: its one value for a
  // scalar, every value for a 1-D array (an empty array of any type reads as
  // no strings); nullopt when the attribute is absent.
  StatusOr<std::optional<std::vector<std::string>>> stringAttr(const std::string& path,
                                                               const std::string& name) const;

 private:
  Hdf5File(hid_t file, std::string what) : file_(file), what_(std::move(what)) {}
  // H5I_GROUP, H5I_DATASET, or H5I_BADID when `path` does not exist.
  H5I_type_t typeOf(const std::string& path) const;

  hid_t file_ = -1;
  std::string what_;
};

}  // namespace dlc::keras
