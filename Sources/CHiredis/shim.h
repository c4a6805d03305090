#ifndef TRACEBENCH_CHIREDIS_SHIM_H
#define TRACEBENCH_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
