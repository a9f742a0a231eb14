/*
 * workfarm - actors sharing real work across cores: a farmer hands out
 * bands of a Mandelbrot image to hand actors, each hand renders its band
 * straight into the image (an alox_stage pointer: memory of this process,
 * lent, not copied) and asks for more. Run once on one worker thread and
 * once on all of them; prints the picture and the speed-up.
 *
 *     workfarm [size]        (default 1600: a size x size image)
 */
#include <alox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAND_ROWS 8    /* rows per job: small enough to balance, large enough to amortise a send */
#define HANDS 16       /* actors doing the work; the scheduler spreads them over the cores */
#define MAX_ITER 1000  /* escape-time iterations per pixel */

struct farmer;
struct alox_actor hand { int64_t bands; };
struct alox_actor farmer {
    int32_t size, next_row, bands_out;
    int64_t bands_done;
};

alox_behave void render(struct hand *self, int32_t first_row, int32_t size,
                        alox_stage uint16_t *image, struct farmer *boss);
alox_behave void band_done(struct farmer *self, struct hand *hand, alox_stage uint16_t *image);

static uint16_t escape_time(double cr, double ci) {
    double zr = 0, zi = 0;
    int n = 0;
    while (n < MAX_ITER && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
    }
    return (uint16_t)n;
}

alox_behave void render(struct hand *self, int32_t first_row, int32_t size,
                        alox_stage uint16_t *image, struct farmer *boss) {
    int32_t last = first_row + BAND_ROWS < size ? first_row + BAND_ROWS : size;
    for (int32_t y = first_row; y < last; y++)
        for (int32_t x = 0; x < size; x++)
            image[(size_t)y * size + x] =
                escape_time(-2.2 + 3.2 * x / size, -1.6 + 3.2 * y / size);
    self->bands++;
    band_done(boss, self, image);
}

/* Give a hand the next band, if any is left. */
static void hand_out(struct farmer *self, struct hand *hand, uint16_t *image) {
    if (self->next_row >= self->size)
        return;
    render(hand, self->next_row, self->size, image, self);
    self->next_row += BAND_ROWS;
    self->bands_out++;
}

alox_behave void band_done(struct farmer *self, struct hand *hand, alox_stage uint16_t *image) {
    self->bands_out--;
    self->bands_done++;
    hand_out(self, hand, image);
}

alox_behave void start(struct farmer *self, int32_t size, alox_stage uint16_t *image) {
    self->size = size;
    for (int i = 0; i < HANDS; i++)
        hand_out(self, alox_new(struct hand), image);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Renders the whole image with `threads` workers; returns seconds. */
static double farm(int threads, int32_t size, uint16_t *image) {
    alox_set_threads(threads);
    memset(image, 0, (size_t)size * size * sizeof *image);
    struct farmer *f = alox_new(struct farmer);
    double t0 = now_s();
    start(f, size, image);
    alox_run();
    double seconds = now_s() - t0;
    int64_t expected = (size + BAND_ROWS - 1) / BAND_ROWS;
    if (f->bands_done != expected) {
        fprintf(stderr, "workfarm: %lld of %lld bands rendered\n", (long long)f->bands_done,
                (long long)expected);
        exit(1);
    }
    return seconds;
}

static void print_thumbnail(const uint16_t *image, int32_t size) {
    static const uint16_t limits[] = {3, 5, 8, 12, 20, 35, 60, 120, MAX_ITER};
    const char *shades = " .:-=+*#%@";
    for (int y = 0; y < 24; y++) {
        char line[81];
        for (int x = 0; x < 80; x++) {
            uint16_t n = image[(size_t)(y * size / 24) * size + x * size / 80];
            int shade = 0;
            while (shade < 9 && n >= limits[shade])
                shade++;
            line[x] = shades[shade];
        }
        line[80] = '\0';
        printf("%s\n", line);
    }
}

static uint64_t checksum(const uint16_t *image, int32_t size) {
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)size * size; i++)
        sum = sum * 31 + image[i];
    return sum;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int32_t size = argc > 1 ? (int32_t)strtol(argv[1], NULL, 10) : 1600;
    if (size < 16 || size > 20000) {
        fprintf(stderr, "usage: workfarm [size from 16 to 20000]\n");
        return 2;
    }
    int all = alox_threads();
    uint16_t *image = malloc((size_t)size * size * sizeof *image);
    double one = farm(1, size, image);
    uint64_t sum_one = checksum(image, size);
    double many = farm(all, size, image);
    if (checksum(image, size) != sum_one) {
        fprintf(stderr, "workfarm: the image differs between runs\n");
        return 1;
    }
    print_thumbnail(image, size);
    printf("%dx%d Mandelbrot in %d bands by %d hand actors:\n", size, size,
           (size + BAND_ROWS - 1) / BAND_ROWS, HANDS);
    printf("  1 worker thread:  %.3f s\n  %d worker threads: %.3f s\n  speed-up: %.2fx\n", one, all,
           many, one / many);
    free(image);
    return 0;
}
