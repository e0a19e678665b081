/*
 * Times libebur128 on the same audio as refmaster's analysis benchmark: integrated loudness, LRA,
 * momentary/short-term maxima (queried every 100 ms, like a meter) and true peak.
 * Input: raw interleaved float32 stereo. Usage: libebur128-bench FILE SAMPLE_RATE RUNS
 * Prints one JSON line: the median processing time (file reading excluded) and the figures.
 */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s FILE SAMPLE_RATE RUNS\n", argv[0]); return 2; }
  unsigned long rate = strtoul(argv[2], NULL, 10);
  int runs = atoi(argv[3]);
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END);
  size_t frames = (size_t)ftell(f) / (2 * sizeof(float));
  fseek(f, 0, SEEK_SET);
  float *buf = malloc(frames * 2 * sizeof(float));
  if (fread(buf, sizeof(float) * 2, frames, f) != frames) { fprintf(stderr, "short read\n"); return 1; }
  fclose(f);

  double *times = malloc(sizeof(double) * runs);
  double integrated = 0, lra = 0, tp = 0, mmax = -HUGE_VAL, smax = -HUGE_VAL;
  for (int r = 0; r < runs; r++) {
    double t0 = now_ms();
    ebur128_state *st = ebur128_init(2, rate, EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
    size_t hop = rate / 10;
    mmax = -HUGE_VAL; smax = -HUGE_VAL;
    for (size_t pos = 0; pos < frames; pos += hop) {
      size_t n = frames - pos < hop ? frames - pos : hop;
      ebur128_add_frames_float(st, buf + pos * 2, n);
      double m, s;
      if (ebur128_loudness_momentary(st, &m) == EBUR128_SUCCESS && m > mmax) mmax = m;
      if (ebur128_loudness_shortterm(st, &s) == EBUR128_SUCCESS && s > smax) smax = s;
    }
    ebur128_loudness_global(st, &integrated);
    ebur128_loudness_range(st, &lra);
    double p0, p1;
    ebur128_true_peak(st, 0, &p0);
    ebur128_true_peak(st, 1, &p1);
    tp = p0 > p1 ? p0 : p1;
    ebur128_destroy(&st);
    times[r] = now_ms() - t0;
  }
  qsort(times, runs, sizeof(double), cmp);
  printf("{\"medianMs\":%.3f,\"integratedLufs\":%.4f,\"lraLu\":%.4f,\"truePeak\":%.6f,\"momentaryMax\":%.4f,\"shortTermMax\":%.4f}\n",
         times[runs / 2], integrated, lra, tp, mmax, smax);
  return 0;
}
