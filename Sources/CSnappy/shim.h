// libsnappy's C interface (Debian libsnappy-dev; the aggregator's package depends on
// libsnappy1v5). Only PlexusExport's Snappy.swift calls it: remote-write bodies are
// snappy-compressed blocks (not the framed stream format).
#ifndef PLEXUS_CSNAPPY_SHIM_H
#define PLEXUS_CSNAPPY_SHIM_H
#include <snappy-c.h>
#endif
