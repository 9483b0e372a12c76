// conv2d (docs/ops.md: x NCHW, w OIHW, pads [top, left, bottom, right]) as an
// implicit GEMM per group. See GemmProblem.h.
//
// GEMM g (one per group) has rows = the group's output channels, columns =
// every output pixel of every image (n, oh, ow), flattened, so the batch
// lands in the columns and small images still fill whole tiles; k = (c, kh,
// kw) over the group's input channels and the window. A is the group's slice
// of the OIHW weights, a plain row-major matrix. B(k, j) is the input pixel
// under tap (kh, kw) of output pixel j, zero in the padding: the im2col
// index is computed while the B tile is loaded and never stored. Consecutive
// columns are consecutive output pixels, so both the im2col loads (stride 1)
// and the NCHW output stores are coalesced along j.
//
// It renders index arithmetic only; the tiling is GemmRenderer's.
#include "compiler/backends/cuda/GemmProblem.h"

#include <memory>

#include "compiler/backends/cuda/CudaOps.h"
#include "ir/ConvGeometry.h"

namespace dlc::cuda::gemm {
namespace {

using ConvShape = ir::ConvGeometry;

std::string lit(int64_t v) { return std::to_string(v); }

// Declares the image, output row and output column of GEMM column `j`.
struct Pixel {
  std::string n, y, x;
};
Pixel pixelOf(RenderContext& ctx, const ConvShape& s, const std::string& j) {
  Pixel p{ctx.fresh("n"), ctx.fresh("oy"), ctx.fresh("ox")};
  const int64_t plane = s.oh * s.ow;
  std::string pix = ctx.fresh("pix");
  ctx.out.line("const long long " + p.n + " = " + j + " / " + lit(plane) + "LL;");
  ctx.out.line("const int " + pix + " = (int)(" + j + " - " + p.n + " * " + lit(plane) + "LL);");
  ctx.out.line("const int " + p.y + " = " + pix + " / " + lit(s.ow) + ";");
  ctx.out.line("const int " + p.x + " = " + pix + " - " + p.y + " * " + lit(s.ow) + ";");
  return p;
}

// "v * m + a" without the no-op parts.
std::string affine(const std::string& v, int64_t m, int64_t a) {
  std::string t = m == 1 ? v : v + " * " + lit(m);
  if (a > 0) t += " + " + lit(a);
  if (a < 0) t += " - " + lit(-a);
  return t;
}

}  // namespace

StatusOr<GemmProblem> conv2dProblem(RenderContext& ctx, const ir::Node& root,
                                    const EpilogueFn& epilogue) {
  DLC_ASSIGN_OR_RETURN(const ConvShape s, ir::convGeometry(root));
  DLC_ASSIGN_OR_RETURN(std::string xPtr, operandBuffer(ctx, root, 0));
  DLC_ASSIGN_OR_RETURN(std::string wPtr, operandBuffer(ctx, root, 1));
  std::string biasPtr;
  if (root.inputs.size() > 2) {
    DLC_ASSIGN_OR_RETURN(biasPtr, operandBuffer(ctx, root, 2));
  }
  const ir::DType biasType = biasPtr.empty() ? root.type.dtype : root.inputs[2]->type.dtype;
  const int64_t k = s.groupIn * s.kh * s.kw;
  RenderContext* c = &ctx;
  const EpilogueFn* epi = &epilogue;

  GemmProblem p;
  p.k = k;
  p.batch = Extent{s.groups, false};
  p.rows = Extent{s.groupOut, false};
  p.cols = Extent{s.oh * s.ow, s.images == ir::kBatch};
  if (!p.cols.batch) p.cols.fixed *= s.images;
  p.aType = root.inputs[1]->type.dtype;
  p.bType = root.inputs[0]->type.dtype;
  // The group of the GEMM: its first output channel and input channel.
  auto group = std::make_shared<std::string>();
  p.prepare = [c, group](const std::string& bi) {
    *group = c->fresh("g");
    c->out.line("const int " + *group + " = (int)" + bi + ";");
  };
  p.loadA = [wPtr, group, s, k](const std::string& i, const std::string& kk) {
    return wPtr + "[(" + *group + " * " + lit(s.groupOut) + "LL + " + i + ") * " + lit(k) +
           "LL + " + kk + "]";
  };
  p.loadB = [c, xPtr, group, s](const std::string& kk, const std::string& j,
                                const std::string& zero) {
    Pixel px = pixelOf(*c, s, j);
    std::string ch = c->fresh("ch"), iy = c->fresh("iy"), ix = c->fresh("ix");
    std::string tapY = "0", tapX = "0";
    const int64_t window = s.kh * s.kw;
    if (window == 1) {
      c->out.line("const int " + ch + " = (int)" + kk + ";");
    } else {
      std::string tap = c->fresh("tap");
      c->out.line("const int " + ch + " = (int)" + kk + " / " + lit(window) + ";");
      c->out.line("const int " + tap + " = (int)" + kk + " - " + ch + " * " + lit(window) + ";");
      if (s.kw == 1) {
        tapY = affine(tap, s.dilH, 0);
      } else if (s.kh == 1) {
        tapX = affine(tap, s.dilW, 0);
      } else {
        std::string ty = c->fresh("ky");
        c->out.line("const int " + ty + " = " + tap + " / " + lit(s.kw) + ";");
        tapY = affine(ty, s.dilH, 0);
        tapX = affine("(" + tap + " - " + ty + " * " + lit(s.kw) + ")", s.dilW, 0);
      }
    }
    c->out.line("const int " + iy + " = " + affine(px.y, s.strideH, -s.padTop) + " + " + tapY +
                ";");
    c->out.line("const int " + ix + " = " + affine(px.x, s.strideW, -s.padLeft) + " + " + tapX +
                ";");
    std::string offset = "((" + px.n + " * " + lit(s.channels) + "LL + " + *group + " * " +
                         lit(s.groupIn) + " + " + ch + ") * " + lit(s.h) + "LL + " + iy + ") * " +
                         lit(s.w) + "LL + " + ix;
    return "((unsigned)" + iy + " < " + lit(s.h) + "u && (unsigned)" + ix + " < " + lit(s.w) +
           "u) ? " + xPtr + "[" + offset + "] : " + zero;
  };
  p.output = [c, epi, group, s, biasPtr, biasType](const std::string&, const std::string& i,
                                                   const std::string& j, const std::string& acc) {
    std::string oc = c->fresh("oc");
    c->out.line("const long long " + oc + " = " + *group + " * " + lit(s.groupOut) + "LL + " + i +
                ";");
    std::string value = acc;
    if (!biasPtr.empty()) {
      value = c->fresh("acc");
      c->out.line("const float " + value + " = " + acc + " + " + loadExpr(biasType, biasPtr, oc) +
                  ";");
    }
    Pixel px = pixelOf(*c, s, j);
    (*epi)(value, {px.n, oc, px.y, px.x});
  };
  return p;
}

}  // namespace dlc::cuda::gemm
