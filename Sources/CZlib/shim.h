#ifndef TRACEBENCH_CZLIB_SHIM_H
#define TRACEBENCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
