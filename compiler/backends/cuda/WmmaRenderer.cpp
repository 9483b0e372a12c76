// The tensor-core GEMM kernels (nvcuda::wmma; mma.h comes with the prelude):
// f16 and bf16 operands with 16x16x16 fragments, f32 operands as TF32 with
// 16x16x8 fragments, always accumulating in f32. See GemmRenderer.h.
//
// Shared memory (static, one raw buffer): A as row-major [64][BK + 8] and B
// as row-major [BK][136] of the operand type (the padding breaks bank
// conflicts and keeps every fragment pointer 32-byte aligned); after the
// last K step the same bytes hold the f32 tile C [64][132] that the
// epilogue reads back, one coalesced row at a time.
#include "compiler/backends/cuda/GemmRenderer.h"

#include <algorithm>

namespace dlc::cuda::gemm {
namespace {

struct WmmaTypes {
  const char* element;   // operand type in shared memory
  const char* fragment;  // fragment element type for matrix_a / matrix_b
  int kFragment;         // K of one fragment
  bool tf32 = false;
};

WmmaTypes typesOf(GemmEngine engine) {
  switch (engine) {
    case GemmEngine::WmmaF16: return {"__half", "__half", 16};
    case GemmEngine::WmmaBF16: return {"__nv_bfloat16", "__nv_bfloat16", 16};
    default: return {"float", "nvcuda::wmma::precision::tf32", 8, /*tf32=*/true};
  }
}

std::string num(int64_t v) { return std::to_string(v); }

}  // namespace

void renderWmmaGemm(RenderContext& ctx, const GemmProblem& p, GemmEngine engine) {
  const TileShape t = tileShapeOf(engine);
  const WmmaTypes ty = typesOf(engine);
  SourceWriter& w = ctx.out;
  const int elementBytes = ty.tf32 ? 4 : 2;
  const int lda = t.bk + 8, ldb = t.bn + 8, ldc = t.bn + 4;
  const int aBytes = t.bm * lda * elementBytes, bBytes = t.bk * ldb * elementBytes;
  const int cBytes = t.bm * ldc * 4;
  const int smemBytes = std::max(aBytes + bBytes, cBytes);
  const int64_t kSteps = (p.k + t.bk - 1) / t.bk;
  const std::string el = ty.element;
  const std::string frag = "nvcuda::wmma::fragment<nvcuda::wmma::";
  const std::string shape = ", 16, 16, " + num(ty.kFragment) + ", ";

  w.line("// " + std::string(engineName(engine)) + " GEMM: " + num(t.bm) + "x" + num(t.bn) + " tiles, BK " +
         num(t.bk) + ", " + num(t.threads / 32) + " warps of 32x32, f32 accumulators.");
  w.line("__shared__ __align__(32) unsigned char smem[" + num(smemBytes) + "];");
  w.line(el + "* As = reinterpret_cast<" + el + "*>(smem);");
  w.line(el + "* Bs = reinterpret_cast<" + el + "*>(smem + " + num(aBytes) + ");");
  w.line("float* Cs = reinterpret_cast<float*>(smem);");
  openTileLoop(ctx, p, t);
  const int warpsN = t.bn / 32;
  w.line("const int warpRow = (tid / 32) / " + num(warpsN) + ";");
  w.line("const int warpCol = (tid / 32) % " + num(warpsN) + ";");
  w.line(frag + "accumulator" + shape + "float> acc[2][2];");
  w.line("#pragma unroll");
  w.line("for (int x = 0; x < 2; ++x)");
  w.line("  for (int y = 0; y < 2; ++y) nvcuda::wmma::fill_fragment(acc[x][y], 0.0f);");
  w.line(el + " ra[" + num(t.bm * t.bk / t.threads) + "], rb[" + num(t.bk * t.bn / t.threads) +
         "];");
  // Step kt stores the registers loaded in step kt-1 to shared memory,
  // loads K block kt, then multiplies K block kt-1.
  w.open("for (int kt = 0; kt <= " + num(kSteps) + "; ++kt)");
  w.open("if (kt > 0)");
  renderSmemStores(
      ctx, p, t,
      [lda](const std::string& i, const std::string& k) {
        return "As[(" + i + ") * " + num(lda) + " + " + k + "]";
      },
      [ldb](const std::string& k, const std::string& j) {
        return "Bs[(" + k + ") * " + num(ldb) + " + " + j + "]";
      });
  w.line("__syncthreads();");
  w.close();
  w.open("if (kt < " + num(kSteps) + ")");
  w.line("const int kBase = kt * " + num(t.bk) + ";");
  renderTileLoads(ctx, p, t, /*asFloat=*/false);
  w.close();
  w.open("if (kt > 0)");
  w.line("#pragma unroll");
  w.open("for (int kk = 0; kk < " + num(t.bk) + "; kk += " + num(ty.kFragment) + ")");
  w.line(frag + "matrix_a" + shape + ty.fragment + ", nvcuda::wmma::row_major> af[2];");
  w.line(frag + "matrix_b" + shape + ty.fragment + ", nvcuda::wmma::row_major> bf[2];");
  w.line("#pragma unroll");
  w.open("for (int x = 0; x < 2; ++x)");
  w.line("nvcuda::wmma::load_matrix_sync(af[x], As + (warpRow * 32 + x * 16) * " + num(lda) +
         " + kk, " + num(lda) + ");");
  w.line("nvcuda::wmma::load_matrix_sync(bf[x], Bs + kk * " + num(ldb) +
         " + warpCol * 32 + x * 16, " + num(ldb) + ");");
  if (ty.tf32) {
    w.line("#pragma unroll");
    w.line("for (int e = 0; e < af[x].num_elements; ++e)");
    w.line("  af[x].x[e] = nvcuda::wmma::__float_to_tf32(af[x].x[e]);");
    w.line("#pragma unroll");
    w.line("for (int e = 0; e < bf[x].num_elements; ++e)");
    w.line("  bf[x].x[e] = nvcuda::wmma::__float_to_tf32(bf[x].x[e]);");
  }
  w.close();
  w.line("#pragma unroll");
  w.line("for (int x = 0; x < 2; ++x)");
  w.line("  for (int y = 0; y < 2; ++y) nvcuda::wmma::mma_sync(acc[x][y], af[x], bf[y], acc[x][y]);");
  w.close();
  w.line("__syncthreads();");
  w.close();
  w.close();
  // The accumulators go through shared memory (aliasing A and B, whose last
  // readers passed the barrier above) to the epilogue.
  w.line("#pragma unroll");
  w.line("for (int x = 0; x < 2; ++x)");
  w.line("  for (int y = 0; y < 2; ++y)");
  w.line("    nvcuda::wmma::store_matrix_sync(Cs + (warpRow * 32 + x * 16) * " + num(ldc) +
         " + warpCol * 32 + y * 16, acc[x][y], " + num(ldc) + ", nvcuda::wmma::mem_row_major);");
  w.line("__syncthreads();");
  const bool rowCheck = p.rows.batch || p.rows.fixed % t.bm != 0;
  const bool colCheck = p.cols.batch || p.cols.fixed % t.bn != 0;
  w.open("for (int e = tid; e < " + num(t.bm * t.bn) + "; e += " + num(t.threads) + ")");
  w.line("const int r = e / " + num(t.bn) + ";");
  w.line("const int c = e % " + num(t.bn) + ";");
  w.line("const long long gi = i0 + r;");
  w.line("const long long gj = j0 + c;");
  std::vector<std::string> checks;
  if (rowCheck) checks.push_back("gi < gemmRows");
  if (colCheck) checks.push_back("gj < gemmCols");
  if (!checks.empty())
    w.open("if (" + checks[0] + (checks.size() > 1 ? " && " + checks[1] : "") + ")");
  p.output("bi", "gi", "gj", "Cs[r * " + num(ldc) + " + c]");
  if (!checks.empty()) w.close();
  w.close();
  w.line("__syncthreads();");
  w.close();  // tile loop
}

}  // namespace dlc::cuda::gemm
