// librrd (Debian librrd-dev, rrdtool 1.7) for Swift. Only PlexusArchive's LibRRD.swift calls it.
#ifndef PLEXUS_CRRD_SHIM_H
#define PLEXUS_CRRD_SHIM_H
#include <rrd.h>
#endif
