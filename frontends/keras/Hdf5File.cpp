#include "frontends/keras/Hdf5File.h"

#include <cstring>
#include <memory>

namespace dlc::keras {

namespace {

// Closes an HDF5 handle of any kind when it goes out of scope.
class Handle {
 public:
  explicit Handle(hid_t id = -1) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id_ >= 0) {
      H5I_type_t t = H5Iget_type(id_);
      if (t == H5I_DATATYPE) H5Tclose(id_);
      else if (t == H5I_DATASPACE) H5Sclose(id_);
      else if (t == H5I_ATTR) H5Aclose(id_);
      else if (t == H5I_GENPROP_LST) H5Pclose(id_);
      else if (t == H5I_GROUP || t == H5I_DATASET) H5Oclose(id_);
    }
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
};

// Switches off HDF5's printing of its error stack (per thread in thread-safe
// builds, so every entry point calls it).
void silenceHdf5() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

// The innermost message on HDF5's error stack ("" when empty), then clears it.
std::string takeHdf5Error() {
  std::string message;
  auto walk = [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
    auto* out = static_cast<std::string*>(data);
    if (out->empty() && e->desc && *e->desc) *out = e->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk, &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

std::string detail(const std::string& message) {
  return message.empty() ? "" : " (" + message + ")";
}

constexpr char kSignature[] = "\x89HDF\r\n\x1a\n";

// Splits "/a/b" into {"a", "b"}.
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at < path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    if (slash > at) parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

std::string dimsText(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace

StatusOr<Hdf5File> Hdf5File::open(const std::string& path, const std::string& what) {
  silenceHdf5();
  htri_t isHdf5 = H5Fis_hdf5(path.c_str());
  if (isHdf5 <= 0) {
    std::string why = takeHdf5Error();
    if (isHdf5 == 0) return dataLoss(what, ": not an HDF5 file");
    return notFound(what, ": cannot open the file", detail(why));
  }
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return dataLoss(what, ": corrupt HDF5 file", detail(takeHdf5Error()));
  return Hdf5File(file, what);
}

StatusOr<Hdf5File> Hdf5File::openImage(const std::string& bytes, const std::string& what) {
  silenceHdf5();
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kSignature, 8) != 0)
    return dataLoss(what, ": not an HDF5 file");
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.ok() || H5Pset_fapl_core(fapl.get(), 1 << 16, /*backing_store=*/0) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<char*>(bytes.data()), bytes.size()) < 0)
    return internalError(what, ": cannot set up an in-memory HDF5 file",
                         detail(takeHdf5Error()));
  hid_t file = H5Fopen(what.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (file < 0) return dataLoss(what, ": corrupt HDF5 file", detail(takeHdf5Error()));
  return Hdf5File(file, what);
}

Hdf5File::Hdf5File(Hdf5File&& other) noexcept : file_(other.file_), what_(std::move(other.what_)) {
  other.file_ = -1;
}

Hdf5File& Hdf5File::operator=(Hdf5File&& other) noexcept {
  if (this != &other) {
    if (file_ >= 0) H5Fclose(file_);
    file_ = other.file_;
    what_ = std::move(other.what_);
    other.file_ = -1;
  }
  return *this;
}

Hdf5File::~Hdf5File() {
  if (file_ >= 0) H5Fclose(file_);
}

H5I_type_t Hdf5File::typeOf(const std::string& path) const {
  silenceHdf5();
  // Walk the path one hard link at a time: soft and external links (which
  // could reach other files) are never followed.
  std::string prefix;
  for (const std::string& part : components(path)) {
    prefix += "/" + part;
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) {
      takeHdf5Error();
      return H5I_BADID;
    }
    H5L_info_t info;
    if (H5Lget_info(file_, prefix.c_str(), &info, H5P_DEFAULT) < 0 ||
        info.type != H5L_TYPE_HARD) {
      takeHdf5Error();
      return H5I_BADID;
    }
  }
  Handle obj(H5Oopen(file_, prefix.empty() ? "/" : prefix.c_str(), H5P_DEFAULT));
  if (!obj.ok()) {
    takeHdf5Error();
    return H5I_BADID;
  }
  return H5Iget_type(obj.get());
}

bool Hdf5File::isGroup(const std::string& path) const { return typeOf(path) == H5I_GROUP; }
bool Hdf5File::isDataset(const std::string& path) const { return typeOf(path) == H5I_DATASET; }

StatusOr<std::vector<std::string>> Hdf5File::children(const std::string& path) const {
  if (!isGroup(path)) return notFound(what_, ": group ", path, " is missing");
  Handle group(H5Gopen2(file_, path.c_str(), H5P_DEFAULT));
  H5G_info_t info;
  if (!group.ok() || H5Gget_info(group.get(), &info) < 0)
    return dataLoss(what_, ": cannot read group ", path, detail(takeHdf5Error()));
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0,
                                     H5P_DEFAULT);
    if (len < 0) return dataLoss(what_, ": cannot read group ", path, detail(takeHdf5Error()));
    std::string name(size_t(len) + 1, '\0');
    H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                       name.size(), H5P_DEFAULT);
    name.resize(size_t(len));
    names.push_back(std::move(name));
  }
  return names;
}

StatusOr<std::vector<int64_t>> Hdf5File::datasetDims(const std::string& path) const {
  if (!isDataset(path)) return notFound(what_, ": dataset ", path, " is missing");
  Handle ds(H5Dopen2(file_, path.c_str(), H5P_DEFAULT));
  Handle space(ds.ok() ? H5Dget_space(ds.get()) : -1);
  int rank = space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0 || rank > 32)
    return dataLoss(what_, ": cannot read the shape of dataset ", path, detail(takeHdf5Error()));
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
    return dataLoss(what_, ": cannot read the shape of dataset ", path, detail(takeHdf5Error()));
  std::vector<int64_t> out;
  for (hsize_t d : dims) {
    if (d > hsize_t(INT64_MAX))
      return dataLoss(what_, ": dataset ", path, " has shape ", dimsText(dims));
    out.push_back(int64_t(d));
  }
  return out;
}

StatusOr<Tensor> Hdf5File::readFloats(const std::string& path) const {
  DLC_ASSIGN_OR_RETURN(std::vector<int64_t> dims, datasetDims(path));
  Handle ds(H5Dopen2(file_, path.c_str(), H5P_DEFAULT));
  Handle type(ds.ok() ? H5Dget_type(ds.get()) : -1);
  H5T_class_t cls = type.ok() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return unsupported(what_, ": dataset ", path, " is not numeric");
  auto tensor = Tensor::create(ir::DType::F32, dims);
  if (!tensor.ok()) return tensor.status().withContext(what_ + ": dataset " + path);
  if (tensor->numElements() > 0 &&
      H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, tensor->data()) < 0)
    return dataLoss(what_, ": cannot read dataset ", path, detail(takeHdf5Error()));
  return tensor;
}

StatusOr<std::optional<std::vector<std::string>>> Hdf5File::stringAttr(
    const std::string& path, const std::string& name) const {
  H5I_type_t t = typeOf(path);
  if (t != H5I_GROUP && t != H5I_DATASET) return std::optional<std::vector<std::string>>();
  Handle obj(H5Oopen(file_, path.c_str(), H5P_DEFAULT));
  htri_t has = obj.ok() ? H5Aexists(obj.get(), name.c_str()) : -1;
  if (has <= 0) {
    takeHdf5Error();
    return std::optional<std::vector<std::string>>();
  }
  std::string where = "attribute " + name + " of " + path;
  Handle attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT));
  Handle type(attr.ok() ? H5Aget_type(attr.get()) : -1);
  Handle space(attr.ok() ? H5Aget_space(attr.get()) : -1);
  hssize_t count = space.ok() ? H5Sget_simple_extent_npoints(space.get()) : -1;
  if (!type.ok() || count < 0 || count > (1 << 24))
    return dataLoss(what_, ": cannot read ", where, detail(takeHdf5Error()));
  std::vector<std::string> values;
  if (count == 0) return std::optional(values);
  if (H5Tget_class(type.get()) != H5T_STRING)
    return dataLoss(what_, ": ", where, " is not a string");
  Handle mem(H5Tcopy(H5T_C_S1));
  H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Tset_size(mem.get(), H5T_VARIABLE);
    std::vector<char*> ptrs(size_t(count), nullptr);
    if (H5Aread(attr.get(), mem.get(), ptrs.data()) < 0)
      return dataLoss(what_, ": cannot read ", where, detail(takeHdf5Error()));
    for (char* p : ptrs) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    size_t size = H5Tget_size(type.get());
    if (size == 0 || size > (1 << 20)) return dataLoss(what_, ": ", where, " is malformed");
    H5Tset_size(mem.get(), size);
    H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
    std::string buf(size * size_t(count), '\0');
    if (H5Aread(attr.get(), mem.get(), buf.data()) < 0)
      return dataLoss(what_, ": cannot read ", where, detail(takeHdf5Error()));
    for (hssize_t i = 0; i < count; ++i) {
      std::string v = buf.substr(size_t(i) * size, size);
      v.resize(std::strlen(v.c_str()));
      values.push_back(std::move(v));
    }
  }
  return std::optional(values);
}

}  // namespace dlc::keras
