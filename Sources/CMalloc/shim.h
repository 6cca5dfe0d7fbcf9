// glibc's <malloc.h> for Swift (the Glibc module doesn't export it): malloc_trim, which the
// aggregator calls after each poll to give freed pages back to the system.
#ifndef PLEXUS_CMALLOC_SHIM_H
#define PLEXUS_CMALLOC_SHIM_H
#include <malloc.h>
#endif
