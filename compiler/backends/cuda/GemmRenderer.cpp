// Engine choice, launch geometry, the shared tile loop and the f32 SIMT GEMM
// kernel. See GemmRenderer.h; the tensor-core kernels are in
// WmmaRenderer.cpp.
#include "compiler/backends/cuda/GemmRenderer.h"

#include "compiler/backends/cuda/Prelude.h"

namespace dlc::cuda::gemm {
namespace {

static_assert(kThreadsPerBlock == 256, "the GEMM tiles assume 256 threads per block");

int archNumber(const CudaOptions& options) {
  const std::string arch = options.arch.empty() ? std::string(kDefaultArch) : options.arch;
  int number = 0;
  for (char ch : arch)
    if (ch >= '0' && ch <= '9') number = number * 10 + (ch - '0');
  return number;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string toFloat(ir::DType dtype, const std::string& value) {
  switch (dtype) {
    case ir::DType::F16: return "__half2float(" + value + ")";
    case ir::DType::BF16: return "__bfloat162float(" + value + ")";
    default: return value;
  }
}

}  // namespace

std::string_view engineName(GemmEngine engine) {
  switch (engine) {
    case GemmEngine::Simt: return "simt f32";
    case GemmEngine::WmmaF16: return "wmma f16";
    case GemmEngine::WmmaBF16: return "wmma bf16";
    case GemmEngine::WmmaTf32: return "wmma tf32";
  }
  return "?";
}

GemmEngine chooseEngine(const GemmProblem& problem, const CudaOptions& options) {
  const int arch = archNumber(options);
  if (problem.aType != problem.bType) return GemmEngine::Simt;
  switch (problem.aType) {
    case ir::DType::F16: return arch >= 70 ? GemmEngine::WmmaF16 : GemmEngine::Simt;
    case ir::DType::BF16: return arch >= 80 ? GemmEngine::WmmaBF16 : GemmEngine::Simt;
    case ir::DType::F32:
      return options.allowTf32 && arch >= 80 ? GemmEngine::WmmaTf32 : GemmEngine::Simt;
    default: return GemmEngine::Simt;
  }
}

TileShape tileShapeOf(GemmEngine engine) {
  switch (engine) {
    case GemmEngine::Simt: return {64, 64, 16, 256};
    case GemmEngine::WmmaTf32: return {64, 128, 16, 256};
    default: return {64, 128, 32, 256};
  }
}

rt::CudaLaunch gemmLaunch(const GemmProblem& p, GemmEngine engine) {
  const TileShape t = tileShapeOf(engine);
  rt::CudaLaunch launch;
  launch.threads = t.threads;
  launch.itemsPerBlock = 1;
  const int64_t tilesM = ceilDiv(p.rows.fixed, t.bm), tilesN = ceilDiv(p.cols.fixed, t.bn);
  if (p.batch.batch) {
    launch.items = Affine::batched(p.batch.fixed * tilesM * tilesN);
  } else if (p.rows.batch || p.cols.batch) {
    // ceil(N * f / tile) tiles along the batched dim: exact when f is a
    // multiple of the tile, else bounded by (N * f + tile - 1) / tile,
    // i.e. items of that form with itemsPerBlock = tile.
    const int64_t extent = p.rows.batch ? p.rows.fixed : p.cols.fixed;
    const int64_t tileExtent = p.rows.batch ? t.bm : t.bn;
    const int64_t others = p.batch.fixed * (p.rows.batch ? tilesN : tilesM);
    if (extent % tileExtent == 0) {
      launch.items = Affine::batched(others * (extent / tileExtent));
    } else {
      launch.items = Affine{others * (tileExtent - 1), others * extent};
      launch.itemsPerBlock = tileExtent;
    }
  } else {
    launch.items = Affine::constant(p.batch.fixed * tilesM * tilesN);
  }
  return launch;
}

namespace {

// Element q of the thread's share, walking a tile whose `fast` extent is
// contiguous: {fast index, slow index}. When the block's threads cover
// whole rows of the fast extent, the fast index does not depend on q, so
// everything derived from it (e.g. an im2col column) is computed once.
std::pair<std::string, std::string> walk(int64_t fast, int threads) {
  const std::string f = std::to_string(fast);
  if (threads % fast == 0)
    return {"tid % " + f, "tid / " + f + " + q * " + std::to_string(threads / fast)};
  const std::string e = "(tid + q * " + std::to_string(threads) + ")";
  return {e + " % " + f, e + " / " + f};
}

}  // namespace

TileCoords aTileCoords(const GemmProblem& p, const TileShape& t) {
  if (p.aAlongK) {
    auto [k, row] = walk(t.bk, t.threads);
    return {row, "", k};
  }
  auto [row, k] = walk(t.bm, t.threads);
  return {row, "", k};
}

TileCoords bTileCoords(const GemmProblem& p, const TileShape& t) {
  if (p.bAlongJ) {
    auto [col, k] = walk(t.bn, t.threads);
    return {"", col, k};
  }
  auto [k, col] = walk(t.bk, t.threads);
  return {"", col, k};
}

void openTileLoop(RenderContext& ctx, const GemmProblem& p, const TileShape& t) {
  SourceWriter& w = ctx.out;
  const std::string bm = std::to_string(t.bm) + "LL", bn = std::to_string(t.bn) + "LL";
  w.line("const long long gemmRows = " + p.rows.expr() + ";");
  w.line("const long long gemmCols = " + p.cols.expr() + ";");
  w.line("const long long tilesM = (gemmRows + " + std::to_string(t.bm - 1) + "LL) / " + bm + ";");
  w.line("const long long tilesN = (gemmCols + " + std::to_string(t.bn - 1) + "LL) / " + bn + ";");
  w.line("const long long tiles = " + p.batch.expr() + " * tilesM * tilesN;");
  w.line("const int tid = threadIdx.x;");
  w.open("for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x)");
  w.line("const long long bi = tile / (tilesM * tilesN);");
  w.line("const long long tileMN = tile - bi * (tilesM * tilesN);");
  w.line("const long long i0 = tileMN / tilesN * " + bm + ";");
  w.line("const long long j0 = tileMN % tilesN * " + bn + ";");
  p.prepare("bi");
}

void renderTileLoads(RenderContext& ctx, const GemmProblem& p, const TileShape& t, bool asFloat) {
  SourceWriter& w = ctx.out;
  const TileCoords a = aTileCoords(p, t), b = bTileCoords(p, t);
  const std::string kExtent = std::to_string(p.k);
  const bool kCheck = p.k % t.bk != 0;
  const bool rowCheck = p.rows.batch || p.rows.fixed % t.bm != 0;
  const bool colCheck = p.cols.batch || p.cols.fixed % t.bn != 0;
  auto zeroOf = [&](ir::DType d) { return asFloat ? std::string("0.0f") : storageZero(d); };
  auto loadLoop = [&](const char* regs, int count, const TileCoords& at, bool isA) {
    w.line("#pragma unroll");
    w.open("for (int q = 0; q < " + std::to_string(count) + "; ++q)");
    const std::string outer = isA ? "gi" : "gj";
    w.line("const long long " + outer + " = " + (isA ? "i0" : "j0") + " + (" +
           (isA ? at.row : at.col) + ");");
    w.line("const int gk = kBase + (" + at.k + ");");
    const ir::DType dtype = isA ? p.aType : p.bType;
    std::vector<std::string> checks;
    if (isA ? rowCheck : colCheck) checks.push_back(outer + (isA ? " < gemmRows" : " < gemmCols"));
    if (kCheck) checks.push_back("gk < " + kExtent);
    if (!checks.empty()) {
      w.line(std::string(regs) + "[q] = " + zeroOf(dtype) + ";");
      w.open("if (" + checks[0] + (checks.size() > 1 ? " && " + checks[1] : "") + ")");
    }
    std::string value = isA ? p.loadA("gi", "gk") : p.loadB("gk", "gj", storageZero(dtype));
    w.line(std::string(regs) + "[q] = " + (asFloat ? toFloat(dtype, value) : value) + ";");
    if (!checks.empty()) w.close();
    w.close();
  };
  loadLoop("ra", t.bm * t.bk / t.threads, a, /*isA=*/true);
  loadLoop("rb", t.bk * t.bn / t.threads, b, /*isA=*/false);
}

void renderSmemStores(RenderContext& ctx, const GemmProblem& p, const TileShape& t,
                      const SmemSlot& aSlot, const SmemSlot& bSlot) {
  SourceWriter& w = ctx.out;
  const TileCoords a = aTileCoords(p, t), b = bTileCoords(p, t);
  w.line("#pragma unroll");
  w.open("for (int q = 0; q < " + std::to_string(t.bm * t.bk / t.threads) + "; ++q)");
  w.line(aSlot(a.row, a.k) + " = ra[q];");
  w.close();
  w.line("#pragma unroll");
  w.open("for (int q = 0; q < " + std::to_string(t.bk * t.bn / t.threads) + "; ++q)");
  w.line(bSlot(b.k, b.col) + " = rb[q];");
  w.close();
}

namespace {

void renderSimtGemm(RenderContext& ctx, const GemmProblem& p) {
  const TileShape t = tileShapeOf(GemmEngine::Simt);
  SourceWriter& w = ctx.out;
  const int64_t kSteps = (p.k + t.bk - 1) / t.bk;
  w.line("// f32 SIMT GEMM: 64x64 tiles, BK 16, 4x4 per thread (rows ty*4+r, columns tx+16*c).");
  w.line("__shared__ __align__(16) float As[16][68];");
  w.line("__shared__ __align__(16) float Bs[16][68];");
  openTileLoop(ctx, p, t);
  w.line("const int tx = tid % 16;");
  w.line("const int ty = tid / 16;");
  w.line("float acc[4][4];");
  w.line("#pragma unroll");
  w.line("for (int r = 0; r < 4; ++r)");
  w.line("  for (int c = 0; c < 4; ++c) acc[r][c] = 0.0f;");
  w.line("float ra[4], rb[4];");
  // Step kt stores the registers loaded in step kt-1 to shared memory,
  // loads K block kt, then multiplies K block kt-1.
  w.open("for (int kt = 0; kt <= " + std::to_string(kSteps) + "; ++kt)");
  w.open("if (kt > 0)");
  renderSmemStores(
      ctx, p, t, [](const std::string& i, const std::string& k) { return "As[" + k + "][" + i + "]"; },
      [](const std::string& k, const std::string& j) { return "Bs[" + k + "][" + j + "]"; });
  w.line("__syncthreads();");
  w.close();
  w.open("if (kt < " + std::to_string(kSteps) + ")");
  w.line("const int kBase = kt * 16;");
  renderTileLoads(ctx, p, t, /*asFloat=*/true);
  w.close();
  w.open("if (kt > 0)");
  w.line("#pragma unroll");
  w.open("for (int kk = 0; kk < 16; ++kk)");
  w.line("const float4 a4 = *reinterpret_cast<const float4*>(&As[kk][ty * 4]);");
  w.line("const float av[4] = {a4.x, a4.y, a4.z, a4.w};");
  w.line("float bv[4];");
  w.line("#pragma unroll");
  w.line("for (int c = 0; c < 4; ++c) bv[c] = Bs[kk][tx + 16 * c];");
  w.line("#pragma unroll");
  w.line("for (int r = 0; r < 4; ++r)");
  w.line("  for (int c = 0; c < 4; ++c) acc[r][c] = fmaf(av[r], bv[c], acc[r][c]);");
  w.close();
  w.line("__syncthreads();");
  w.close();
  w.close();
  // The epilogue on the register tile.
  const bool rowCheck = p.rows.batch || p.rows.fixed % t.bm != 0;
  const bool colCheck = p.cols.batch || p.cols.fixed % t.bn != 0;
  w.line("#pragma unroll");
  w.open("for (int r = 0; r < 4; ++r)");
  w.line("const long long gi = i0 + ty * 4 + r;");
  if (rowCheck) w.line("if (gi >= gemmRows) break;");
  w.line("#pragma unroll");
  w.open("for (int c = 0; c < 4; ++c)");
  w.line("const long long gj = j0 + tx + 16 * c;");
  if (colCheck) w.line("if (gj >= gemmCols) break;");
  p.output("bi", "gi", "gj", "acc[r][c]");
  w.close();
  w.close();
  w.close();  // tile loop
}

}  // namespace

void renderGemm(RenderContext& ctx, const GemmProblem& problem, GemmEngine engine) {
  if (engine == GemmEngine::Simt) renderSimtGemm(ctx, problem);
  else renderWmmaGemm(ctx, problem, engine);
}

}  // namespace dlc::cuda::gemm
