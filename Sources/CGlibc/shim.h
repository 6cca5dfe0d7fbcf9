// glibc functions the Swift Glibc module doesn't export.
#ifndef PLEXUS_CGLIBC_SHIM_H
#define PLEXUS_CGLIBC_SHIM_H
#include <stddef.h>
// <malloc.h>: mallopt and malloc_trim, the aggregator's allocator settings and the freed
// memory it gives back after each poll.
#include <malloc.h>
// strfromd (glibc 2.25, ISO/IEC TS 18661-1): one double formatted with a printf conversion, as
// snprintf would, without a variadic call (Swift's withVaList boxes and casts its argument,
// which cost more than the formatting in an export of 5,760 values). <stdlib.h> declares it
// only when __STDC_WANT_IEC_60559_BFP_EXT__ is set before its first inclusion; this is the
// same prototype.
extern int strfromd(char *__restrict dest, size_t size, const char *__restrict format, double value);
#endif
