// librrd (Debian librrd-dev, rrdtool 1.7) for Swift. Only PlexusArchive's LibRRD.swift calls it.
#ifndef PLEXUS_CRRD_SHIM_H
#define PLEXUS_CRRD_SHIM_H
#include <rrd.h>

// librrd 1.5+ exports this without declaring it in rrd.h: a DEF whose file name starts with
// "cb//" is fetched by the registered function instead of from a file (the whole name, prefix
// included, is passed; `cf` is librrd's `enum cf_en`: 0 AVERAGE, 1 MINIMUM, 2 MAXIMUM, 3 LAST).
// The function allocates `*ds_namv` (each name too) and `*data` with malloc; librrd frees them.
typedef int (*plexus_rrd_fetch_cb_t)(
    const char *filename, int cf, time_t *start, time_t *end, unsigned long *step, unsigned long *ds_cnt, char ***ds_namv,
    rrd_value_t **data);
int rrd_fetch_cb_register(plexus_rrd_fetch_cb_t cb);
#endif
