/* Hand-written kernels with dlc's CPU kernel ABI (see runtime/src/Manifest.h),
 * built as a shared object and packaged into test artifacts. Tensors are
 * f32 [N,4]; rowsum produces f32 [N]. stack_user touches 256 KiB of stack. */
#include <stdint.h>
#include <string.h>

#define WIDTH 4

void dlc_add_bias(void* const* args, int64_t batch, int64_t begin, int64_t end) {
  const float* x = (const float*)args[0];
  const float* c = (const float*)args[1];
  float* out = (float*)args[2];
  for (int64_t i = begin; i < end; ++i) out[i] = x[i] + c[i % WIDTH];
}
int64_t dlc_add_bias_extent(int64_t batch) { return batch * WIDTH; }

void dlc_add(void* const* args, int64_t batch, int64_t begin, int64_t end) {
  const float* a = (const float*)args[0];
  const float* b = (const float*)args[1];
  float* out = (float*)args[2];
  for (int64_t i = begin; i < end; ++i) out[i] = a[i] + b[i];
}
int64_t dlc_add_extent(int64_t batch) { return batch * WIDTH; }

void dlc_rowsum(void* const* args, int64_t batch, int64_t begin, int64_t end) {
  const float* x = (const float*)args[0];
  float* out = (float*)args[1];
  for (int64_t r = begin; r < end; ++r) {
    float s = 0;
    for (int j = 0; j < WIDTH; ++j) s += x[r * WIDTH + j];
    out[r] = s;
  }
}
int64_t dlc_rowsum_extent(int64_t batch) { return batch; }

/* out[r, j] = x[r, j] + 1, computed through a 256 KiB stack buffer. */
void dlc_stack_user(void* const* args, int64_t batch, int64_t begin, int64_t end) {
  const float* x = (const float*)args[0];
  float* out = (float*)args[1];
  /* kCpuKernelStackBytes (1 MiB) less a page for the rest of the frame. */
  enum { kScratch = (1 << 20) / 4 - 1024 };
  volatile float scratch[kScratch];
  for (int64_t r = begin; r < end; ++r) {
    for (int i = 0; i < kScratch; i += 1024) scratch[i] = 1.0f;
    for (int j = 0; j < WIDTH; ++j) out[r * WIDTH + j] = x[r * WIDTH + j] + scratch[(r * 1024) % kScratch];
  }
}
int64_t dlc_stack_user_extent(int64_t batch) { return batch; }

/* u8 images [N,28,28] -> f32 [N,10]: out[n,c] = mean brightness of row c. */
void dlc_row_brightness(void* const* args, int64_t batch, int64_t begin, int64_t end) {
  const uint8_t* x = (const uint8_t*)args[0];
  float* out = (float*)args[1];
  for (int64_t n = begin; n < end; ++n)
    for (int c = 0; c < 10; ++c) {
      int s = 0;
      for (int j = 0; j < 28; ++j) s += x[n * 784 + c * 28 + j];
      out[n * 10 + c] = (float)s / (255.0f * 28.0f);
    }
}
int64_t dlc_row_brightness_extent(int64_t batch) { return batch; }
