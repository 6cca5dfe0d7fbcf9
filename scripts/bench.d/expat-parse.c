/* Reference for `scripts/bench xml`: how fast expat — the parser gmetad 3.7 uses — reads the
 * same document, with a start-element handler that looks at every attribute as gmetad's
 * handlers do (name compare, value read). Prints best and median ms over N runs. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long elements, checksum;

static void start(void *ud, const XML_Char *name, const XML_Char **atts) {
    (void)ud;
    elements++;
    for (int i = 0; atts[i]; i += 2) {
        if (!strcmp(atts[i], "NAME") || !strcmp(atts[i], "VAL")) checksum += (unsigned char)atts[i + 1][0];
    }
    checksum += (unsigned char)name[0];
}

static void end(void *ud, const XML_Char *name) { (void)ud; (void)name; }

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: expat-parse FILE ITERATIONS\n"); return 1; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(size);
    if (fread(buf, 1, size, f) != (size_t)size) { perror("read"); return 1; }
    fclose(f);
    int n = atoi(argv[2]);
    double *t = calloc(n, sizeof(double));
    for (int i = -1; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        XML_Parser p = XML_ParserCreate(NULL);
        XML_SetElementHandler(p, start, end);
        if (XML_Parse(p, buf, (int)size, 1) == XML_STATUS_ERROR) {
            fprintf(stderr, "expat: %s\n", XML_ErrorString(XML_GetErrorCode(p)));
            return 1;
        }
        XML_ParserFree(p);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (i >= 0) t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(t, n, sizeof(double), cmp);
    printf("%-16s best %7.2f ms  median %7.2f ms  %7.1f MB/s\n", "expat (gmetad)", t[0], t[n / 2], size / 1e6 / (t[n / 2] / 1e3));
    return 0;
}
